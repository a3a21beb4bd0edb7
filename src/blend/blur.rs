//! Feather: a separable Gaussian blur of a mask plane with clamp-to-edge at the frame border,
//! O(pixels) per pass whatever the radius.
//!
//! σ ≤ 4 px: one truncated (±3σ) sampled Gaussian per axis. σ > 4 px: three "extended box"
//! passes per axis (boxes with fractional end taps, Gwosdek et al. 2011) whose variances add up
//! to σ² exactly, so the result is continuous in σ; running sums make each pass O(1) per pixel.
//! Windows holding only zeros (only ones) give exactly 0 (exactly 1), so the blurred mask has
//! compact support and an exactly opaque core: pixels it does not reach stay bit-identical.

use super::mask::Plane;
use super::par;

/// Largest σ honoured (in pixels) relative to the frame: beyond it the result no longer changes
/// visibly, and capping keeps every count and sum small.
pub(crate) const SIGMA_CAP_FRAMES: f64 = 16.0;
/// Work per thread below which a pass stays on one thread (mask samples).
const GRAIN: usize = 1 << 16;

/// Gaussian blur of `mask` (zero outside its rectangle) inside a `w × h` frame.
pub(crate) fn feather(mask: &Plane, sigma: f64, w: usize, h: usize) -> Plane {
    if sigma.is_nan() || sigma <= 0.0 || mask.rect.is_empty() {
        return mask.clone();
    }
    let sigma = sigma.min(SIGMA_CAP_FRAMES * w.max(h) as f64);
    let filter = if sigma <= 4.0 {
        Filter::gaussian(sigma)
    } else {
        Filter::boxes(sigma)
    };
    let rect = mask.rect.expand(filter.reach(), w, h);
    let mut plane = mask.crop(rect);
    let (rw, rh) = (rect.width(), rect.height());
    // Rows, then columns as the rows of the transposed plane (contiguous, and in parallel).
    filter_lines(&mut plane.data, rw, &filter);
    let mut columns = vec![0.0f32; rw * rh];
    transpose(&plane.data, rw, &mut columns);
    filter_lines(&mut columns, rh, &filter);
    transpose(&columns, rh, &mut plane.data);
    for v in &mut plane.data {
        *v = v.clamp(0.0, 1.0);
    }
    plane
}

/// `dst` = `src` (rows of `w`) transposed, in cache-sized tiles.
fn transpose(src: &[f32], w: usize, dst: &mut [f32]) {
    const TILE: usize = 32;
    let h = src.len() / w.max(1);
    par::bands(dst, h, GRAIN, |first, band| {
        let rows = band.len() / h.max(1);
        for y0 in (0..h).step_by(TILE) {
            for x in 0..rows {
                let out = &mut band[x * h..(x + 1) * h];
                for y in y0..(y0 + TILE).min(h) {
                    out[y] = src[y * w + first + x];
                }
            }
        }
    });
}

fn filter_lines(data: &mut [f32], len: usize, filter: &Filter) {
    par::bands(data, len, GRAIN, |_, band| {
        let mut scratch = Scratch {
            out: vec![0.0; len],
            changes: Vec::with_capacity(len),
        };
        for line in band.chunks_mut(len) {
            filter.apply(line, &mut scratch);
        }
    });
}

struct Scratch {
    out: Vec<f32>,
    /// The indices where the line's value changes (j with line[j] ≠ line[j − 1]).
    changes: Vec<usize>,
}

/// Finds, for the window `[i − left, i + right]` (clamped) of successive positions i, whether it
/// lies in a run of exact zeros or ones. `next` is the caller's cursor into `changes` (positions
/// only increase).
struct Runs<'a> {
    line: &'a [f32],
    changes: &'a [usize],
    next: usize,
}

impl<'a> Runs<'a> {
    fn new(line: &'a [f32], changes: &'a mut Vec<usize>) -> Runs<'a> {
        changes.clear();
        changes.extend((1..line.len()).filter(|&j| line[j] != line[j - 1]));
        Runs {
            line,
            changes,
            next: 0,
        }
    }

    /// The run's value and the end (exclusive) of the positions from i on whose windows stay
    /// inside it, if the window at i is inside a run of zeros or ones.
    fn plateau(&mut self, i: usize, left: usize, right: usize) -> Option<(f32, usize)> {
        let n = self.line.len();
        let lo = i.saturating_sub(left);
        let v = self.line[lo];
        if v != 0.0 && v != 1.0 {
            return None;
        }
        while self.next < self.changes.len() && self.changes[self.next] <= lo {
            self.next += 1;
        }
        let until = match self.changes.get(self.next) {
            Some(&c) if c <= (i + right).min(n - 1) => return None,
            Some(&c) => c - right,
            None => n,
        };
        Some((if v == 0.0 { 0.0 } else { 1.0 }, until))
    }
}

pub(crate) enum Filter {
    /// Normalised taps for offsets −r..=r.
    Gaussian(Vec<f64>),
    /// Three passes of a box of radius `r` plus end taps of weight `alpha` at ±(r + 1).
    Boxes { r: usize, alpha: f64 },
}

impl Filter {
    pub(crate) fn gaussian(sigma: f64) -> Filter {
        let r = (3.0 * sigma).ceil() as usize;
        let taps: Vec<f64> = (0..=2 * r)
            .map(|i| {
                let d = i as f64 - r as f64;
                (-d * d / (2.0 * sigma * sigma)).exp()
            })
            .collect();
        let total: f64 = taps.iter().sum();
        Filter::Gaussian(taps.into_iter().map(|t| t / total).collect())
    }

    pub(crate) fn boxes(sigma: f64) -> Filter {
        // Each pass carries a third of the variance. An integer box of radius r has variance
        // r(r+1)/3; the end taps make up the rest.
        let v = sigma * sigma / 3.0;
        let r = (((12.0 * v + 1.0).sqrt() - 1.0) / 2.0).floor() as usize;
        let rf = r as f64;
        let a = rf * (rf + 1.0) * (2.0 * rf + 1.0) / 3.0;
        let b = 2.0 * rf + 1.0;
        let alpha = ((v * b - a) / (2.0 * (rf + 1.0) * (rf + 1.0) - 2.0 * v)).clamp(0.0, 1.0);
        Filter::Boxes { r, alpha }
    }

    /// How far the filter spreads a value (pixels).
    fn reach(&self) -> usize {
        match self {
            Filter::Gaussian(taps) => taps.len() / 2,
            Filter::Boxes { r, .. } => 3 * (r + 1),
        }
    }

    /// Filters `line` in place.
    fn apply(&self, line: &mut [f32], scratch: &mut Scratch) {
        let n = line.len();
        let out = &mut scratch.out[..n];
        let passes = match self {
            Filter::Gaussian(_) => 1,
            Filter::Boxes { .. } => 3,
        };
        for _ in 0..passes {
            let runs = Runs::new(line, &mut scratch.changes);
            match self {
                Filter::Gaussian(taps) => gaussian_pass(line, out, taps, runs),
                Filter::Boxes { r, alpha } => box_pass(line, out, *r, *alpha, runs),
            }
            line.copy_from_slice(out);
        }
    }
}

/// One sampled-Gaussian pass with clamp-to-edge. Windows inside a run of zeros (ones) give
/// exactly 0 (1) without summing.
fn gaussian_pass(src: &[f32], dst: &mut [f32], taps: &[f64], mut runs: Runs) {
    let last = src.len() as isize - 1;
    let r = taps.len() / 2;
    let mut i = 0;
    while i < src.len() {
        if let Some((v, until)) = runs.plateau(i, r, r) {
            dst[i..until].fill(v);
            i = until;
            continue;
        }
        let (mut sum, mut all_one) = (0.0f64, true);
        for (k, t) in taps.iter().enumerate() {
            let v = src[(i as isize + k as isize - r as isize).clamp(0, last) as usize];
            all_one &= v == 1.0;
            sum += t * f64::from(v);
        }
        dst[i] = if all_one { 1.0 } else { sum as f32 };
        i += 1;
    }
}

/// Running window state: sum, count of non-zero samples and of exact ones.
#[derive(Default)]
struct Window {
    sum: f64,
    nonzero: i64,
    ones: i64,
}

impl Window {
    fn add(&mut self, v: f32, count: i64) {
        self.sum += f64::from(v) * count as f64;
        if v != 0.0 {
            self.nonzero += count;
        }
        if v == 1.0 {
            self.ones += count;
        }
    }

    /// The window `[i − r, i + r]` of `src` clamped to its ends, clamped indices in bulk (a huge
    /// r costs O(n)).
    fn at(src: &[f32], i: usize, r: usize) -> Window {
        let n = src.len();
        let mut win = Window::default();
        if r > i {
            win.add(src[0], (r - i) as i64);
        }
        for &v in &src[i.saturating_sub(r)..n.min(i + r + 1)] {
            win.add(v, 1);
        }
        if i + r + 1 > n {
            win.add(src[n - 1], (i + r + 1 - n) as i64);
        }
        win
    }
}

/// One extended-box pass with clamp-to-edge: out[i] = (Σ_{|k|≤r} v[i+k] + α(v[i−r−1] + v[i+r+1]))
/// / (2r + 1 + 2α), by running sums. Windows (with their end taps) inside a run of zeros (ones)
/// give exactly 0 (1) and are skipped; the sum restarts after each such run.
fn box_pass(src: &[f32], dst: &mut [f32], r: usize, alpha: f64, mut runs: Runs) {
    let n = src.len();
    let last = n as isize - 1;
    let at = |k: isize| src[k.clamp(0, last) as usize];
    let ri = r as isize;
    let width = 2 * r as i64 + 1;
    let norm = width as f64 + 2.0 * alpha;
    let mut win: Option<Window> = None;
    let mut i = 0;
    while i < n {
        if let Some((v, until)) = runs.plateau(i, r + 1, r + 1) {
            dst[i..until].fill(v);
            i = until;
            win = None;
            continue;
        }
        let ii = i as isize;
        let win = match &mut win {
            Some(w) => {
                w.add(at(ii + ri), 1);
                w.add(at(ii - 1 - ri), -1);
                w
            }
            None => win.insert(Window::at(src, i, r)),
        };
        let (lo, hi) = (at(ii - ri - 1), at(ii + ri + 1));
        let ends_zero = alpha == 0.0 || (lo == 0.0 && hi == 0.0);
        let ends_one = alpha == 0.0 || (lo == 1.0 && hi == 1.0);
        dst[i] = if win.nonzero == 0 && ends_zero {
            0.0
        } else if win.ones == width && ends_one {
            1.0
        } else {
            ((win.sum + alpha * (f64::from(lo) + f64::from(hi))) / norm) as f32
        };
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::super::mask::Rect;
    use super::*;

    fn impulse(n: usize) -> Plane {
        let mut p = Plane::zeros(Rect {
            x0: n / 2,
            y0: n / 2,
            x1: n / 2 + 1,
            y1: n / 2 + 1,
        });
        p.data[0] = 1.0;
        p
    }

    /// Variance of the blurred impulse along x; must equal σ² for both filter kinds.
    fn variance_x(p: &Plane) -> f64 {
        let (mut m0, mut m1, mut m2) = (0.0, 0.0, 0.0);
        for y in p.rect.y0..p.rect.y1 {
            for x in p.rect.x0..p.rect.x1 {
                let v = f64::from(p.get(x, y));
                m0 += v;
                m1 += v * x as f64;
                m2 += v * (x * x) as f64;
            }
        }
        m2 / m0 - (m1 / m0).powi(2)
    }

    #[test]
    fn blur_has_the_requested_sigma_and_keeps_mass() {
        for sigma in [0.8, 2.0, 3.9, 4.1, 7.3, 20.0] {
            let p = feather(&impulse(301), sigma, 301, 301);
            let var = variance_x(&p);
            let mass: f64 = p.data.iter().map(|&v| f64::from(v)).sum();
            assert!(
                (var.sqrt() - sigma).abs() < 0.01 * sigma,
                "σ {sigma}: got {}",
                var.sqrt()
            );
            assert!((mass - 1.0).abs() < 1e-5, "σ {sigma}: mass {mass}");
        }
    }

    #[test]
    fn blur_keeps_exact_zeros_and_ones_and_clamps_at_the_frame_edge() {
        let full = Plane {
            rect: Rect::full(64, 64),
            data: vec![1.0; 64 * 64],
        };
        for sigma in [1.5, 9.0, 1e9] {
            assert!(
                feather(&full, sigma, 64, 64).data.iter().all(|&v| v == 1.0),
                "σ {sigma}"
            );
        }
        let mut half = Plane::zeros(Rect {
            x0: 0,
            y0: 0,
            x1: 32,
            y1: 200,
        });
        half.data.iter_mut().for_each(|v| *v = 1.0);
        let out = feather(&half, 6.0, 200, 200);
        assert_eq!(out.get(0, 0), 1.0);
        assert_eq!(out.get(60, 100), 0.0);
        assert!((out.get(31, 100) - 0.5).abs() < 0.05 && (out.get(32, 100) - 0.5).abs() < 0.05);
    }
}
