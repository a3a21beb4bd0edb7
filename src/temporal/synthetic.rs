//! Test material: synthetic clips with known motion (quality.md: 1920×1080 canvas, IOD 90 px,
//! 72 frames), detector output with landmark noise calibrated to CenterFace's raw jitter, scene
//! frames for the cut signatures, and rendering through the whole temporal path as an effect
//! would (window t − k − 1 … t + k + 1 through an analysis cache).

use std::ops::Range;
use std::sync::Arc;

use super::*;
use crate::face::test_rng::Rng;
use crate::face::{Landmarks, Template};
use crate::quality::synthetic_plate;
use crate::swap::select::FaceSelection;
use crate::swap::FoundFace;
use crate::Frame;

type Point = (f64, f64);

pub(super) const FRAMES: usize = 72;
pub(super) const IOD: f64 = 90.0;
pub(super) const PAN_DIR: (f64, f64) = (1.0, 0.3);
pub(super) const CANVAS_CENTRE: (f64, f64) = (960.0, 540.0);
/// The signature's view of the canvas: 160×90, 12 canvas px per pixel.
const VIEW: (usize, usize, f64) = (160, 90, 12.0);

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Motion {
    Still,
    /// px/frame along `PAN_DIR`.
    Pan(f64),
    /// Relative scale change per frame about the canvas centre.
    Zoom(f64),
}

/// i.i.d. Gaussian σ per coordinate giving a raw J2 of `j2` %IOD: J2 = σ·√(3π) / IOD × 100.
pub(super) fn sigma_for(j2: f64) -> f64 {
    j2 * IOD / 100.0 / (3.0 * std::f64::consts::PI).sqrt()
}

pub(super) struct Clip {
    pub motion: Motion,
    pub sigma: f64,
    /// Amplitude of a period-6 oscillation added to the white noise (stress model), px.
    pub sine: f64,
    pub seed: u64,
    /// First frame of the second shot.
    pub cut: Option<usize>,
    /// Frames where the detector misses the face.
    pub missing: Vec<usize>,
    /// Frames where the face is in view.
    pub present: Range<usize>,
    plates: [Frame; 2],
}

fn gauss(rng: &mut Rng) -> f64 {
    let (u1, u2) = (1.0 - rng.unit(), rng.unit());
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

impl Clip {
    pub fn new(motion: Motion, raw_j2: f64, seed: u64) -> Clip {
        Clip {
            motion,
            sigma: sigma_for(raw_j2),
            sine: 0.0,
            seed,
            cut: None,
            missing: Vec::new(),
            present: 0..FRAMES,
            plates: [
                synthetic_plate(240, 135, seed),
                synthetic_plate(240, 135, seed + 1),
            ],
        }
    }

    pub fn shot(&self, t: usize) -> usize {
        usize::from(self.cut.is_some_and(|c| t >= c))
    }

    /// Where canvas point `p` of frame 0 is at frame t.
    fn moved(&self, p: (f64, f64), t: usize) -> (f64, f64) {
        let t = t as f64;
        match self.motion {
            Motion::Still => p,
            Motion::Pan(v) => {
                let n = PAN_DIR.0.hypot(PAN_DIR.1);
                (p.0 + v * t * PAN_DIR.0 / n, p.1 + v * t * PAN_DIR.1 / n)
            }
            Motion::Zoom(z) => {
                let s = (1.0 + z).powf(t);
                let c = CANVAS_CENTRE;
                (c.0 + s * (p.0 - c.0), c.1 + s * (p.1 - c.1))
            }
        }
    }

    /// The true landmarks and box corners (x0, y0, x1, y1) at frame t.
    pub fn truth(&self, t: usize) -> ([Point; 5], [Point; 2]) {
        let (centre, iod) = [((800.0, 450.0), IOD), ((1300.0, 380.0), 110.0)][self.shot(t)];
        let tpl = Template::Arcface112V1.normalised();
        let s = iod / (tpl[1].0 - tpl[0].0);
        let lm =
            tpl.map(|(u, v)| self.moved((centre.0 + s * (u - 0.5), centre.1 + s * (v - 0.5)), t));
        let half = (1.0 * iod, 1.2 * iod);
        let corners = [(-1.0, -1.0), (1.0, 1.0)]
            .map(|(a, b)| self.moved((centre.0 + a * half.0, centre.1 + b * half.1), t));
        (lm, corners)
    }

    /// The detector's output at frame t: the truth plus noise that depends only on (seed, t).
    pub fn detect(&self, t: usize) -> Vec<FoundFace> {
        if !self.present.contains(&t) || self.missing.contains(&t) {
            return Vec::new();
        }
        let (lm, corners) = self.truth(t);
        let mut phases = Rng::new(self.seed ^ 0x5151);
        let mut rng = Rng::new(self.seed.wrapping_mul(1000).wrapping_add(t as u64));
        let omega = std::f64::consts::TAU / 6.0;
        let mut noise = || {
            let phase = phases.range(0.0, std::f64::consts::TAU);
            self.sigma * gauss(&mut rng) + self.sine * (omega * t as f64 + phase).sin()
        };
        let lm = lm.map(|(x, y)| (x + noise(), y + noise()));
        let b = corners.map(|(x, y)| (x + noise(), y + noise()));
        vec![FoundFace {
            bbox: [b[0].0, b[0].1, b[1].0, b[1].1].map(|v| v as f32),
            score: 0.9,
            landmarks: Landmarks::new(lm),
        }]
    }

    /// The frame as the signature sees it: the shot's plate moved like the face, noise 2/255.
    pub fn scene(&self, t: usize) -> Frame {
        let plate = &self.plates[self.shot(t)];
        let (w, h, step) = VIEW;
        let inverse = |p: (f64, f64)| match self.motion {
            Motion::Still => p,
            Motion::Pan(_) => {
                let o = self.moved((0.0, 0.0), t);
                (p.0 - o.0, p.1 - o.1)
            }
            Motion::Zoom(z) => {
                let s = (1.0 + z).powf(t as f64);
                let c = CANVAS_CENTRE;
                (c.0 + (p.0 - c.0) / s, c.1 + (p.1 - c.1) / s)
            }
        };
        let mut rng = Rng::new(self.seed ^ (t as u64) << 20);
        Frame::from_fn(w, h, |x, y| {
            let q = inverse(((x as f64 + 0.5) * step, (y as f64 + 0.5) * step));
            let (px, py) = (q.0 / 8.0 - 0.5, q.1 / 8.0 - 0.5);
            let (x0, y0) = (px.floor().clamp(0.0, 238.0), py.floor().clamp(0.0, 133.0));
            let (fx, fy) = ((px - x0).clamp(0.0, 1.0), (py - y0).clamp(0.0, 1.0));
            let at = |dx: usize, dy: usize| plate.pixel(x0 as usize + dx, y0 as usize + dy);
            let mut p = [0.0f32; 4];
            for (c, v) in p.iter_mut().enumerate().take(3) {
                let top = f64::from(at(0, 0)[c]) * (1.0 - fx) + f64::from(at(1, 0)[c]) * fx;
                let bot = f64::from(at(0, 1)[c]) * (1.0 - fx) + f64::from(at(1, 1)[c]) * fx;
                *v = (top * (1.0 - fy) + bot * fy + gauss(&mut rng) * 2.0 / 255.0) as f32;
            }
            p[3] = 1.0;
            p
        })
    }

    pub fn analyse(&self, t: usize) -> FrameAnalysis {
        FrameAnalysis {
            faces: self.detect(t),
            embeddings: Vec::new(),
            signature: Signature::of(&self.scene(t)),
            colour: Vec::new(),
        }
    }

    pub fn key(&self, t: usize) -> FrameKey {
        FrameKey::new(
            stable_hash(&self.seed),
            t as f64,
            stable_hash("test analysis v1"),
        )
    }
}

pub(super) type Cache = AnalysisCache<FrameKey, FrameAnalysis>;

/// The face at t, as an effect would render it: the window t−k−1 … t+k+1 through `cache`.
pub(super) fn render_at(
    clip: &Clip,
    t: usize,
    s: &TemporalSettings,
    cache: &Cache,
) -> Option<TemporalFace> {
    let k = s.radius as isize + 1;
    let frames: Vec<Option<Arc<FrameAnalysis>>> = (t as isize - k..=t as isize + k)
        .map(|j| {
            let j = usize::try_from(j).ok().filter(|&j| j < FRAMES)?;
            cache
                .get_or_compute(&clip.key(j), || Ok::<_, ()>(clip.analyse(j)))
                .ok()
        })
        .collect();
    let refs: Vec<Option<&FrameAnalysis>> = frames.iter().map(|f| f.as_deref()).collect();
    let window = Window {
        frames: &refs,
        centre: k as usize,
    };
    faces_at(&window, s, FaceSelection::Largest, None)
        .into_iter()
        .next()
}

pub(super) fn render(
    clip: &Clip,
    s: &TemporalSettings,
    cache: &Cache,
) -> Vec<Option<TemporalFace>> {
    (0..FRAMES).map(|t| render_at(clip, t, s, cache)).collect()
}

/// The J2 points of a face: 5 landmarks and 4 box corners.
pub(super) fn points(face: &FoundFace) -> Vec<(f64, f64)> {
    let b = face.bbox.map(f64::from);
    let mut p = face.landmarks.0.to_vec();
    p.extend([(b[0], b[1]), (b[2], b[1]), (b[2], b[3]), (b[0], b[3])]);
    p
}

pub(super) fn with_radius(radius: usize) -> TemporalSettings {
    TemporalSettings {
        radius,
        ..TemporalSettings::default()
    }
}
