//! The CPU pieces the GPU twin of Face Blend (`crate::gpu::blend`) shares with [`super::blend`]:
//! the same checks, the same sample grid, the same transfer fit (tiny matrix maths,
//! not per-pixel) and the same target correction, so that the two paths differ only in where
//! the per-pixel work runs. The GPU builds its own masks (`crate::gpu::blend_masks`); the CPU's
//! (`prepare`) are the oracle of its tests.

pub(crate) use super::checks::{check_inputs, check_rgb, check_work};
use super::colour_match::{fit, sample_step, Transfer};
#[cfg(test)]
pub(crate) use super::mask::Plane;
pub(crate) use super::mask::Rect;
use super::mkl::Mat3;
#[cfg(test)]
use super::{BlendError, BlendSettings, ColourSpace};
use super::{ColourMatch, TargetCorrection};
#[cfg(test)]
use crate::Frame;

/// The CPU blend's masks once it has checked its inputs (the oracle of the GPU's).
#[cfg(test)]
pub(crate) struct Prepared {
    /// Core mask (colour statistics weights) and final feathered mask.
    pub core: Plane,
    pub fin: Plane,
}

/// The CPU's masks, built and checked exactly as [`super::blend`] does, failing with the same
/// error in the same order: the oracle of the GPU masks' tests.
#[cfg(test)]
pub(crate) fn prepare(
    source: &Frame,
    face: &Frame,
    matte: Option<&Frame>,
    settings: &BlendSettings,
) -> Result<Prepared, BlendError> {
    let matte = check_inputs(source, face, matte, settings)?;
    let (w, h) = source.size();
    let (core, fin) = super::masks(face, matte, settings, w, h)?;
    let support = fin.support();
    if support.is_empty() {
        return Err(BlendError::EmptyMask);
    }
    let work = support.expand(1, w, h);
    check_work(source, face, settings, work)?;
    Ok(Prepared { core, fin })
}

/// Entries of a Histogram quantile table.
pub(crate) const QUANTILES: usize = super::histogram::QUANTILES;

/// The colour statistics' sample grid over the core mask's support `rect`: its step.
pub(crate) fn grid_step(rect: Rect) -> usize {
    sample_step(rect)
}

/// A Reinhard or Linear transfer as coefficients (LAB per channel, or affine in linear RGB).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Coefficients {
    /// Per LAB channel: l' = l·scale + offset.
    Lab { scale: [f64; 3], offset: [f64; 3] },
    /// In linear RGB: x' = m·x + offset.
    Affine { m: Mat3, offset: [f64; 3] },
}

/// The transfer [`super::blend`] fits for Reinhard or Linear from Source's and Face's weighted
/// (mean, covariance), Source's first mapped through `target`.
pub(crate) fn fit_moments(
    mode: ColourMatch,
    source: ([f64; 3], Mat3),
    face: ([f64; 3], Mat3),
    target: Option<&TargetCorrection>,
) -> Coefficients {
    let source = match target {
        Some(t) => t.moments(mode, source.0, source.1),
        None => source,
    };
    match fit(mode, source, face) {
        Transfer::Lab { scale, offset } => Coefficients::Lab { scale, offset },
        Transfer::Affine { m, offset } => Coefficients::Affine { m, offset },
        Transfer::Curves(_) => unreachable!("fit gives curves for no mode"),
    }
}

/// Source's quantile table of channel `c` through `target` (Histogram), in place.
pub(crate) fn correct_quantiles(table: &mut [f32], c: usize, target: Option<&TargetCorrection>) {
    if let Some(t) = target {
        for q in table {
            *q = t.quantile(c, *q);
        }
    }
}

/// The statistics the CPU colour match fits its transfer to (before any target correction):
/// Source's and Face's (mean, covariance) in `mode`'s space for Reinhard and Linear, or the six
/// quantile tables (Source R, G, B, then Face R, G, B) for Histogram. `None` without samples.
#[cfg(test)]
pub(crate) fn cpu_statistics(
    mode: ColourMatch,
    space: ColourSpace,
    source: &Frame,
    face: &Frame,
    core: &Plane,
) -> Option<CpuStatistics> {
    use super::colour_match::{stat, Samples};
    let samples = Samples::new(core);
    if samples.total <= 0.0 {
        return None;
    }
    if mode == ColourMatch::Histogram {
        let tables = (0..6)
            .map(|k| samples.quantiles(if k < 3 { source } else { face }, k % 3))
            .collect();
        return Some(CpuStatistics::Quantiles(tables));
    }
    let values = |frame: &Frame| {
        let list = samples.list.iter();
        list.map(|&(x, y, _)| {
            let p = frame.pixel(x, y);
            stat(mode, space, [p[0], p[1], p[2]])
        })
        .collect::<Vec<_>>()
    };
    Some(CpuStatistics::Moments {
        total: samples.total,
        source: samples.moments(values(source).into_iter()),
        face: samples.moments(values(face).into_iter()),
    })
}

/// See [`cpu_statistics`].
#[cfg(test)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CpuStatistics {
    Moments {
        total: f64,
        source: ([f64; 3], Mat3),
        face: ([f64; 3], Mat3),
    },
    Quantiles(Vec<Vec<f32>>),
}
