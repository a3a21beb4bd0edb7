//! A correction of the colour match's target: the plate's colour statistics in a weighted region
//! ([`ColourStats`]), and the colour map between two such statistics ([`TargetCorrection`])
//! that is applied to Source's statistics before the match is fitted.
//!
//! Face Swap uses it to make the match follow the plate smoothed over the face's track rather
//! than each frame's own statistics: the correction maps the plate's statistics in the face
//! region at t onto their temporal smooth, so whatever the paste mask covers keeps its own
//! (unbiased) statistics, minus their frame-to-frame noise. The map is an affine colour transform
//! in each match's own space (per channel in LAB for Reinhard and in the input encoding for
//! Histogram, MKL in linear RGB for Linear), so a correction between equal statistics is the
//! identity and between statistics that differ by an affine colour change is exactly that change.

use super::convert::{linear_to_lab, to_linear};
use super::mkl::{mat_vec, mkl, sym_fn, Mat3};
use super::ColourMatch;
use crate::colour::ColourSpace;
use crate::Frame;

/// A correction never scales a spread by more than this factor either way: a frame whose region
/// is momentarily flat (or wild) must not wreck the match.
const MAX_SCALE: f64 = 2.0;

/// Below this a region channel counts as flat: its spread cannot be scaled, only shifted.
const FLAT: f64 = 1e-6;

/// Colour statistics of a weighted plate region, in each colour match's space.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColourStats {
    /// CIELAB mean and standard deviation per channel (Reinhard).
    pub lab_mean: [f64; 3],
    pub lab_std: [f64; 3],
    /// Linear RGB mean and covariance (Linear).
    pub linear_mean: [f64; 3],
    pub linear_cov: [[f64; 3]; 3],
    /// Mean and standard deviation per channel of the RGB as it is encoded (Histogram).
    pub encoded_mean: [f64; 3],
    pub encoded_std: [f64; 3],
}

/// Weighted mean and covariance of `values` (two passes: the region is small).
fn moments(values: &[([f64; 3], f64)], total: f64) -> ([f64; 3], Mat3) {
    let mut mean = [0.0; 3];
    for (v, w) in values {
        for c in 0..3 {
            mean[c] += w * v[c] / total;
        }
    }
    let mut cov = [[0.0; 3]; 3];
    for (v, w) in values {
        let d = [v[0] - mean[0], v[1] - mean[1], v[2] - mean[2]];
        for i in 0..3 {
            for j in i..3 {
                cov[i][j] += w * d[i] * d[j] / total;
            }
        }
    }
    // Mirrored, so that the matrix is symmetric bit for bit (and survives `to_values`).
    let upper = cov;
    let cov = [0, 1, 2].map(|i| [0, 1, 2].map(|j| upper[i.min(j)][i.max(j)]));
    (mean, cov)
}

fn diagonal_std(cov: &Mat3) -> [f64; 3] {
    [0, 1, 2].map(|c| cov[c][c].max(0.0).sqrt())
}

impl ColourStats {
    /// Number of values of [`ColourStats::to_values`].
    pub const LEN: usize = 21;

    /// The statistics of `frame` (RGB encoded as `space`) over the weighted pixels
    /// `(x, y, weight)`; pixels outside the frame, with a non-finite value or a weight ≤ 0 are
    /// left out. `None` when nothing is left.
    pub fn measure(
        frame: &Frame,
        space: ColourSpace,
        samples: impl IntoIterator<Item = (usize, usize, f64)>,
    ) -> Option<ColourStats> {
        let (w, h) = frame.size();
        let mut encoded = Vec::new();
        let mut linear = Vec::new();
        let mut lab = Vec::new();
        for (x, y, weight) in samples {
            if x >= w || y >= h || weight.is_nan() || weight <= 0.0 {
                continue;
            }
            let p = frame.pixel(x, y);
            let rgb = [p[0], p[1], p[2]];
            if !rgb.iter().all(|v| v.is_finite()) {
                continue;
            }
            let lin = to_linear(space, rgb);
            encoded.push((rgb.map(f64::from), weight));
            linear.push((lin, weight));
            lab.push((linear_to_lab(lin), weight));
        }
        let total: f64 = encoded.iter().map(|s| s.1).sum();
        if !(total > 0.0 && total.is_finite()) {
            return None;
        }
        let (lab_mean, lab_cov) = moments(&lab, total);
        let (linear_mean, linear_cov) = moments(&linear, total);
        let (encoded_mean, encoded_cov) = moments(&encoded, total);
        Some(ColourStats {
            lab_mean,
            lab_std: diagonal_std(&lab_cov),
            linear_mean,
            linear_cov,
            encoded_mean,
            encoded_std: diagonal_std(&encoded_cov),
        })
    }

    /// The statistics as a flat list (the covariance's upper triangle), e.g. to be smoothed.
    pub fn to_values(&self) -> [f64; Self::LEN] {
        let c = &self.linear_cov;
        let mut v = [0.0; Self::LEN];
        let parts: [&[f64]; 6] = [
            &self.lab_mean,
            &self.lab_std,
            &self.linear_mean,
            &[c[0][0], c[0][1], c[0][2], c[1][1], c[1][2], c[2][2]],
            &self.encoded_mean,
            &self.encoded_std,
        ];
        for (slot, value) in v.iter_mut().zip(parts.into_iter().flatten()) {
            *slot = *value;
        }
        v
    }

    /// The inverse of [`ColourStats::to_values`]; a spread that came out negative (a linear
    /// fit can overshoot) is clamped to 0. `None` for a list of another length.
    pub fn from_values(v: &[f64]) -> Option<ColourStats> {
        if v.len() != Self::LEN {
            return None;
        }
        let three = |i: usize| [v[i], v[i + 1], v[i + 2]];
        let spread = |i: usize| three(i).map(|s| s.max(0.0));
        let c = &v[9..15];
        Some(ColourStats {
            lab_mean: three(0),
            lab_std: spread(3),
            linear_mean: three(6),
            linear_cov: [[c[0], c[1], c[2]], [c[1], c[3], c[4]], [c[2], c[4], c[5]]],
            encoded_mean: three(15),
            encoded_std: spread(18),
        })
    }
}

/// Per channel: v' = v·scale + offset.
#[derive(Debug, Clone, Copy, PartialEq)]
struct PerChannel {
    scale: [f64; 3],
    offset: [f64; 3],
}

impl PerChannel {
    /// The map taking (mean, std) `from` onto `to`.
    fn between(from: ([f64; 3], [f64; 3]), to: ([f64; 3], [f64; 3])) -> PerChannel {
        let scale = [0, 1, 2].map(|c| {
            if from.1[c] > FLAT {
                (to.1[c] / from.1[c]).clamp(1.0 / MAX_SCALE, MAX_SCALE)
            } else {
                1.0
            }
        });
        let offset = [0, 1, 2].map(|c| to.0[c] - from.0[c] * scale[c]);
        PerChannel { scale, offset }
    }
}

/// The colour map from the plate's statistics in a region at one frame onto the statistics it
/// should have had (e.g. their smooth over time), applied to the colour match's Source
/// statistics. Built by [`TargetCorrection::between`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TargetCorrection {
    lab: PerChannel,
    /// In linear RGB: x' = m·x + offset.
    linear: (Mat3, [f64; 3]),
    encoded: PerChannel,
}

impl TargetCorrection {
    /// The correction mapping `now` onto `wanted`; `None` (no correction) when they are equal,
    /// so that an unsmoothed target stays bit for bit what it was, or when either is not finite.
    pub fn between(now: &ColourStats, wanted: &ColourStats) -> Option<TargetCorrection> {
        let finite = |s: &ColourStats| s.to_values().iter().all(|v| v.is_finite());
        if now == wanted || !finite(now) || !finite(wanted) {
            return None;
        }
        // MKL is symmetric positive: clamping its eigenvalues bounds every direction's scale.
        let m = sym_fn(&mkl(&now.linear_cov, &wanted.linear_cov), |l| {
            l.clamp(1.0 / MAX_SCALE, MAX_SCALE)
        });
        let mapped = mat_vec(&m, now.linear_mean);
        Some(TargetCorrection {
            lab: PerChannel::between(
                (now.lab_mean, now.lab_std),
                (wanted.lab_mean, wanted.lab_std),
            ),
            linear: (m, [0, 1, 2].map(|c| wanted.linear_mean[c] - mapped[c])),
            encoded: PerChannel::between(
                (now.encoded_mean, now.encoded_std),
                (wanted.encoded_mean, wanted.encoded_std),
            ),
        })
    }

    /// Source's (mean, covariance) in `mode`'s space (LAB for Reinhard, linear RGB for Linear)
    /// through the correction: the moments of the mapped colours.
    pub(crate) fn moments(&self, mode: ColourMatch, mean: [f64; 3], cov: Mat3) -> ([f64; 3], Mat3) {
        let (m, offset) = match mode {
            ColourMatch::Reinhard => {
                let s = self.lab.scale;
                let diag = [[s[0], 0.0, 0.0], [0.0, s[1], 0.0], [0.0, 0.0, s[2]]];
                (diag, self.lab.offset)
            }
            ColourMatch::Linear => self.linear,
            _ => return (mean, cov),
        };
        let moved = mat_vec(&m, mean);
        let mut out = [[0.0; 3]; 3];
        for (i, row) in out.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                // (m·cov·mᵀ)[i][j]
                *v = (0..3)
                    .map(|k| (0..3).map(|l| m[i][k] * cov[k][l] * m[j][l]).sum::<f64>())
                    .sum();
            }
        }
        ([0, 1, 2].map(|c| moved[c] + offset[c]), out)
    }

    /// One of Source's quantiles of channel `c` in the input encoding (Histogram) through the
    /// correction; the map is increasing, so a sorted table stays sorted.
    pub(crate) fn quantile(&self, c: usize, q: f32) -> f32 {
        (f64::from(q) * self.encoded.scale[c] + self.encoded.offset[c]) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plate of gradients; red and green scaled by `gain`, every channel lifted by `lift`.
    fn plate(gain: f32, lift: f32) -> Frame {
        Frame::from_fn(24, 16, |x, y| {
            let (x, y) = (x as f32, y as f32);
            let r = 0.2 + 0.02 * x + 0.01 * y;
            let g = 0.1 + 0.005 * x + 0.015 * y;
            let b = 0.3 + 0.004 * ((x + 2.0 * y) % 5.0);
            [r * gain + lift, g * gain + lift, b + lift, 1.0]
        })
    }

    fn all_pixels() -> impl Iterator<Item = (usize, usize, f64)> {
        (0..16).flat_map(|y| (0..24).map(move |x| (x, y, 1.0)))
    }

    #[test]
    fn values_round_trip_and_bad_pixels_are_left_out() {
        let mut frame = plate(1.0, 0.0);
        let stats = ColourStats::measure(&frame, ColourSpace::Srgb, all_pixels()).unwrap();
        assert_eq!(ColourStats::from_values(&stats.to_values()), Some(stats));
        frame.set_pixel(3, 3, [f32::NAN, 0.0, 0.0, 1.0]);
        let bad = [
            (3, 3, 1.0),
            (99, 0, 1.0),
            (0, 0, -1.0),
            (1, 1, 1.0),
            (2, 1, 0.5),
        ];
        let with_bad = ColourStats::measure(&frame, ColourSpace::Srgb, bad);
        let good = ColourStats::measure(&frame, ColourSpace::Srgb, [(1, 1, 1.0), (2, 1, 0.5)]);
        assert!(good.is_some());
        assert_eq!(with_bad, good);
        assert!(ColourStats::measure(&frame, ColourSpace::Srgb, [(3, 3, 1.0)]).is_none());
    }

    #[test]
    fn a_correction_maps_the_region_statistics_onto_the_wanted_ones() {
        // Encoded and (in linear input) linear RGB differ by an affine change: exact there.
        let space = ColourSpace::Linear;
        let now = ColourStats::measure(&plate(1.0, 0.0), space, all_pixels()).unwrap();
        let wanted = ColourStats::measure(&plate(1.2, 0.05), space, all_pixels()).unwrap();
        let fix = TargetCorrection::between(&now, &wanted).unwrap();
        let (m, cov) = fix.moments(ColourMatch::Linear, now.linear_mean, now.linear_cov);
        let (l, lab_cov) = fix.moments(ColourMatch::Reinhard, now.lab_mean, [[0.0; 3]; 3]);
        for c in 0..3 {
            assert!((m[c] - wanted.linear_mean[c]).abs() < 1e-9);
            assert!((l[c] - wanted.lab_mean[c]).abs() < 1e-9);
            assert_eq!(lab_cov[c], [0.0; 3]);
            for (got, want) in cov[c].iter().zip(&wanted.linear_cov[c]) {
                assert!((got - want).abs() < 1e-9);
            }
            let q = fix.quantile(c, now.encoded_mean[c] as f32);
            assert!((f64::from(q) - wanted.encoded_mean[c]).abs() < 1e-6);
        }
        assert_eq!(TargetCorrection::between(&now, &now), None);
    }

    #[test]
    fn blending_towards_a_correction_blends_as_onto_the_corrected_plate() {
        // The wanted plate is an affine colour change of the current one, which Linear (any
        // affine change) and Histogram (per channel) represent exactly: matching the current
        // plate through the correction must give the match to the wanted plate.
        let (now_plate, wanted_plate) = (plate(1.0, 0.0), plate(1.2, 0.05));
        let face = Frame::from_fn(24, 16, |x, y| {
            let inside = (4..20).contains(&x) && (3..13).contains(&y);
            let (x, y) = (x as f32, y as f32);
            [
                0.5 + 0.01 * x,
                0.4 + 0.012 * y,
                0.3 + 0.003 * (x + y),
                f32::from(inside),
            ]
        });
        let space = ColourSpace::Linear;
        let now = ColourStats::measure(&now_plate, space, all_pixels()).unwrap();
        let wanted = ColourStats::measure(&wanted_plate, space, all_pixels()).unwrap();
        let fix = TargetCorrection::between(&now, &wanted).unwrap();
        let max_diff = |a: &Frame, b: &Frame| {
            let pairs = a.pixels().iter().zip(b.pixels());
            pairs
                .flat_map(|(p, q)| (0..4).map(move |c| (p[c] - q[c]).abs()))
                .fold(0.0f32, f32::max)
        };
        for mode in [
            ColourMatch::None,
            ColourMatch::Reinhard,
            ColourMatch::Linear,
            ColourMatch::Histogram,
        ] {
            let s = crate::blend::BlendSettings {
                colour_match: mode,
                colour_space: space,
                output: crate::blend::BlendOutput::FaceOnly,
                ..Default::default()
            };
            let corrected =
                crate::blend::blend_towards(&now_plate, &face, None, &s, Some(&fix)).unwrap();
            let plain = crate::blend::blend(&now_plate, &face, None, &s).unwrap();
            let onto_wanted = crate::blend::blend(&wanted_plate, &face, None, &s).unwrap();
            match mode {
                ColourMatch::None => assert_eq!(corrected, plain, "no match, nothing to correct"),
                // Reinhard's LAB cannot represent this change exactly; it must still act.
                ColourMatch::Reinhard => assert!(max_diff(&corrected, &plain) > 0.01),
                _ => {
                    assert!(
                        max_diff(&plain, &onto_wanted) > 0.01,
                        "{mode:?}: test too weak"
                    );
                    let d = max_diff(&corrected, &onto_wanted);
                    assert!(d < 1e-5, "{mode:?}: {d}");
                }
            }
        }
    }
}
