//! Unit tests of the Face Blend pipeline, each a property a compositor relies on: shared
//! fixtures, invariance and compositing here; colour matching and seams, mask geometry, and bad
//! inputs in the submodules.

mod errors;
mod geometry;
mod matching;

use super::*;
use crate::colour::linear_to_lab;
use crate::quality::{
    colour_mismatch, delta_e76_mean, seam_step, synthetic_plate, Mismatch, SEAM_REACH_PX,
};

const MATCHES: [ColourMatch; 4] = [
    ColourMatch::None,
    ColourMatch::Reinhard,
    ColourMatch::Linear,
    ColourMatch::Histogram,
];

fn with_alpha(frame: &Frame, alpha: impl Fn(usize, usize) -> f32) -> Frame {
    let mut out = frame.clone();
    for y in 0..out.height() {
        for (x, p) in out.row_mut(y).iter_mut().enumerate() {
            p[3] = alpha(x, y);
        }
    }
    out
}

/// Disc coverage of pixel square [x, x+1) × [y, y+1), by 16×16 supersampling near the edge: an
/// independent ground truth for the box-filter anti-aliasing the pipeline models.
fn disc(cx: f32, cy: f32, r: f32) -> impl Fn(usize, usize) -> f32 {
    move |x, y| {
        let inside = |px: f32, py: f32| (px - cx).powi(2) + (py - cy).powi(2) < r * r;
        let d = ((x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2)).sqrt();
        if (d - r).abs() > 1.0 {
            return if d < r { 1.0 } else { 0.0 };
        }
        let hits = (0..256)
            .filter(|k| {
                inside(
                    x as f32 + (k % 16) as f32 / 16.0 + 1.0 / 32.0,
                    y as f32 + (k / 16) as f32 / 16.0 + 1.0 / 32.0,
                )
            })
            .count();
        hits as f32 / 256.0
    }
}

fn max_diff(a: &Frame, b: &Frame) -> f32 {
    a.pixels()
        .iter()
        .zip(b.pixels())
        .flat_map(|(p, q)| (0..4).map(move |c| (p[c] - q[c]).abs()))
        .fold(0.0, f32::max)
}

fn mask_of(source: &Frame, face: &Frame, matte: Option<&Frame>, s: BlendSettings) -> Frame {
    blend(
        source,
        face,
        matte,
        &BlendSettings {
            output: BlendOutput::MaskOnly,
            ..s
        },
    )
    .unwrap()
}

fn area(mask: &Frame) -> f64 {
    mask.pixels().iter().map(|p| f64::from(p[3])).sum()
}

/// RGB of the pixels where `mask` is fully on.
fn inside(frame: &Frame, mask: &Frame) -> Vec<[f64; 3]> {
    frame
        .pixels()
        .iter()
        .zip(mask.pixels())
        .filter(|(_, m)| m[3] == 1.0)
        .map(|(p, _)| [0, 1, 2].map(|c| f64::from(p[c])))
        .collect()
}

fn mean_cov(v: &[[f64; 3]]) -> ([f64; 3], [[f64; 3]; 3]) {
    let n = v.len() as f64;
    let m = [0, 1, 2].map(|c| v.iter().map(|p| p[c]).sum::<f64>() / n);
    let cov = [0, 1, 2].map(|i| {
        [0, 1, 2].map(|j| v.iter().map(|p| (p[i] - m[i]) * (p[j] - m[j])).sum::<f64>() / n)
    });
    (m, cov)
}

#[test]
fn no_op_when_face_equals_source_in_every_mode() {
    let src = with_alpha(&synthetic_plate(96, 80, 1), |_, _| 1.0);
    let face = with_alpha(&src, disc(40.0, 42.0, 25.0));
    let matte = with_alpha(&src, disc(55.0, 38.0, 20.0));
    let ellipse = Ellipse {
        centre: (48.0, 40.0),
        radii: (30.0, 22.0),
        angle_deg: 20.0,
    };
    for mask in [
        MaskSource::FaceAlpha,
        MaskSource::Matte,
        MaskSource::Ellipse(ellipse),
    ] {
        for colour_match in MATCHES {
            for seamless in [false, true] {
                for colour_space in [ColourSpace::Linear, ColourSpace::Srgb] {
                    for (erode_px, feather_px) in [(0.0, 0.0), (-2.0, 6.0), (3.5, 20.0)] {
                        let s = BlendSettings {
                            mask,
                            colour_match,
                            seamless,
                            colour_space,
                            erode_px,
                            feather_px,
                            ..Default::default()
                        };
                        let out = blend(&src, &face, Some(&matte), &s).unwrap();
                        let d = max_diff(&out, &src);
                        assert!(d <= 1e-6, "{s:?}: differs by {d}");
                    }
                }
            }
        }
    }
}

#[test]
fn source_alpha_is_kept_and_unmasked_pixels_are_bit_identical() {
    // HDR and negative values, varying alpha.
    let src = Frame::from_fn(120, 90, |x, y| {
        [
            x as f32 / 20.0 - 0.5,
            0.3 + y as f32 / 30.0,
            0.5,
            x as f32 / 119.0,
        ]
    });
    let face = colour_mismatch(&src, &Mismatch::GRADED);
    let e = Ellipse {
        centre: (60.0, 45.0),
        radii: (25.0, 18.0),
        angle_deg: -15.0,
    };
    let s = BlendSettings {
        mask: MaskSource::Ellipse(e),
        erode_px: 3.0,
        feather_px: 10.0,
        colour_match: ColourMatch::Reinhard,
        seamless: true,
        mix: 0.8,
        colour_space: ColourSpace::Srgb,
        ..Default::default()
    };
    let out = blend(&src, &face, None, &s).unwrap();
    let mask = mask_of(&src, &face, None, s);
    let (mut untouched, mut changed) = (0, 0);
    for ((o, i), m) in out.pixels().iter().zip(src.pixels()).zip(mask.pixels()) {
        assert_eq!(o[3].to_bits(), i[3].to_bits(), "alpha changed");
        if m[3] == 0.0 {
            assert_eq!(o.map(f32::to_bits), i.map(f32::to_bits));
            untouched += 1;
        } else if o != i {
            changed += 1;
        }
    }
    assert!(
        untouched > 1000 && changed > 1000,
        "{untouched} untouched, {changed} changed"
    );
}

#[test]
fn hdr_values_are_not_clamped() {
    let src = Frame::filled(32, 32, [4.0, 0.5, -0.25, 1.0]);
    let face = with_alpha(
        &Frame::filled(32, 32, [12.0, 2.0, -1.0, 0.0]),
        disc(16.0, 16.0, 8.0),
    );
    let out = blend(&src, &face, None, &BlendSettings::default()).unwrap();
    assert_eq!(out.pixel(16, 16), [12.0, 2.0, -1.0, 1.0]);
    assert_eq!(out.pixel(0, 0), [4.0, 0.5, -0.25, 1.0]);
}

#[test]
fn face_only_over_source_gives_composite_and_mask_only_is_the_weight() {
    let src = synthetic_plate(80, 64, 9);
    let face = with_alpha(
        &colour_mismatch(&src, &Mismatch::STRONG),
        disc(40.0, 30.0, 20.0),
    );
    let s = BlendSettings {
        feather_px: 8.0,
        mix: 0.6,
        colour_match: ColourMatch::Linear,
        colour_space: ColourSpace::Srgb,
        ..Default::default()
    };
    let comp = blend(&src, &face, None, &s).unwrap();
    let fg = blend(
        &src,
        &face,
        None,
        &BlendSettings {
            output: BlendOutput::FaceOnly,
            ..s
        },
    )
    .unwrap();
    let mask = mask_of(&src, &face, None, s);
    let full = mask_of(&src, &face, None, BlendSettings { mix: 1.0, ..s });
    for i in 0..src.pixels().len() {
        let (c, f, b, m) = (
            comp.pixels()[i],
            fg.pixels()[i],
            src.pixels()[i],
            mask.pixels()[i],
        );
        for k in 0..3 {
            assert!((f[k] + b[k] * (1.0 - f[3]) - c[k]).abs() < 1e-5);
            assert_eq!(m[k], m[3]);
        }
        assert!((m[3] - 0.6 * full.pixels()[i][3]).abs() < 1e-6);
        assert_eq!(f[3], m[3]);
    }
}

#[test]
fn blend_into_reuses_any_frame_and_matches_blend() {
    let src = synthetic_plate(90, 70, 4);
    let face = with_alpha(
        &colour_mismatch(&src, &Mismatch::GRADED),
        disc(45.0, 35.0, 20.0),
    );
    let mut out = Frame::filled(3, 5, [9.0; 4]);
    for output in [
        BlendOutput::Composite,
        BlendOutput::FaceOnly,
        BlendOutput::MaskOnly,
        BlendOutput::Composite,
    ] {
        let s = BlendSettings {
            feather_px: 6.0,
            colour_match: ColourMatch::Reinhard,
            colour_space: ColourSpace::Srgb,
            seamless: output != BlendOutput::MaskOnly,
            output,
            ..Default::default()
        };
        blend_into(&src, &face, None, &s, &mut out).unwrap();
        assert!(out == blend(&src, &face, None, &s).unwrap(), "{output:?}");
    }
    // Errors leave the frame as it was, before and after the mask is built.
    let before = out.clone();
    let bad = BlendSettings {
        mix: f32::NAN,
        ..Default::default()
    };
    assert!(blend_into(&src, &face, None, &bad, &mut out).is_err());
    let mut nan_face = face.clone();
    nan_face.set_pixel(45, 35, [f32::NAN, 0.0, 0.0, 1.0]);
    let err = blend_into(&src, &nan_face, None, &BlendSettings::default(), &mut out);
    assert!(matches!(
        err,
        Err(BlendError::NonFinite { clip: "Face", .. })
    ));
    assert!(out == before);
}
