//! Colour encodings and spaces: the sRGB transfer function both ways, and linear RGB (sRGB/Rec.709
//! primaries, D65 white) ↔ CIE XYZ ↔ CIELAB, plus per-pixel helpers from a host [`ColourSpace`].
//!
//! Conventions:
//! - "linear" means scene-linear RGB with sRGB primaries and a D65 white, white = (1, 1, 1).
//! - XYZ is scaled so that Y of white is 1; CIELAB is relative to that white (D65), so linear
//!   (1, 1, 1) is exactly L* = 100, a* = b* = 0.
//! - The precise work is done in `f64`; the `f32` entry points round the `f64` result once, which
//!   makes them monotonic and accurate to about half an `f32` ulp.
//! - Values outside [0, 1] are legal (HDR plates, out-of-gamut colours) and never clamped:
//!   the sRGB transfer is odd-symmetric (f(−x) = −f(x), the scRGB/"extended sRGB" convention) and
//!   its power segment simply continues above 1; the CIELAB companding keeps its linear segment
//!   below zero and its cube root above 1. Both directions stay exact inverses everywhere.

use crate::Rgba;

/// How the pixel values handed to us are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ColourSpace {
    /// Scene-linear values (Nuke's default working space, ACEScg-like pipelines).
    #[default]
    Linear,
    /// Values encoded with the sRGB transfer function (display-referred plates, 8-bit sources).
    Srgb,
}

/// Linear value where the sRGB linear toe meets the power segment. IEC 61966-2-1 rounds it to
/// 0.0031308 (and 0.04045 on the encoded side), which leaves the two pieces 3e-8 apart and the
/// encode non-monotonic in `f32`; we use the exact intersection instead, so both directions are
/// continuous, strictly increasing and exact inverses. The two differ only inside a 1e-7 wide band.
pub const SRGB_LINEAR_KNEE: f64 = 0.003_130_668_442_500_634;
/// Encoded value at [`SRGB_LINEAR_KNEE`] (= 12.92 × the knee).
pub const SRGB_ENCODED_KNEE: f64 = 0.040_448_236_277_108_19;

/// sRGB encode (linear → display value), `f64`.
pub fn srgb_encode_f64(linear: f64) -> f64 {
    let a = linear.abs();
    let e = if a <= SRGB_LINEAR_KNEE {
        12.92 * a
    } else {
        1.055 * a.powf(1.0 / 2.4) - 0.055
    };
    e.copysign(linear)
}

/// sRGB decode (display value → linear), `f64`.
pub fn srgb_decode_f64(encoded: f64) -> f64 {
    let a = encoded.abs();
    let l = if a <= SRGB_ENCODED_KNEE {
        a / 12.92
    } else {
        ((a + 0.055) / 1.055).powf(2.4)
    };
    l.copysign(encoded)
}

/// sRGB encode (linear → display value).
pub fn srgb_encode(linear: f32) -> f32 {
    srgb_encode_f64(f64::from(linear)) as f32
}

/// sRGB decode (display value → linear).
pub fn srgb_decode(encoded: f32) -> f32 {
    srgb_decode_f64(f64::from(encoded)) as f32
}

/// Linear RGB (sRGB primaries, D65) → CIE XYZ, derived from the primaries' and white's
/// chromaticities (rows sum to the white point).
pub const LINEAR_TO_XYZ: [[f64; 3]; 3] = [
    [
        0.412_390_799_265_959_5,
        0.357_584_339_383_878,
        0.180_480_788_401_834_3,
    ],
    [
        0.212_639_005_871_510_36,
        0.715_168_678_767_755_9,
        0.072_192_315_360_733_71,
    ],
    [
        0.019_330_818_715_591_85,
        0.119_194_779_794_626,
        0.950_532_152_249_660_6,
    ],
];

/// CIE XYZ → linear RGB, the exact inverse of [`LINEAR_TO_XYZ`].
pub const XYZ_TO_LINEAR: [[f64; 3]; 3] = [
    [
        3.240_969_941_904_521,
        -1.537_383_177_570_093_5,
        -0.498_610_760_293_003_3,
    ],
    [
        -0.969_243_636_280_879_8,
        1.875_967_501_507_720_6,
        0.041_555_057_407_175_61,
    ],
    [
        0.055_630_079_696_993_61,
        -0.203_976_958_888_976_57,
        1.056_971_514_242_878_6,
    ],
];

/// XYZ of the reference white (D65, Y = 1): the image of linear (1, 1, 1).
pub const WHITE_XYZ: [f64; 3] = [0.950_455_927_051_671_7, 1.0, 1.089_057_750_759_878_4];

/// `m · v` for a 3×3 matrix.
pub fn mat3_mul_vec(m: &[[f64; 3]; 3], v: [f64; 3]) -> [f64; 3] {
    [
        m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
        m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
        m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
    ]
}

pub fn linear_to_xyz(rgb: [f64; 3]) -> [f64; 3] {
    mat3_mul_vec(&LINEAR_TO_XYZ, rgb)
}

pub fn xyz_to_linear(xyz: [f64; 3]) -> [f64; 3] {
    mat3_mul_vec(&XYZ_TO_LINEAR, xyz)
}

const LAB_DELTA: f64 = 6.0 / 29.0;

/// Cube root of a positive normal `t` to full f64 precision: a bit-level first guess (the
/// exponent divided by three, ~6% off) refined by three Halley steps (error cubed each time).
/// Several times faster than the soft-float `cbrt` Rust links on some targets.
fn cbrt_positive(t: f64) -> f64 {
    let mut y = f64::from_bits(t.to_bits() / 3 + 0x2A9F_7893_0000_0000);
    for _ in 0..3 {
        let y3 = y * y * y;
        y *= (y3 + 2.0 * t) / (2.0 * y3 + t);
    }
    y
}

/// CIELAB companding f(t): cube root above δ³, linear below (also for negative t).
fn lab_f(t: f64) -> f64 {
    if t > LAB_DELTA * LAB_DELTA * LAB_DELTA {
        if t.is_finite() {
            cbrt_positive(t)
        } else {
            t
        }
    } else {
        t / (3.0 * LAB_DELTA * LAB_DELTA) + 4.0 / 29.0
    }
}

fn lab_f_inv(u: f64) -> f64 {
    if u > LAB_DELTA {
        u * u * u
    } else {
        3.0 * LAB_DELTA * LAB_DELTA * (u - 4.0 / 29.0)
    }
}

/// CIE XYZ → CIELAB (L* in 0..100 for 0..white), relative to [`WHITE_XYZ`].
pub fn xyz_to_lab(xyz: [f64; 3]) -> [f64; 3] {
    let fx = lab_f(xyz[0] / WHITE_XYZ[0]);
    let fy = lab_f(xyz[1] / WHITE_XYZ[1]);
    let fz = lab_f(xyz[2] / WHITE_XYZ[2]);
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// CIELAB → CIE XYZ, the exact inverse of [`xyz_to_lab`].
pub fn lab_to_xyz(lab: [f64; 3]) -> [f64; 3] {
    let fy = (lab[0] + 16.0) / 116.0;
    let fx = fy + lab[1] / 500.0;
    let fz = fy - lab[2] / 200.0;
    [
        WHITE_XYZ[0] * lab_f_inv(fx),
        WHITE_XYZ[1] * lab_f_inv(fy),
        WHITE_XYZ[2] * lab_f_inv(fz),
    ]
}

pub fn linear_to_lab(rgb: [f64; 3]) -> [f64; 3] {
    xyz_to_lab(linear_to_xyz(rgb))
}

pub fn lab_to_linear(lab: [f64; 3]) -> [f64; 3] {
    xyz_to_linear(lab_to_xyz(lab))
}

impl ColourSpace {
    /// One encoded channel value → linear, `f64`.
    pub fn to_linear_f64(self, v: f64) -> f64 {
        match self {
            ColourSpace::Linear => v,
            ColourSpace::Srgb => srgb_decode_f64(v),
        }
    }

    /// One linear channel value → this encoding, `f64`.
    pub fn from_linear_f64(self, v: f64) -> f64 {
        match self {
            ColourSpace::Linear => v,
            ColourSpace::Srgb => srgb_encode_f64(v),
        }
    }

    pub fn to_linear(self, v: f32) -> f32 {
        match self {
            ColourSpace::Linear => v,
            ColourSpace::Srgb => srgb_decode(v),
        }
    }

    pub fn from_linear(self, v: f32) -> f32 {
        match self {
            ColourSpace::Linear => v,
            ColourSpace::Srgb => srgb_encode(v),
        }
    }

    /// RGB in this encoding → linear RGB in `f64`, ready for statistics.
    pub fn rgb_to_linear_f64(self, rgb: [f32; 3]) -> [f64; 3] {
        rgb.map(|c| self.to_linear_f64(f64::from(c)))
    }

    /// Linear RGB in `f64` → RGB in this encoding, rounded once to `f32`.
    pub fn rgb_from_linear_f64(self, rgb: [f64; 3]) -> [f32; 3] {
        rgb.map(|c| self.from_linear_f64(c) as f32)
    }

    /// A pixel in this encoding → linear; alpha is left as it is.
    pub fn pixel_to_linear(self, p: Rgba) -> Rgba {
        [
            self.to_linear(p[0]),
            self.to_linear(p[1]),
            self.to_linear(p[2]),
            p[3],
        ]
    }

    /// A linear pixel → this encoding; alpha is left as it is.
    pub fn pixel_from_linear(self, p: Rgba) -> Rgba {
        [
            self.from_linear(p[0]),
            self.from_linear(p[1]),
            self.from_linear(p[2]),
            p[3],
        ]
    }

    /// RGB in this encoding → CIELAB (D65).
    pub fn rgb_to_lab(self, rgb: [f32; 3]) -> [f64; 3] {
        linear_to_lab(self.rgb_to_linear_f64(rgb))
    }

    /// CIELAB (D65) → RGB in this encoding.
    pub fn rgb_from_lab(self, lab: [f64; 3]) -> [f32; 3] {
        self.rgb_from_linear_f64(lab_to_linear(lab))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srgb_matches_the_standard_away_from_the_knee() {
        // Reference values of the IEC 61966-2-1 formulas.
        for (lin, enc) in [
            (0.0, 0.0),
            (1.0, 1.0),
            (0.18, 0.461_356_1),
            (0.001, 0.012_92),
            (0.5, 0.735_356_6),
        ] {
            assert!((srgb_encode(lin) - enc).abs() < 1e-6, "encode {lin}");
            assert!((srgb_decode(enc) - lin).abs() < 1e-6, "decode {enc}");
        }
        // The knee is continuous: both pieces agree there.
        let power = 1.055 * SRGB_LINEAR_KNEE.powf(1.0 / 2.4) - 0.055;
        assert!((power - SRGB_ENCODED_KNEE).abs() < 1e-15);
    }

    #[test]
    fn srgb_round_trips_on_unit_range() {
        let mut worst = 0.0f32;
        for i in 0..=200_000 {
            let v = i as f32 / 200_000.0;
            worst = worst.max((srgb_encode(srgb_decode(v)) - v).abs());
            worst = worst.max((srgb_decode(srgb_encode(v)) - v).abs());
        }
        assert!(worst <= 1e-6, "worst round trip error {worst}");
    }

    #[test]
    fn srgb_is_monotonic_in_f32_including_the_knee() {
        // Consecutive f32 values around the knee on both sides, then a coarse sweep of [-2, 8].
        for (centre, f) in [
            (SRGB_LINEAR_KNEE as f32, srgb_encode as fn(f32) -> f32),
            (SRGB_ENCODED_KNEE as f32, srgb_decode as fn(f32) -> f32),
        ] {
            let mut prev = f32::NEG_INFINITY;
            let start = centre.to_bits() - 200_000;
            for bits in start..start + 400_000 {
                let y = f(f32::from_bits(bits));
                assert!(y >= prev, "not monotonic at {}", f32::from_bits(bits));
                prev = y;
            }
        }
        let (mut pe, mut pd) = (f32::NEG_INFINITY, f32::NEG_INFINITY);
        for i in -200_000..=800_000 {
            let v = i as f32 / 100_000.0;
            let (e, d) = (srgb_encode(v), srgb_decode(v));
            assert!(e >= pe && d >= pd, "not monotonic at {v}");
            (pe, pd) = (e, d);
        }
    }

    #[test]
    fn srgb_extends_to_negatives_by_symmetry_and_above_one() {
        for v in [0.002f32, 0.3, 1.0, 4.0] {
            assert_eq!(srgb_encode(-v), -srgb_encode(v));
            assert_eq!(srgb_decode(-v), -srgb_decode(v));
        }
        assert!(srgb_encode(4.0) > 1.0 && srgb_decode(2.0) > 4.0);
        assert!((srgb_decode(srgb_encode(16.0)) - 16.0).abs() < 1e-5);
    }

    #[test]
    fn lab_of_reference_colours() {
        let white = linear_to_lab([1.0; 3]);
        assert!((white[0] - 100.0).abs() < 1e-9 && white[1].abs() < 1e-9 && white[2].abs() < 1e-9);
        assert_eq!(linear_to_lab([0.0; 3]), [0.0; 3]);
        // 18% grey is L* ≈ 49.5 and neutral.
        let grey = linear_to_lab([0.18; 3]);
        assert!((grey[0] - 49.496).abs() < 0.01 && grey[1].abs() < 1e-9 && grey[2].abs() < 1e-9);
        // sRGB red (1, 0, 0): L* 53.24, a* 80.09, b* 67.20 (published D65 values).
        let red = linear_to_lab([1.0, 0.0, 0.0]);
        for (got, want) in red.iter().zip([53.24, 80.09, 67.20]) {
            assert!((got - want).abs() < 0.02, "{red:?}");
        }
    }

    #[test]
    fn fast_cube_root_is_exact_to_f64_precision() {
        let mut t = 0.008_856;
        while t < 1e12 {
            let (fast, reference) = (cbrt_positive(t), t.cbrt());
            assert!(
                (fast - reference).abs() <= 4.0 * f64::EPSILON * reference,
                "{t}: {fast} vs {reference}"
            );
            t *= 1.013;
        }
    }

    #[test]
    fn lab_and_xyz_round_trip_including_hdr_and_negative() {
        for rgb in [
            [0.2, 0.5, 0.9],
            [3.0, 0.01, -0.05],
            [-0.01, -0.2, 0.0],
            [1e-5, 2e-5, 0.0],
            [12.0, 12.0, 12.0],
        ] {
            let back = lab_to_linear(linear_to_lab(rgb));
            for c in 0..3 {
                assert!(
                    (back[c] - rgb[c]).abs() < 1e-12 * (1.0 + rgb[c].abs()),
                    "{rgb:?} -> {back:?}"
                );
            }
        }
        for c in 0..3 {
            let id = linear_to_xyz(xyz_to_linear([
                f64::from(c == 0),
                f64::from(c == 1),
                f64::from(c == 2),
            ]));
            for (k, v) in id.iter().enumerate() {
                assert!((v - f64::from(k == c)).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn colour_space_helpers_keep_alpha_and_invert() {
        let p = [0.25, 0.5, 1.5, 0.3];
        assert_eq!(ColourSpace::Linear.pixel_to_linear(p), p);
        let lin = ColourSpace::Srgb.pixel_to_linear(p);
        assert_eq!(lin[3], 0.3);
        assert!(lin[0] < 0.25 && lin[2] > 1.5);
        let back = ColourSpace::Srgb.pixel_from_linear(lin);
        for c in 0..4 {
            assert!((back[c] - p[c]).abs() < 1e-6);
        }
        let rgb = ColourSpace::Srgb.rgb_from_lab(ColourSpace::Srgb.rgb_to_lab([0.8, 0.6, 0.5]));
        for (a, b) in rgb.iter().zip([0.8, 0.6, 0.5]) {
            assert!((a - b).abs() < 1e-6);
        }
    }
}
