//! Colour match of Face to Source: statistics weighted by the core mask, in linear light, and the
//! transfer applied to Face pixels. Reinhard (LAB mean/std, DeepFaceLab's RCT), Linear (mean and
//! full covariance, Monge–Kantorovich linear map as in DFL's MKL) and per-channel Histogram
//! matching on float quantiles.
//!
//! Each Face pixel is converted once (to LAB or linear light) for both the statistics and the
//! transfer; conversions and transfers run in parallel row bands, sums run in sample order.

use super::convert::{from_linear, lab_to_rgb, linear_to_lab, to_linear};
use super::mask::{Plane, Rect};
use super::par;
use crate::colour::ColourSpace;
use crate::Frame;

use super::ColourMatch;

/// At most about this many pixels feed the statistics; larger regions are sampled on a regular
/// grid (a 4K face has ~10⁶ pixels; 2¹⁸ samples pin means and quantiles far below 1/255).
const MAX_SAMPLES: usize = 1 << 18;
/// Table size of the histogram quantile maps.
const QUANTILES: usize = 4096;
/// Pixels per thread below which a pass stays on one thread.
const GRAIN: usize = 1 << 14;

/// A fitted colour transfer, applied pixel by pixel.
enum Transfer {
    /// Per LAB channel: l' = l·scale + offset.
    Lab { scale: [f64; 3], offset: [f64; 3] },
    /// In linear RGB: x' = m·x + offset.
    Affine { m: Mat3, offset: [f64; 3] },
    /// Per channel, in the input encoding: piecewise-linear maps through matching quantiles.
    Curves(Box<[Curve; 3]>),
}

struct Curve {
    from: Vec<f32>,
    to: Vec<f32>,
}

/// The value statistics are taken on: LAB (Reinhard), linear RGB (Linear) or the RGB as it is.
fn stat(mode: ColourMatch, space: ColourSpace, rgb: [f32; 3]) -> [f64; 3] {
    match mode {
        ColourMatch::Reinhard => linear_to_lab(to_linear(space, rgb)),
        ColourMatch::Linear => to_linear(space, rgb),
        _ => [rgb[0].into(), rgb[1].into(), rgb[2].into()],
    }
}

/// `f(y, i, out_row)` for every row y of `work`, `i` the index of its first pixel, in parallel.
fn rows<T: Send>(out: &mut [T], work: Rect, f: impl Fn(usize, usize, &mut [T]) + Sync) {
    let ww = work.width();
    par::bands(out, ww, GRAIN, |first, band| {
        for (r, row) in band.chunks_mut(ww).enumerate() {
            f(work.y0 + first + r, (first + r) * ww, row);
        }
    });
}

/// Face's RGB over `work` (row-major), with `mode` fitted so that Face's colours inside the
/// `core` weights match Source's there, applied where `needed` (the rest keeps Face as it is).
pub(crate) fn matched_face(
    mode: ColourMatch,
    space: ColourSpace,
    source: &Frame,
    face: &Frame,
    core: &Plane,
    work: Rect,
    needed: &[bool],
) -> Vec<[f32; 3]> {
    let rgb = |p: &[f32; 4]| [p[0], p[1], p[2]];
    let face_row = |y: usize| &face.row(y)[work.x0..work.x1];
    let mut out = vec![[0.0f32; 3]; work.area()];
    let samples = (mode != ColourMatch::None).then(|| Samples::new(core));
    let Some(samples) = samples.filter(|s| s.total > 0.0) else {
        rows(&mut out, work, |y, _, row| {
            for (o, p) in row.iter_mut().zip(face_row(y)) {
                *o = rgb(p);
            }
        });
        return out;
    };
    let (transfer, conv) = if mode == ColourMatch::Histogram {
        let mut tables = vec![Vec::new(); 6];
        par::fill(&mut tables, 1, |k| {
            samples.quantiles(if k < 3 { source } else { face }, k % 3)
        });
        let curves = [0, 1, 2].map(|c| Curve {
            from: std::mem::take(&mut tables[c + 3]),
            to: std::mem::take(&mut tables[c]),
        });
        (Transfer::Curves(Box::new(curves)), Vec::new())
    } else {
        // Reinhard / Linear: every Face pixel the statistics or the transfer use, converted once.
        let weights = core.crop(work);
        let mut conv = vec![[0.0f64; 3]; work.area()];
        rows(&mut conv, work, |y, i, row| {
            for (k, (c, p)) in row.iter_mut().zip(face_row(y)).enumerate() {
                if needed[i + k] || weights.data[i + k] > 0.0 {
                    *c = stat(mode, space, rgb(p));
                }
            }
        });
        let mut source_values = vec![[0.0f64; 3]; samples.list.len()];
        par::fill(&mut source_values, GRAIN, |k| {
            let (x, y, _) = samples.list[k];
            stat(mode, space, rgb(&source.pixel(x, y)))
        });
        let face_values = samples.list.iter().map(|&(x, y, _)| {
            if work.contains(x, y) {
                conv[work.index(x, y)]
            } else {
                stat(mode, space, rgb(&face.pixel(x, y)))
            }
        });
        let ((ms, cs), (mf, cf)) = par::join(
            || samples.moments(source_values.into_iter()),
            || samples.moments(face_values),
        );
        (fit(mode, (ms, cs), (mf, cf)), conv)
    };
    rows(&mut out, work, |y, i, row| {
        for (k, (o, p)) in row.iter_mut().zip(face_row(y)).enumerate() {
            *o = if needed[i + k] {
                let stat = conv.get(i + k).copied().unwrap_or_default();
                transfer.apply(stat, rgb(p), space)
            } else {
                rgb(p)
            };
        }
    });
    out
}

/// The Reinhard (LAB) or Linear (MKL) transfer from Source's and Face's (mean, covariance).
fn fit(mode: ColourMatch, (ms, cs): ([f64; 3], Mat3), (mf, cf): ([f64; 3], Mat3)) -> Transfer {
    if mode == ColourMatch::Reinhard {
        let mut scale = [1.0; 3];
        let mut offset = [0.0; 3];
        for c in 0..3 {
            let (ss, sf) = (cs[c][c].max(0.0).sqrt(), cf[c][c].max(0.0).sqrt());
            // A flat face channel cannot be stretched: shift its mean only.
            scale[c] = if sf > 1e-6 { ss / sf } else { 1.0 };
            offset[c] = ms[c] - mf[c] * scale[c];
        }
        Transfer::Lab { scale, offset }
    } else {
        let m = mkl(&cf, &cs);
        let mapped = mat_vec(&m, mf);
        Transfer::Affine {
            m,
            offset: [0, 1, 2].map(|c| ms[c] - mapped[c]),
        }
    }
}

impl Transfer {
    /// The matched colour of one Face pixel: `stat` is its value from [`stat`] (not used by
    /// Curves), `rgb` the pixel itself (in the input encoding).
    fn apply(&self, stat: [f64; 3], rgb: [f32; 3], space: ColourSpace) -> [f32; 3] {
        match self {
            Transfer::Lab { scale, offset } => {
                let l = |c: usize| stat[c] * scale[c] + offset[c];
                lab_to_rgb(space, [l(0), l(1), l(2)])
            }
            Transfer::Affine { m, offset } => {
                let x = mat_vec(m, stat);
                from_linear(
                    space,
                    [x[0] + offset[0], x[1] + offset[1], x[2] + offset[2]],
                )
            }
            Transfer::Curves(c) => [c[0].map(rgb[0]), c[1].map(rgb[1]), c[2].map(rgb[2])],
        }
    }
}

impl Curve {
    /// Piecewise-linear through (from[k], to[k]); slope 1 beyond the ends; a value equal to a run
    /// of equal `from` entries maps to the middle of the matching `to` run.
    fn map(&self, v: f32) -> f32 {
        let (from, to) = (&self.from, &self.to);
        let n = from.len();
        let first_ge = from.partition_point(|&f| f < v);
        if first_ge < n && from[first_ge] == v {
            let first_gt = first_ge + from[first_ge..].partition_point(|&f| f <= v);
            return ((f64::from(to[first_ge]) + f64::from(to[first_gt - 1])) / 2.0) as f32;
        }
        if first_ge == 0 {
            return to[0] + (v - from[0]);
        }
        if first_ge == n {
            return to[n - 1] + (v - from[n - 1]);
        }
        let (k0, k1) = (first_ge - 1, first_ge);
        let t = (f64::from(v) - f64::from(from[k0])) / (f64::from(from[k1]) - f64::from(from[k0]));
        (f64::from(to[k0]) + t * (f64::from(to[k1]) - f64::from(to[k0]))) as f32
    }
}

/// The weighted sample grid over a mask's support: (x, y, weight > 0) in row order.
struct Samples {
    list: Vec<(usize, usize, f64)>,
    total: f64,
}

impl Samples {
    fn new(weights: &Plane) -> Samples {
        let rect = weights.support();
        let step = ((rect.area() as f64 / MAX_SAMPLES as f64).sqrt().ceil() as usize).max(1);
        let mut list = Vec::new();
        for y in (rect.y0..rect.y1).step_by(step) {
            let start = weights.rect.index(rect.x0, y);
            let row = &weights.data[start..start + rect.width()];
            for (x, &w) in (rect.x0..).zip(row).step_by(step) {
                if w > 0.0 {
                    list.push((x, y, f64::from(w)));
                }
            }
        }
        let total = list.iter().map(|s| s.2).sum();
        Samples { list, total }
    }

    /// Weighted mean and covariance of the samples' `values` (in sample order).
    fn moments(&self, values: impl Iterator<Item = [f64; 3]>) -> ([f64; 3], Mat3) {
        // Shifted sums (by the first sample) keep the one-pass covariance accurate.
        let mut shift = None;
        let (mut s1, mut s2) = ([0.0; 3], [[0.0; 3]; 3]);
        for (v, &(_, _, w)) in values.zip(&self.list) {
            let k = *shift.get_or_insert(v);
            let d = [v[0] - k[0], v[1] - k[1], v[2] - k[2]];
            for i in 0..3 {
                s1[i] += w * d[i];
                for j in 0..3 {
                    s2[i][j] += w * d[i] * d[j];
                }
            }
        }
        let k = shift.unwrap_or([0.0; 3]);
        let m = s1.map(|s| s / self.total);
        let mut cov = [[0.0; 3]; 3];
        for i in 0..3 {
            for j in 0..3 {
                cov[i][j] = s2[i][j] / self.total - m[i] * m[j];
            }
        }
        ([m[0] + k[0], m[1] + k[1], m[2] + k[2]], cov)
    }

    /// Channel `c`'s weighted quantiles at k/(QUANTILES−1) (midpoint rule on the weights).
    fn quantiles(&self, frame: &Frame, c: usize) -> Vec<f32> {
        let mut pairs: Vec<(f32, f64)> = self
            .list
            .iter()
            .map(|&(x, y, w)| (frame.pixel(x, y)[c], w))
            .collect();
        pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let mut table = Vec::with_capacity(QUANTILES);
        let (mut i, mut below) = (0, 0.0);
        for k in 0..QUANTILES {
            let target = k as f64 / (QUANTILES - 1) as f64 * self.total;
            // Advance to the first sample whose midpoint lies at or above the target.
            while i < pairs.len() && below + pairs[i].1 / 2.0 < target {
                below += pairs[i].1;
                i += 1;
            }
            let q = if i == 0 {
                pairs[0].0
            } else if i == pairs.len() {
                pairs[i - 1].0
            } else {
                let (lo, hi) = (below - pairs[i - 1].1 / 2.0, below + pairs[i].1 / 2.0);
                let t = if hi > lo {
                    (target - lo) / (hi - lo)
                } else {
                    0.0
                };
                (f64::from(pairs[i - 1].0) + t * f64::from(pairs[i].0 - pairs[i - 1].0)) as f32
            };
            table.push(q);
        }
        table
    }
}

type Mat3 = [[f64; 3]; 3];

fn mat_vec(m: &Mat3, v: [f64; 3]) -> [f64; 3] {
    crate::colour::mat3_mul_vec(m, v)
}

fn mat_mul(a: &Mat3, b: &Mat3) -> Mat3 {
    let mut out = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            out[i][j] = (0..3).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    out
}

/// Symmetric eigen-decomposition by cyclic Jacobi rotations: (eigenvalues, eigenvectors as
/// columns), deterministic.
pub(crate) fn eigen_symmetric(mut a: Mat3) -> ([f64; 3], Mat3) {
    let mut v = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    for _ in 0..64 {
        let off = a[0][1].abs() + a[0][2].abs() + a[1][2].abs();
        let scale = a[0][0].abs() + a[1][1].abs() + a[2][2].abs();
        if off <= 1e-15 * scale || off < 1e-300 {
            break;
        }
        for (p, q) in [(0, 1), (0, 2), (1, 2)] {
            if a[p][q] == 0.0 {
                continue;
            }
            let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
            let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
            let t = if theta == 0.0 { 1.0 } else { t };
            let c = 1.0 / (t * t + 1.0).sqrt();
            let s = t * c;
            // a ← Jᵀ a J for the rotation J in the (p, q) plane.
            for row in a.iter_mut() {
                let (akp, akq) = (row[p], row[q]);
                row[p] = c * akp - s * akq;
                row[q] = s * akp + c * akq;
            }
            let (rp, rq) = (a[p], a[q]);
            a[p] = [0, 1, 2].map(|k| c * rp[k] - s * rq[k]);
            a[q] = [0, 1, 2].map(|k| s * rp[k] + c * rq[k]);
            for row in v.iter_mut() {
                let (vp, vq) = (row[p], row[q]);
                row[p] = c * vp - s * vq;
                row[q] = s * vp + c * vq;
            }
        }
    }
    ([a[0][0], a[1][1], a[2][2]], v)
}

/// f(C) for a symmetric C through its eigen-decomposition, f applied to the eigenvalues.
fn sym_fn(c: &Mat3, f: impl Fn(f64) -> f64) -> Mat3 {
    let (d, v) = eigen_symmetric(*c);
    let mut out = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            out[i][j] = (0..3).map(|k| v[i][k] * f(d[k]) * v[j][k]).sum();
        }
    }
    out
}

/// The Monge–Kantorovich linear map (Pitié & Kokaram 2007), the symmetric positive A with
/// A·Cf·A = Cs: A = Cf^−½ (Cf^½ Cs Cf^½)^½ Cf^−½. Of all maps matching the covariance it moves
/// colours least (no hue rotation), unlike Cs^½·Cf^−½. Face eigenvalues are floored at 1e-5 of
/// the largest (a face flat in some colour direction would otherwise amplify its noise without
/// bound); a face flat in every direction gets A = I (mean shift only).
pub(crate) fn mkl(cf: &Mat3, cs: &Mat3) -> Mat3 {
    let (df, _) = eigen_symmetric(*cf);
    let top = df.iter().cloned().fold(0.0, f64::max);
    let identity = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    if top.is_nan() || top <= 1e-14 {
        return identity;
    }
    let floor = top * 1e-5;
    let half = sym_fn(cf, |l| l.max(floor).sqrt());
    let inv_half = sym_fn(cf, |l| 1.0 / l.max(floor).sqrt());
    let middle = mat_mul(&mat_mul(&half, cs), &half);
    let sym = [0, 1, 2].map(|i| [0, 1, 2].map(|j| (middle[i][j] + middle[j][i]) / 2.0));
    let root = sym_fn(&sym, |l| l.max(0.0).sqrt());
    mat_mul(&mat_mul(&inv_half, &root), &inv_half)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_diagonalises() {
        let a = [[4.0, 1.0, -2.0], [1.0, 2.0, 0.5], [-2.0, 0.5, 3.0]];
        let (d, v) = eigen_symmetric(a);
        for k in 0..3 {
            let col = [v[0][k], v[1][k], v[2][k]];
            let av = mat_vec(&a, col);
            for i in 0..3 {
                assert!((av[i] - d[k] * col[i]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn mkl_maps_face_covariance_onto_source() {
        let cf = [[0.04, 0.01, 0.0], [0.01, 0.02, 0.005], [0.0, 0.005, 0.01]];
        let cs = [
            [0.02, 0.012, 0.004],
            [0.012, 0.03, 0.0],
            [0.004, 0.0, 0.015],
        ];
        let a = mkl(&cf, &cs);
        let got = mat_mul(&mat_mul(&a, &cf), &a);
        for i in 0..3 {
            for j in 0..3 {
                assert!((got[i][j] - cs[i][j]).abs() < 1e-12);
                assert!((a[i][j] - a[j][i]).abs() < 1e-12, "MKL is symmetric");
            }
        }
        let same = mkl(&cf, &cf);
        for (i, row) in same.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                assert!((v - f64::from(i == j)).abs() < 1e-12);
            }
        }
    }
}
