//! Centred, stateless smoothing of a track at one frame, and the fade weight at track ends.
//!
//! Every quantity is estimated at the centre frame c by a local linear least-squares fit over
//! the track's observations j with |j − c| ≤ radius, weighted by the tricube kernel
//! w(u) = (1 − (|u| / (radius + 1))³)³, u = j − c. The fit is a fixed linear combination of the
//! samples, `Σ l_j·y_j` with `Σ l_j = 1` and `Σ l_j·u_j = 0` ([`LocalFit`]), so it reproduces any
//! constant-velocity motion exactly (zero lag) wherever it has samples: inside the window, at a
//! cut or the end of the clip (one-sided fit), and across detector misses (interpolation). The
//! centre must be observed or have observations on both sides: the fit never extrapolates.
//!
//! A face is described per frame by its pose, the similarity that maps a canonical 5-point
//! shape (the ArcFace template, centred on its rigid points and scaled to unit inter-ocular
//! distance) onto the landmarks by least squares over the rigid points (eyes and nose), split
//! into (rotation, log-scale, translation of the face centre); plus each landmark's residual in
//! canonical coordinates (expression and pose detail). Rotation is unwrapped against the
//! observation nearest the centre before fitting. The smoothed landmarks are the smoothed
//! residuals mapped through the smoothed pose; box corners and score are fitted directly.

use std::ops::Range;

use super::track::{FrameFaces, Track};
use crate::face::{Landmarks, Similarity, SimilarityParts, Template};
use crate::swap::FoundFace;

/// The landmarks the pose is fitted on: left eye, right eye, nose.
const RIGID: [usize; 3] = [0, 1, 2];

/// The fit's weights: `Σ l_j·y_j` estimates y at the centre.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalFit {
    /// (frame, l_j) in frame order.
    pub weights: Vec<(usize, f64)>,
}

/// Tricube weight of offset `u` for a window of `radius` frames on each side.
pub fn tricube(u: f64, radius: usize) -> f64 {
    let r = (u.abs() / (radius as f64 + 1.0)).min(1.0);
    (1.0 - r * r * r).powi(3)
}

impl LocalFit {
    /// The fit at `centre` from samples at the frames `present` (any order, duplicates
    /// ignored); frames farther than `radius` are left out. `None` when nothing is left, or
    /// when the centre has no sample and the samples do not surround it.
    pub fn new(present: &[usize], centre: usize, radius: usize) -> Option<LocalFit> {
        let mut frames: Vec<usize> = present
            .iter()
            .copied()
            .filter(|&j| j.abs_diff(centre) <= radius)
            .collect();
        frames.sort_unstable();
        frames.dedup();
        let (&lo, &hi) = (frames.first()?, frames.last()?);
        if !(lo <= centre && centre <= hi) {
            return None;
        }
        let u = |j: usize| j as f64 - centre as f64;
        let w: Vec<f64> = frames.iter().map(|&j| tricube(u(j), radius)).collect();
        let (mut s0, mut s1, mut s2) = (0.0, 0.0, 0.0);
        for (&j, &wj) in frames.iter().zip(&w) {
            s0 += wj;
            s1 += wj * u(j);
            s2 += wj * u(j) * u(j);
        }
        let det = s0 * s2 - s1 * s1;
        let weights = if frames.len() < 2 || det <= 1e-12 * s0 * s2 {
            // A single sample (necessarily at the centre): local constant.
            frames
                .iter()
                .zip(&w)
                .map(|(&j, &wj)| (j, wj / s0))
                .collect()
        } else {
            let l = |j: usize, wj: f64| wj * (s2 - s1 * u(j)) / det;
            frames
                .iter()
                .zip(&w)
                .map(|(&j, &wj)| (j, l(j, wj)))
                .collect()
        };
        Some(LocalFit { weights })
    }

    /// `Σ l_j·y(j)`.
    pub fn apply(&self, mut y: impl FnMut(usize) -> f64) -> f64 {
        self.weights.iter().map(|&(j, l)| l * y(j)).sum()
    }

    /// Whether the fit is the centre sample alone (then smoothing is the identity).
    pub fn is_only(&self, centre: usize) -> bool {
        self.weights.len() == 1 && self.weights[0].0 == centre
    }
}

/// The canonical shape: ArcFace's template, centred on its rigid points, unit eye distance.
fn canonical_shape() -> [(f64, f64); 5] {
    let t = Template::Arcface112V1.normalised();
    let (cx, cy) = RIGID
        .iter()
        .fold((0.0, 0.0), |(x, y), &i| (x + t[i].0, y + t[i].1));
    let (cx, cy) = (cx / RIGID.len() as f64, cy / RIGID.len() as f64);
    let iod = (t[1].0 - t[0].0).hypot(t[1].1 - t[0].1);
    t.map(|(x, y)| ((x - cx) / iod, (y - cy) / iod))
}

/// The pose of `landmarks`: canonical shape → frame, fitted on the rigid points.
pub fn pose(landmarks: &Landmarks) -> Option<Similarity> {
    let shape = canonical_shape();
    let src = RIGID.map(|i| shape[i]);
    let dst = RIGID.map(|i| landmarks.0[i]);
    Similarity::estimate(&src, &dst)
}

/// `angle` wrapped into (−π, π].
pub fn wrap_angle(angle: f64) -> f64 {
    let tau = std::f64::consts::TAU;
    let w = angle - tau * (angle / tau).round();
    if w <= -std::f64::consts::PI {
        w + tau
    } else {
        w
    }
}

/// A track's face at the centre frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Smoothed {
    /// Smoothed box, score and landmarks.
    pub face: FoundFace,
    /// The smoothed pose (canonical shape → frame), rotation in (−π, π].
    pub parts: SimilarityParts,
    /// Whether the track has a detection at the centre (else the face is interpolated).
    pub observed: bool,
}

/// `track` smoothed at `centre` with a window of `radius` frames each side. `frames` must not
/// reach across a cut (pass the run [`super::cut::split_window`] gives). `None` when the track
/// does not cover the centre or no observation has a usable pose.
pub fn smooth_track(
    frames: &[FrameFaces],
    track: &Track,
    centre: usize,
    radius: usize,
) -> Option<Smoothed> {
    let face = |j: usize| -> Option<&FoundFace> { frames.get(j)?.as_ref()?.get(track.members[j]?) };
    let mut obs: Vec<(usize, &FoundFace, Similarity)> = Vec::new();
    for (j, _) in track.observations() {
        if j.abs_diff(centre) <= radius {
            if let Some(f) = face(j) {
                if let Some(m) = pose(&f.landmarks).filter(|_| f.landmarks.is_finite()) {
                    obs.push((j, f, m));
                }
            }
        }
    }
    let present: Vec<usize> = obs.iter().map(|o| o.0).collect();
    let fit = LocalFit::new(&present, centre, radius)?;
    let observed = present.contains(&centre);
    if fit.is_only(centre) {
        let (_, f, m) = obs.iter().find(|o| o.0 == centre)?;
        return Some(Smoothed {
            face: (*f).clone(),
            parts: m.parts(),
            observed,
        });
    }
    let at = |j: usize| {
        obs.iter()
            .find(|o| o.0 == j)
            .expect("fit frames are observations")
    };
    // Unwrap rotations against the observation nearest the centre (earlier on ties).
    let nearest = obs
        .iter()
        .min_by_key(|o| o.0.abs_diff(centre))
        .expect("non-empty");
    let theta0 = nearest.2.rotation();
    let rotation = fit.apply(|j| theta0 + wrap_angle(at(j).2.rotation() - theta0));
    let log_scale = fit.apply(|j| at(j).2.scale().ln());
    let (tx, ty) = (fit.apply(|j| at(j).2.tx), fit.apply(|j| at(j).2.ty));
    let parts = SimilarityParts {
        rotation: wrap_angle(rotation),
        log_scale,
        tx,
        ty,
    };
    let m = Similarity::from_parts(parts);
    let points: [(f64, f64); 5] = std::array::from_fn(|i| {
        let res = |j: usize| {
            let (_, f, pose) = at(j);
            pose.inverse().apply(f.landmarks.0[i])
        };
        m.apply((fit.apply(|j| res(j).0), fit.apply(|j| res(j).1)))
    });
    let bbox: [f32; 4] = std::array::from_fn(|c| fit.apply(|j| f64::from(at(j).1.bbox[c])) as f32);
    let score = fit.apply(|j| f64::from(at(j).1.score)) as f32;
    Some(Smoothed {
        face: FoundFace {
            bbox,
            score,
            landmarks: Landmarks::new(points),
        },
        parts,
        observed,
    })
}

/// Any per-frame vector quantity of a track (colour-match statistics, an embedding) fitted at
/// `centre` like the geometry: `samples[j]` for the frames that have one, all of the centre's
/// length (or the first sample's when the centre has none; other lengths are left out).
pub fn smooth_values(samples: &[Option<&[f64]>], centre: usize, radius: usize) -> Option<Vec<f64>> {
    let len = samples
        .get(centre)
        .copied()
        .flatten()
        .or_else(|| samples.iter().flatten().next().copied())?
        .len();
    let present: Vec<usize> = (0..samples.len())
        .filter(|&j| samples[j].is_some_and(|s| s.len() == len))
        .collect();
    let fit = LocalFit::new(&present, centre, radius)?;
    let value = |j: usize, i: usize| samples[j].expect("present")[i];
    Some((0..len).map(|i| fit.apply(|j| value(j, i))).collect())
}

/// The swap's weight (0..1) at `centre` for `track`: a linear ramp over `ramp` frames after
/// the track's start and before its end (the first observed frame gets 1/(ramp + 1)), so the
/// swap fades instead of popping. Only real ends fade: `span` is the range of frames that
/// exist around the centre (the run within the radius), and an end is real only when at least
/// `confirm` frames of the span lie beyond it without the face (use the linker's max_gap + 1:
/// fewer could be a detector miss). A track reaching the edge of the window, a cut or the clip
/// does not fade there. For a seamless ramp keep `ramp + confirm ≤ radius`. 0 when the track
/// does not cover the centre.
pub fn fade(track: &Track, centre: usize, span: Range<usize>, ramp: usize, confirm: usize) -> f32 {
    if !track.covers(centre) {
        return 0.0;
    }
    let (first, last) = (track.first(), track.last());
    let step = |d: usize| ((d + 1) as f32 / (ramp + 1) as f32).min(1.0);
    let start = if first >= span.start + confirm.max(1) {
        step(centre - first)
    } else {
        1.0
    };
    let end = if last + confirm.max(1) < span.end {
        step(last - centre)
    } else {
        1.0
    };
    start.min(end)
}
