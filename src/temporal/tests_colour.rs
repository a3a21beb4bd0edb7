//! Colour-match statistics smoothed over the track: flicker removed, drift followed without
//! lag, no smoothing at radius 0, nothing carried across a cut.

use super::*;
use crate::blend::{ColourMatch, ColourStats};
use crate::colour::ColourSpace;
use crate::face::test_rng::Rng;
use crate::face::Landmarks;
use crate::quality::synthetic_plate;
use crate::swap::select::FaceSelection;
use crate::swap::FoundFace;
use crate::Frame;

const SPACE: ColourSpace = ColourSpace::Linear;
const FRAMES: usize = 48;
const RADIUS: usize = 6;

/// A face with eyes `iod` px apart around `centre`, its landmarks moved by `jitter`.
fn face(centre: (f64, f64), iod: f64, jitter: &mut dyn FnMut() -> f64) -> FoundFace {
    let (cx, cy) = centre;
    let points = [
        (-0.5, -0.3),
        (0.5, -0.3),
        (0.0, 0.2),
        (-0.4, 0.7),
        (0.4, 0.7),
    ];
    FoundFace {
        bbox: [
            (cx - iod) as f32,
            (cy - 1.2 * iod) as f32,
            (cx + iod) as f32,
            (cy + 1.3 * iod) as f32,
        ],
        score: 0.9,
        landmarks: Landmarks::new(
            points.map(|(u, v)| (cx + u * iod + jitter(), cy + v * iod + jitter())),
        ),
    }
}

/// One shot's frame: the skin plate times `gain`, plus per-pixel noise of `noise` (σ-ish).
fn frame(base: &Frame, gain: f64, noise: f64, rng: &mut Rng) -> Frame {
    let mut out = base.clone();
    for p in out.pixels_mut() {
        for v in p.iter_mut().take(3) {
            *v = (f64::from(*v) * gain + noise * (rng.unit() + rng.unit() - 1.0)) as f32;
        }
    }
    out
}

/// A clip: frames, and their analyses (one face each, with its region statistics).
struct Clip {
    frames: Vec<Frame>,
    analyses: Vec<FrameAnalysis>,
}

impl Clip {
    /// `gain(t)` the plate's brightness, `shot(t)` which shot frame t belongs to (a different
    /// cut signature each), `jitter` the detector's landmark noise in px.
    fn new(
        gain: impl Fn(usize) -> f64,
        shot: impl Fn(usize) -> usize,
        noise: f64,
        jitter: f64,
    ) -> Clip {
        let base = synthetic_plate(240, 180, 5);
        let mut rng = Rng::new(0xC0105);
        let mut frames = Vec::new();
        let mut analyses = Vec::new();
        for t in 0..FRAMES {
            let f = frame(&base, gain(t), noise, &mut rng);
            let found = face((120.0, 90.0), 50.0, &mut || rng.range(-jitter, jitter));
            let look = Frame::filled(32, 18, [0.2 + 0.5 * shot(t) as f32, 0.3, 0.4, 1.0]);
            analyses.push(FrameAnalysis {
                colour: vec![face_colour_stats(&f, SPACE, &found)],
                faces: vec![found],
                embeddings: Vec::new(),
                signature: Signature::of(&look),
            });
            frames.push(f);
        }
        Clip { frames, analyses }
    }

    /// The face chosen at t through the window t − k − 1 … t + k + 1.
    fn at(&self, t: usize, radius: usize) -> TemporalFace {
        let k = radius as isize + 1;
        let refs: Vec<Option<&FrameAnalysis>> = (t as isize - k..=t as isize + k)
            .map(|j| usize::try_from(j).ok().and_then(|j| self.analyses.get(j)))
            .collect();
        let window = Window {
            frames: &refs,
            centre: k as usize,
        };
        let settings = TemporalSettings {
            radius,
            ..TemporalSettings::default()
        };
        let mut faces = faces_at(&window, &settings, FaceSelection::Largest, None);
        assert_eq!(faces.len(), 1, "one face at {t}");
        faces.remove(0)
    }

    /// The region statistics of frame t measured on its own detection.
    fn raw(&self, t: usize) -> ColourStats {
        self.analyses[t].colour[0].expect("measured")
    }
}

fn std_dev(values: &[f64]) -> f64 {
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64).sqrt()
}

#[test]
fn flicker_under_the_face_is_smoothed_out_of_the_match_target() {
    // ±4% brightness flicker, grain and ±0.5 px landmark jitter, every frame independent.
    let mut rng = Rng::new(0xF11C);
    let gains: Vec<f64> = (0..FRAMES).map(|_| 1.0 + rng.range(-0.04, 0.04)).collect();
    let clip = Clip::new(|t| gains[t], |_| 0, 0.02, 0.5);
    // The paste mask's statistics stand in as the face box's (another region than the one the
    // correction is measured on).
    let (mut raw, mut corrected) = (Vec::new(), Vec::new());
    for t in RADIUS..FRAMES - RADIUS {
        let f = clip.at(t, RADIUS);
        let b = f.face.bbox.map(|v| v as usize);
        let boxed = (b[1]..b[3]).flat_map(|y| (b[0]..b[2]).map(move |x| (x, y, 1.0)));
        let mask = ColourStats::measure(&clip.frames[t], SPACE, boxed).unwrap();
        let fix = colour_target(&clip.frames[t], SPACE, &f.face, f.colour.as_ref()).unwrap();
        let (lab, _) = fix.moments(ColourMatch::Reinhard, mask.lab_mean, mask.linear_cov);
        let (linear, _) = fix.moments(ColourMatch::Linear, mask.linear_mean, mask.linear_cov);
        let encoded = fix.quantile(1, mask.encoded_mean[1] as f32);
        raw.push([mask.lab_mean[0], mask.linear_mean[1], mask.encoded_mean[1]]);
        corrected.push([lab[0], linear[1], f64::from(encoded)]);
    }
    for (c, name) in ["L (Reinhard)", "linear G (Linear)", "G (Histogram)"]
        .iter()
        .enumerate()
    {
        let raw: Vec<f64> = raw.iter().map(|v| v[c]).collect();
        let fixed: Vec<f64> = corrected.iter().map(|v| v[c]).collect();
        let (r, s) = (std_dev(&raw), std_dev(&fixed));
        println!("{name}: target std over t {r:.5} per frame, {s:.5} smoothed");
        assert!(s <= 0.5 * r, "{name}: {s} vs {r}");
        // Unbiased: the corrected target stays at the paste region's own level.
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        assert!((mean(&fixed) - mean(&raw)).abs() < 0.2 * r, "{name} moved");
    }
}

#[test]
fn a_brightness_drift_is_followed_without_lag_to_the_clip_ends() {
    let clip = Clip::new(|t| 0.8 + 0.01 * t as f64, |_| 0, 0.0, 0.0);
    for t in 0..FRAMES {
        let smoothed = clip.at(t, RADIUS).colour.expect("statistics");
        let raw = clip.raw(t);
        for c in 0..3 {
            let rel = |a: f64, b: f64| (a - b).abs() / b.abs();
            assert!(
                rel(smoothed.linear_mean[c], raw.linear_mean[c]) < 1e-6,
                "{t}"
            );
            assert!(
                rel(smoothed.encoded_std[c], raw.encoded_std[c]) < 1e-6,
                "{t}"
            );
            // LAB is not linear in brightness: only the curvature's tiny bias is left.
            assert!((smoothed.lab_mean[c] - raw.lab_mean[c]).abs() < 0.01, "{t}");
        }
    }
    // What the tolerance rules out: a plain mean over the window lags by 3 frames at the start.
    let mean: f64 = (0..=RADIUS)
        .map(|j| clip.raw(j).linear_mean[0])
        .sum::<f64>()
        / 7.0;
    assert!((mean - clip.raw(0).linear_mean[0]).abs() > 1e-2 * clip.raw(0).linear_mean[0]);
}

#[test]
fn radius_zero_keeps_each_frames_own_statistics() {
    let mut rng = Rng::new(7);
    let gains: Vec<f64> = (0..FRAMES).map(|_| 1.0 + rng.range(-0.04, 0.04)).collect();
    let clip = Clip::new(|t| gains[t], |_| 0, 0.02, 0.5);
    for t in 0..FRAMES {
        let f = clip.at(t, 0);
        assert_eq!(f.colour, Some(clip.raw(t)));
        let fix = colour_target(&clip.frames[t], SPACE, &f.face, f.colour.as_ref());
        assert_eq!(
            fix, None,
            "no correction: the paste is the per-frame one, bit for bit"
        );
        // With smoothing the correction does something.
        let f = clip.at(t, RADIUS);
        assert!(colour_target(&clip.frames[t], SPACE, &f.face, f.colour.as_ref()).is_some());
    }
}

#[test]
fn statistics_are_not_carried_across_a_cut() {
    // Same face, same place, a much brighter second shot from frame 24.
    let cut = 24;
    let clip = Clip::new(
        |t| if t < cut { 0.6 } else { 1.0 },
        |t| usize::from(t >= cut),
        0.0,
        0.0,
    );
    for t in cut - RADIUS..cut + RADIUS {
        let smoothed = clip.at(t, RADIUS).colour.expect("statistics");
        let raw = clip.raw(t);
        for c in 0..3 {
            assert!((smoothed.lab_mean[c] - raw.lab_mean[c]).abs() < 1e-6, "{t}");
        }
    }
    // The shots do differ: mixing them would show.
    assert!((clip.raw(cut).lab_mean[0] - clip.raw(cut - 1).lab_mean[0]).abs() > 5.0);
}
