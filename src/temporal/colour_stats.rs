//! Colour-match statistics smoothed over a face's track: the plate's colour statistics in a
//! region fixed to the face, measured per frame in the analysis, fitted at t over the track
//! like the geometry, and turned into the correction of the colour match's target at t.
//!
//! The colour match aims at the plate's statistics under the paste mask at t. Those flicker
//! from frame to frame (grain, exposure flicker, a mask that moves), and the pasted face
//! flickers with them. The correction maps the region's statistics at t onto their smooth over
//! the track (a colour transform, see [`TargetCorrection`]) and is applied to the paste mask's
//! statistics: they keep their own level (unbiased: the region and the mask need not cover
//! the same pixels) and lose the region's temporal noise. The smooth is the same centred,
//! tricube-weighted local linear fit as the pose ([`smooth_values`]): zero lag for a linear
//! drift (a fade, a slow exposure change), computed over the run that no cut crosses.
//!
//! The region at t is measured on the *smoothed* face, the one that is pasted, so detector
//! jitter at t does not enter the correction; the analysed frames use their own detections,
//! whose jitter the smooth averages out. The region's weights fall smoothly to 0 at its edge,
//! so a small shift of the face changes its statistics only a little.

use super::smooth::{pose, smooth_values};
use crate::blend::{ColourStats, TargetCorrection};
use crate::colour::ColourSpace;
use crate::swap::FoundFace;
use crate::Frame;

/// The region, in the pose's canonical frame (unit eye distance, origin at the centroid of the
/// eyes and the nose, y down): an ellipse centred between the eyes and the mouth that reaches
/// from the brows to below the mouth and across the cheeks — skin mostly, little hair or
/// background.
const CENTRE_Y: f64 = 0.35;
const RADIUS_X: f64 = 0.8;
const RADIUS_Y: f64 = 0.85;

/// At most this many samples across the region's bounding square (so at most ~128² samples:
/// the means are far below grain level, and a 4K face stays cheap to measure).
const SAMPLES_ACROSS: f64 = 128.0;

/// The weighted pixels `(x, y, weight)` of `face`'s region in a `width × height` frame: the
/// biweight (1 − r²)² of the elliptical radius r, on a grid aligned to multiples of its step
/// in frame pixels (so the grid does not move with the face). Empty when the landmarks give no
/// pose.
pub fn face_region(face: &FoundFace, width: usize, height: usize) -> Vec<(usize, usize, f64)> {
    let Some(m) = pose(&face.landmarks).filter(|_| face.landmarks.is_finite()) else {
        return Vec::new();
    };
    let to_canonical = m.inverse();
    let (cx, cy) = m.apply((0.0, CENTRE_Y));
    let half = RADIUS_X.max(RADIUS_Y) * m.scale();
    let step = ((2.0 * half / SAMPLES_ACROSS).ceil() as usize).max(1);
    // First multiple of `step` at or after `lo`, and the end of the range, both inside 0..n.
    let span = |lo: f64, n: usize| {
        let first = (lo.max(0.0) / step as f64).ceil() as usize * step;
        let end = ((lo + 2.0 * half).ceil().max(0.0) as usize).min(n);
        first..end
    };
    let mut samples = Vec::new();
    for y in span(cy - half, height).step_by(step) {
        for x in span(cx - half, width).step_by(step) {
            let (u, v) = to_canonical.apply((x as f64 + 0.5, y as f64 + 0.5));
            let r2 = (u / RADIUS_X).powi(2) + ((v - CENTRE_Y) / RADIUS_Y).powi(2);
            if r2 < 1.0 {
                samples.push((x, y, (1.0 - r2) * (1.0 - r2)));
            }
        }
    }
    samples
}

/// The plate's colour statistics in `face`'s region of `frame` (RGB encoded as `space`).
pub fn face_colour_stats(
    frame: &Frame,
    space: ColourSpace,
    face: &FoundFace,
) -> Option<ColourStats> {
    let (w, h) = frame.size();
    ColourStats::measure(frame, space, face_region(face, w, h))
}

/// A track's region statistics fitted at `centre` (`samples[j]` for the run's frames where the
/// track has a detection with statistics).
pub(super) fn smooth_colour(
    samples: &[Option<ColourStats>],
    centre: usize,
    radius: usize,
) -> Option<ColourStats> {
    let values: Vec<Option<[f64; ColourStats::LEN]>> =
        samples.iter().map(|s| s.map(|s| s.to_values())).collect();
    let refs: Vec<Option<&[f64]>> = values.iter().map(|v| v.as_ref().map(|v| &v[..])).collect();
    ColourStats::from_values(&smooth_values(&refs, centre, radius)?)
}

/// The correction of the colour match's target for a face pasted on `frame` at `face` whose
/// region statistics smoothed over its track are `smoothed`: the region measured now, mapped
/// onto the smooth. `None` (per-frame statistics) without a smooth, when the region cannot be
/// measured, or when the two are equal (e.g. a window of one frame).
pub fn colour_target(
    frame: &Frame,
    space: ColourSpace,
    face: &FoundFace,
    smoothed: Option<&ColourStats>,
) -> Option<TargetCorrection> {
    TargetCorrection::between(&face_colour_stats(frame, space, face)?, smoothed?)
}
