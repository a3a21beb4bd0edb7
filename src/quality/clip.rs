//! quality.md's synthetic clips: a face photo moving with exactly known sub-pixel motion over a
//! textured canvas, fresh Gaussian noise every frame, optional hard cuts.
//!
//! A [`SyntheticClip`] is a list of [`Shot`]s. In each shot the photo is placed on the shot's
//! background by a similarity ([`SyntheticClip::placement`]): uniform scale about the photo's
//! face centre, which sits at [`Shot::face_at`] on the canvas at the shot's first frame and then
//! follows the shot's [`Motion`]. A frame is rendered by inverse mapping every canvas pixel
//! centre into the photo and sampling it bilinearly (so sub-pixel motion is exact), blended over
//! the background by the photo's coverage (a one-pixel linear ramp at its edges), plus Gaussian
//! noise of σ = [`SyntheticClip::noise`] per pixel and channel (hashed into a table of 65536
//! normal quantiles), seeded by (clip seed, frame, pixel): the same clip always gives the same
//! frame, in any order.

use std::sync::Arc;

use crate::face::Similarity;
use crate::Frame;

/// How the face moves within a shot, from the shot's first frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Motion {
    Still,
    /// `speed` canvas pixels per frame along `direction` (any length; normalised).
    Pan {
        speed: f64,
        direction: (f64, f64),
    },
    /// The photo's scale multiplied by `1 + rate` each frame, about the face centre.
    Zoom {
        rate: f64,
    },
}

impl Motion {
    /// The face centre's offset from its start and the scale factor, `frames` into the shot.
    fn at(&self, frames: f64) -> ((f64, f64), f64) {
        match *self {
            Motion::Still => ((0.0, 0.0), 1.0),
            Motion::Pan { speed, direction } => {
                let n = direction.0.hypot(direction.1);
                let d = speed * frames / n;
                ((direction.0 * d, direction.1 * d), 1.0)
            }
            Motion::Zoom { rate } => ((0.0, 0.0), (1.0 + rate).powf(frames)),
        }
    }
}

/// One shot: frames from `start` on (until the next shot's start).
#[derive(Debug, Clone)]
pub struct Shot {
    pub start: usize,
    /// The canvas (its size is the frame size).
    pub background: Arc<Frame>,
    /// Canvas position of the photo's face centre at the shot's first frame.
    pub face_at: (f64, f64),
    pub motion: Motion,
}

/// A face photo moving over textured canvases: see the module documentation.
#[derive(Debug, Clone)]
pub struct SyntheticClip {
    pub photo: Arc<Frame>,
    /// The face centre in the photo's coordinates (pixel centres at +0.5).
    pub face_centre: (f64, f64),
    /// Canvas pixels per photo pixel at each shot's first frame.
    pub scale: f64,
    /// In order of `start`; the first starts at frame 0.
    pub shots: Vec<Shot>,
    pub frames: usize,
    /// Per-pixel, per-channel Gaussian noise σ (values in 0..1), fresh every frame.
    pub noise: f64,
    pub seed: u64,
}

impl SyntheticClip {
    /// The shot frame `t` belongs to.
    pub fn shot(&self, t: usize) -> &Shot {
        self.shots
            .iter()
            .rev()
            .find(|s| s.start <= t)
            .unwrap_or(&self.shots[0])
    }

    /// The photo → canvas similarity at frame `t`.
    pub fn placement(&self, t: usize) -> Similarity {
        let shot = self.shot(t);
        let ((dx, dy), zoom) = shot.motion.at(t.saturating_sub(shot.start) as f64);
        let s = self.scale * zoom;
        let (cx, cy) = (shot.face_at.0 + dx, shot.face_at.1 + dy);
        Similarity::new(
            s,
            0.0,
            cx - s * self.face_centre.0,
            cy - s * self.face_centre.1,
        )
    }

    /// Where a photo point is on the canvas at frame `t`.
    pub fn photo_to_canvas(&self, t: usize, p: (f64, f64)) -> (f64, f64) {
        self.placement(t).apply(p)
    }

    /// Frame `t` (display-encoded RGB, alpha 1).
    pub fn frame(&self, t: usize) -> Frame {
        let shot = self.shot(t);
        let bg = &shot.background;
        let (w, h) = bg.size();
        let inv = self.placement(t).inverse();
        let photo = &*self.photo;
        let (pw, ph) = photo.size();
        let noise = self.noise as f32;
        let frame_seed = mix(mix(self.seed) ^ t as u64);
        let mut pixels = bg.pixels().to_vec();
        crate::blend::par::bands(&mut pixels, w.max(1), 64 * 1024, |first, band| {
            for (r, row) in band.chunks_mut(w).enumerate() {
                let y = first + r;
                let row_seed = mix(frame_seed ^ (y as u64).wrapping_mul(0x9E37_79B9));
                for (x, p) in row.iter_mut().enumerate() {
                    // The photo's index coordinates (pixel (i, j) at the integer point).
                    let (u, v) = inv.apply((x as f64 + 0.5, y as f64 + 0.5));
                    let (u, v) = (u - 0.5, v - 0.5);
                    let cover = coverage(u, pw) * coverage(v, ph);
                    if cover > 0.0 {
                        let q = bilinear(photo, u, v);
                        for c in 0..3 {
                            p[c] = p[c] * (1.0 - cover) + q[c] * cover;
                        }
                    }
                    if noise != 0.0 {
                        let g = gaussians(mix(row_seed ^ x as u64));
                        for c in 0..3 {
                            p[c] += noise * g[c];
                        }
                    }
                    p[3] = 1.0;
                }
            }
        });
        Frame::from_pixels(w, h, pixels).expect("w × h pixels")
    }
}

/// SplitMix64's finaliser.
fn mix(mut v: u64) -> u64 {
    v = v.wrapping_add(0x9E37_79B9_7F4A_7C15);
    v = (v ^ (v >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    v = (v ^ (v >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    v ^ (v >> 31)
}

/// Three independent standard normal values from a 64-bit seed: three 16-bit fields index a
/// table of the normal distribution's quantiles at (i + ½)/65536.
fn gaussians(seed: u64) -> [f32; 3] {
    static QUANTILES: std::sync::OnceLock<Vec<f32>> = std::sync::OnceLock::new();
    let table = QUANTILES.get_or_init(|| {
        (0..1usize << 16)
            .map(|i| inverse_normal((i as f64 + 0.5) / 65536.0) as f32)
            .collect()
    });
    [0, 16, 32].map(|shift| table[((seed >> shift) & 0xFFFF) as usize])
}

/// The standard normal quantile Φ⁻¹(p), 0 < p < 1 (Acklam's rational approximation, relative
/// error below 1.2e-9).
fn inverse_normal(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    const LOW: f64 = 0.024_25;
    if p < LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - LOW {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// How much of a point at index position `c` lies on an axis of `n` pixels: 1 on [0, n − 1],
/// ramping to 0 at −1 and n.
fn coverage(c: f64, n: usize) -> f32 {
    let k = (c + 1.0).min(n as f64 - c);
    k.clamp(0.0, 1.0) as f32
}

/// Bilinear sample at index position (u, v), edge pixels replicated.
fn bilinear(frame: &Frame, u: f64, v: f64) -> [f32; 3] {
    let (w, h) = frame.size();
    let tap = |x: f64, n: usize| {
        let x = x.clamp(0.0, (n - 1) as f64);
        let i = (x.floor() as usize).min(n - 1);
        (i, (i + 1).min(n - 1), (x - i as f64) as f32)
    };
    let (x0, x1, fx) = tap(u, w);
    let (y0, y1, fy) = tap(v, h);
    let (a, b, c, d) = (
        frame.pixel(x0, y0),
        frame.pixel(x1, y0),
        frame.pixel(x0, y1),
        frame.pixel(x1, y1),
    );
    let mut out = [0.0; 3];
    for k in 0..3 {
        let top = a[k] + (b[k] - a[k]) * fx;
        let bottom = c[k] + (d[k] - c[k]) * fx;
        out[k] = top + (bottom - top) * fy;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_quantiles_are_normal() {
        assert_eq!(inverse_normal(0.5), 0.0);
        assert!((inverse_normal(0.975) - 1.959_963_985).abs() < 1e-8);
        assert!((inverse_normal(0.001) + 3.090_232_306).abs() < 1e-8);
        let g: Vec<f32> = (0..20_000u64).flat_map(|i| gaussians(mix(i))).collect();
        let n = g.len() as f64;
        let mean = g.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        let var = g
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / n;
        assert!(
            mean.abs() < 0.02 && (var - 1.0).abs() < 0.03,
            "{mean} {var}"
        );
    }

    #[test]
    fn clips_move_exactly_and_are_deterministic() {
        let photo = Arc::new(Frame::from_fn(40, 40, |x, y| {
            [x as f32 / 40.0, y as f32 / 40.0, 0.5, 1.0]
        }));
        let bg = Arc::new(Frame::filled(120, 80, [0.2, 0.2, 0.2, 1.0]));
        let clip = SyntheticClip {
            photo,
            face_centre: (20.0, 20.0),
            scale: 1.0,
            shots: vec![Shot {
                start: 0,
                background: bg,
                face_at: (50.0, 40.0),
                motion: Motion::Pan {
                    speed: 2.0,
                    direction: (1.0, 0.0),
                },
            }],
            frames: 4,
            noise: 0.0,
            seed: 1,
        };
        let (f0, f1) = (clip.frame(0), clip.frame(1));
        // A 2 px pan: the same pixel two columns on.
        assert_eq!(f0.pixel(45, 40), f1.pixel(47, 40));
        assert_eq!(f0.pixel(5, 5), [0.2, 0.2, 0.2, 1.0]);
        let noisy = SyntheticClip {
            noise: 2.0 / 255.0,
            ..clip
        };
        assert_eq!(noisy.frame(2), noisy.frame(2));
        // Background pixels well left of the photo: the difference of two frames is noise alone.
        let (f2, f3) = (noisy.frame(2), noisy.frame(3));
        let d: Vec<f32> = (0..80)
            .flat_map(|y| (0..25).map(move |x| (x, y)))
            .map(|(x, y)| f2.pixel(x, y)[0] - f3.pixel(x, y)[0])
            .collect();
        let sd = (d.iter().map(|v| v * v).sum::<f32>() / d.len() as f32 / 2.0).sqrt();
        assert!((sd * 255.0 - 2.0).abs() < 0.2, "σ = {} / 255", sd * 255.0);
    }
}
