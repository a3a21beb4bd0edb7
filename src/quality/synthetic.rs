//! The deterministic synthetic test material quality metrics are measured on: a skin-like plate
//! ([`synthetic_plate`]) and a colour/exposure mismatch ([`Mismatch`], [`colour_mismatch`]).
//! Re-exported from [`crate::quality`].

use crate::Frame;

/// A 64-bit mix (splitmix64 finaliser): the deterministic source of all synthetic randomness,
/// so every pixel depends only on (x, y, seed), whatever order pixels are generated in.
fn hash(mut v: u64) -> u64 {
    v = v.wrapping_add(0x9E37_79B9_7F4A_7C15);
    v = (v ^ (v >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    v = (v ^ (v >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    v ^ (v >> 31)
}

fn uniform(x: u64, y: u64, salt: u64) -> f64 {
    let h = hash(hash(hash(salt) ^ x) ^ y.rotate_left(32));
    ((h >> 11) as f64 + 0.5) / (1u64 << 53) as f64
}

/// Smooth value noise in [−1, 1] with lattice spacing `cell` pixels.
fn value_noise(x: f64, y: f64, cell: f64, salt: u64) -> f64 {
    let (fx, fy) = (x / cell, y / cell);
    let (ix, iy) = (fx.floor(), fy.floor());
    let (tx, ty) = (fx - ix, fy - iy);
    let s = |t: f64| t * t * (3.0 - 2.0 * t);
    let at = |dx: f64, dy: f64| {
        2.0 * uniform((ix + dx + 1e6) as u64, (iy + dy + 1e6) as u64, salt) - 1.0
    };
    let top = at(0.0, 0.0) + (at(1.0, 0.0) - at(0.0, 0.0)) * s(tx);
    let bottom = at(0.0, 1.0) + (at(1.0, 1.0) - at(0.0, 1.0)) * s(tx);
    top + (bottom - top) * s(ty)
}

/// A deterministic skin-like plate in display (sRGB-encoded) values, alpha 1: a warm skin tone
/// under soft lighting gradients, pore-scale texture and Gaussian noise σ = 2/255 (as in
/// quality.md's clips). The same `(w, h, seed)` always gives the same frame.
pub fn synthetic_plate(w: usize, h: usize, seed: u64) -> Frame {
    let base = [0.78, 0.58, 0.48];
    let salt = hash(seed);
    Frame::from_fn(w, h, |x, y| {
        let (xf, yf) = (x as f64, y as f64);
        // Lighting: broad gradients and a soft key light, about ±12%.
        let light = 1.0
            + 0.08 * value_noise(xf, yf, 190.0, salt ^ 1)
            + 0.05 * value_noise(xf, yf, 70.0, salt ^ 2);
        // Skin texture: blotches and pores, slightly redder in the blotches.
        let blotch = 0.025 * value_noise(xf, yf, 23.0, salt ^ 3);
        let pores = 0.015 * value_noise(xf, yf, 4.0, salt ^ 4);
        let mut p = [0.0f32; 4];
        for c in 0..3 {
            let (u1, u2) = (
                uniform(x as u64, y as u64, salt ^ (10 + c as u64)),
                uniform(x as u64, y as u64, salt ^ (20 + c as u64)),
            );
            let gauss = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
            let tint = [1.0, 0.6, 0.5][c];
            p[c] = (base[c] * light + blotch * tint + pores + gauss * 2.0 / 255.0) as f32;
        }
        p[3] = 1.0;
        p
    })
}

/// A colour/exposure mismatch like a differently graded and slightly differently lit face:
/// per channel v′ = (v·gain + offset)·(1 + exposure_tilt·(u − ½)), u = (x + ½)/width running
/// 0 → 1 across the frame. The tilt is the relative exposure difference between the frame's right
/// and left edges; it is what a global colour transfer cannot undo and a Poisson blend can.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mismatch {
    pub gain: [f32; 3],
    pub offset: [f32; 3],
    pub exposure_tilt: f32,
}

impl Mismatch {
    /// The seam-calibration mismatch: a warmer grade, lower contrast in blue, 2.3% exposure tilt.
    /// Mean ΔE76 against the plate ≈ 2.2.
    pub const GRADED: Mismatch = Mismatch {
        gain: [1.03, 0.99, 0.96],
        offset: [-0.01, 0.002, 0.012],
        exposure_tilt: 0.023,
    };
    /// A strong grade (mean ΔE76 ≈ 11.8, like quality.md's ΔE reference of 11.6) for
    /// colour-transfer tests.
    pub const STRONG: Mismatch = Mismatch {
        gain: [1.11, 0.98, 0.85],
        offset: [0.0, 0.008, 0.04],
        exposure_tilt: 0.05,
    };
}

/// `frame` with `mismatch` applied to RGB (alpha kept).
pub fn colour_mismatch(frame: &Frame, mismatch: &Mismatch) -> Frame {
    let w = frame.width().max(1) as f32;
    let mut out = frame.clone();
    for y in 0..out.height() {
        for (x, p) in out.row_mut(y).iter_mut().enumerate() {
            let exposure = 1.0 + mismatch.exposure_tilt * ((x as f32 + 0.5) / w - 0.5);
            for (c, v) in p.iter_mut().take(3).enumerate() {
                *v = (*v * mismatch.gain[c] + mismatch.offset[c]) * exposure;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_material_is_deterministic_and_skin_like() {
        let a = synthetic_plate(64, 48, 7);
        assert_eq!(a, synthetic_plate(64, 48, 7));
        assert_ne!(a, synthetic_plate(64, 48, 8));
        // A crop of a larger plate is the same pixels: nothing depends on generation order.
        assert_eq!(a.pixel(10, 20), synthetic_plate(200, 100, 7).pixel(10, 20));
        let n = a.pixels().len() as f32;
        let mean: Vec<f32> = (0..3)
            .map(|c| a.pixels().iter().map(|p| p[c]).sum::<f32>() / n)
            .collect();
        assert!(
            mean[0] > mean[1] && mean[1] > mean[2] && mean[2] > 0.3,
            "{mean:?}"
        );
        assert!(a
            .pixels()
            .iter()
            .all(|p| p[3] == 1.0 && p[..3].iter().all(|v| (0.0..1.0).contains(v))));
        let m = Mismatch {
            gain: [2.0, 1.0, 0.5],
            offset: [0.1, 0.0, -0.1],
            exposure_tilt: 0.0,
        };
        let b = colour_mismatch(&a, &m);
        let (p, q) = (a.pixel(3, 4), b.pixel(3, 4));
        assert_eq!(q, [p[0] * 2.0 + 0.1, p[1], p[2] * 0.5 - 0.1, p[3]]);
    }
}
