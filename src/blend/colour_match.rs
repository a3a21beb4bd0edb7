//! Colour match of Face to Source: statistics weighted by the core mask, in linear light, and the
//! transfer applied to Face pixels. Reinhard (LAB mean/std, DeepFaceLab's RCT), Linear (mean and
//! full covariance, Monge–Kantorovich linear map as in DFL's MKL) and per-channel Histogram
//! matching on float quantiles.
//!
//! Each Face pixel is converted once (to LAB or linear light) for both the statistics and the
//! transfer; conversions and transfers run in parallel row bands, sums run in sample order.

use super::convert::{from_linear, lab_to_rgb, linear_to_lab, to_linear};
use super::histogram::{quantiles, Curve};
use super::mask::{Plane, Rect};
use super::mkl::{mat_vec, mkl, Mat3};
use super::target::TargetCorrection;
use super::{par, ColourMatch};
use crate::colour::ColourSpace;
use crate::Frame;

/// At most about this many pixels feed the statistics; larger regions are sampled on a regular
/// grid (a 4K face has ~10⁶ pixels; 2¹⁸ samples pin means and quantiles far below 1/255).
const MAX_SAMPLES: usize = 1 << 18;
/// Pixels per thread below which a pass stays on one thread.
const GRAIN: usize = 1 << 14;

/// A fitted colour transfer, applied pixel by pixel.
pub(crate) enum Transfer {
    /// Per LAB channel: l' = l·scale + offset.
    Lab { scale: [f64; 3], offset: [f64; 3] },
    /// In linear RGB: x' = m·x + offset.
    Affine { m: Mat3, offset: [f64; 3] },
    /// Per channel, in the input encoding: piecewise-linear maps through matching quantiles.
    Curves(Box<[Curve; 3]>),
}

/// The value statistics are taken on: LAB (Reinhard), linear RGB (Linear) or the RGB as it is.
pub(crate) fn stat(mode: ColourMatch, space: ColourSpace, rgb: [f32; 3]) -> [f64; 3] {
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
/// `core` weights match Source's there (Source's statistics first mapped through `target`, if
/// any), applied where `needed` (the rest keeps Face as it is).
#[allow(clippy::too_many_arguments)]
pub(crate) fn matched_face(
    mode: ColourMatch,
    space: ColourSpace,
    source: &Frame,
    face: &Frame,
    core: &Plane,
    work: Rect,
    needed: &[bool],
    target: Option<&TargetCorrection>,
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
            let table = samples.quantiles(if k < 3 { source } else { face }, k % 3);
            match target {
                Some(t) if k < 3 => table.into_iter().map(|q| t.quantile(k, q)).collect(),
                _ => table,
            }
        });
        let curves = [0, 1, 2].map(|c| {
            Curve::new(
                std::mem::take(&mut tables[c + 3]),
                std::mem::take(&mut tables[c]),
            )
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
        let (ms, cs) = match target {
            Some(t) => t.moments(mode, ms, cs),
            None => (ms, cs),
        };
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
pub(crate) fn fit(
    mode: ColourMatch,
    (ms, cs): ([f64; 3], Mat3),
    (mf, cf): ([f64; 3], Mat3),
) -> Transfer {
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

/// The weighted sample grid over a mask's support: (x, y, weight > 0) in row order.
pub(crate) struct Samples {
    pub list: Vec<(usize, usize, f64)>,
    pub total: f64,
}

/// The step of the regular sample grid over a `rect` of weights: every pixel up to
/// [`MAX_SAMPLES`] of them, then every `step`-th pixel of every `step`-th row.
pub(crate) fn sample_step(rect: Rect) -> usize {
    ((rect.area() as f64 / MAX_SAMPLES as f64).sqrt().ceil() as usize).max(1)
}

impl Samples {
    pub(crate) fn new(weights: &Plane) -> Samples {
        let rect = weights.support();
        let step = sample_step(rect);
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
    pub(crate) fn moments(&self, values: impl Iterator<Item = [f64; 3]>) -> ([f64; 3], Mat3) {
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

    /// Channel `c`'s weighted quantiles at k/(QUANTILES−1) over the samples.
    pub(crate) fn quantiles(&self, frame: &Frame, c: usize) -> Vec<f32> {
        let pairs = self.list.iter();
        quantiles(
            pairs.map(|&(x, y, w)| (frame.pixel(x, y)[c], w)).collect(),
            self.total,
        )
    }
}
