//! Whole Face Blends on the GPU, masks built there too (`super::blend_masks`), against the CPU
//! blend: every mask source (Face alpha, Matte, Ellipse) × erode and dilate × no and a large
//! feather × invert × seamless, and the same errors (or successes) on bad or empty inputs; the
//! masks alone, zero exactly where the CPU's are.

use super::blend::blend_towards;
use super::blend_masks::build;
use super::tests::{ellipse, gpu_or_skip, hash, max_diff};
use super::GpuFrame;
use crate::blend::gpu_twin::prepare;
use crate::blend::{BlendError, BlendOutput, BlendSettings, ColourMatch, ColourSpace, MaskSource};
use crate::quality::{colour_mismatch, synthetic_plate, Mismatch};
use crate::Frame;

/// The GPU path's promise. Measured on lavapipe (48 settings × 2 outputs): within 1.2e-6
/// without the seamless step, 2.2e-6 with it (Poisson tolerance 1e-6); the masks alone within
/// 4.8e-7, their zeros and supports exact.
const BOUND: f32 = 1e-4;

/// A soft noisy blob centred at (`cx`, `cy`) of radius `r`: exactly opaque inside, a noisy
/// 8 px edge overshooting [0, 1] (the masks clamp it), zero beyond.
fn blob(x: usize, y: usize, (cx, cy, r): (f32, f32, f32), salt: u64) -> f32 {
    let d = ((x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2) * 1.3).sqrt();
    let edge = (r - d) / 8.0;
    if edge >= 1.0 {
        1.0
    } else if edge <= 0.0 {
        0.0
    } else {
        edge * 1.3 - 0.15 + 0.3 * (hash(x, y, salt) - 0.5)
    }
}

/// A plate, a face graded away from it whose alpha is a blob, and a Matte (another blob, past
/// the frame's right edge) whose colours are NaN: the mask reads only its alpha.
fn scene(w: usize, h: usize) -> (Frame, Frame, Frame) {
    let plate = synthetic_plate(w, h, 7);
    let mut face = colour_mismatch(&synthetic_plate(w, h, 11), &Mismatch::STRONG);
    let face_blob = (w as f32 * 0.45, h as f32 * 0.5, h as f32 * 0.32);
    for y in 0..h {
        for (x, p) in face.row_mut(y).iter_mut().enumerate() {
            p[3] = blob(x, y, face_blob, 1);
        }
    }
    let matte_blob = (w as f32 * 0.85, h as f32 * 0.45, h as f32 * 0.35);
    let matte = Frame::from_fn(w, h, |x, y| {
        [f32::NAN, f32::NAN, f32::NAN, blob(x, y, matte_blob, 2)]
    });
    (plate, face, matte)
}

#[test]
fn whole_blends_match_the_cpu_for_every_mask_source() {
    let Some(gpu) = gpu_or_skip("whole_blends_match_the_cpu_for_every_mask_source") else {
        return;
    };
    let (w, h) = (160, 120);
    let (source, face, matte) = scene(w, h);
    let modes = [
        ColourMatch::Reinhard,
        ColourMatch::Linear,
        ColourMatch::Histogram,
        ColourMatch::None,
    ];
    let (mut plain, mut seamless_worst) = (0.0f32, 0.0f32);
    let mut case = 0;
    for (name, mask) in [
        ("Face alpha", MaskSource::FaceAlpha),
        ("Matte", MaskSource::Matte),
        ("Ellipse", ellipse(w, h)),
    ] {
        for erode_px in [-3.5, 4.25] {
            // None, and σ = 15 (the box filters).
            for feather_px in [0.0, 30.0] {
                for invert in [false, true] {
                    for seamless in [false, true] {
                        case += 1;
                        let base = BlendSettings {
                            mask,
                            erode_px,
                            feather_px,
                            invert,
                            seamless,
                            colour_match: modes[(case / 2) % modes.len()],
                            colour_space: if case % 3 == 0 {
                                ColourSpace::Srgb
                            } else {
                                ColourSpace::Linear
                            },
                            mix: if case % 5 == 0 { 0.6 } else { 1.0 },
                            ..Default::default()
                        };
                        let extra = if seamless {
                            BlendOutput::FaceOnly
                        } else {
                            BlendOutput::MaskOnly
                        };
                        for output in [BlendOutput::Composite, extra] {
                            let s = BlendSettings { output, ..base };
                            let what = format!(
                                "{name}, erode {erode_px}, feather {feather_px}, invert \
                                 {invert}, seamless {seamless}, {:?}, {output:?}",
                                s.colour_match
                            );
                            let cpu = crate::blend::blend(&source, &face, Some(&matte), &s)
                                .unwrap_or_else(|e| panic!("{what}: CPU {e}"));
                            let got = blend_towards(gpu, &source, &face, Some(&matte), &s, None)
                                .unwrap_or_else(|e| panic!("{what}: GPU {e}"));
                            let d = max_diff(&got, &cpu);
                            assert!(d <= BOUND, "{what}: off by {d}");
                            if output == BlendOutput::Composite {
                                assert!(max_diff(&cpu, &source) > 0.01, "{what}: too weak");
                            }
                            let worst = if seamless {
                                &mut seamless_worst
                            } else {
                                &mut plain
                            };
                            *worst = worst.max(d);
                        }
                    }
                }
            }
        }
    }
    eprintln!("whole blends, GPU masks: within {plain:.2e}, with seamless {seamless_worst:.2e}");
}

#[test]
fn the_gpu_blend_fails_and_succeeds_where_the_cpu_blend_does() {
    let Some(gpu) = gpu_or_skip("the_gpu_blend_fails_and_succeeds_where_the_cpu_blend_does") else {
        return;
    };
    let (w, h) = (96, 72);
    let (source, face, matte) = scene(w, h);
    let alpha = BlendSettings {
        feather_px: 6.0,
        colour_match: ColourMatch::Linear,
        ..Default::default()
    };
    let with_matte = BlendSettings {
        mask: MaskSource::Matte,
        ..alpha
    };
    let with_ellipse = BlendSettings {
        mask: ellipse(w, h),
        ..alpha
    };
    let edit = |frame: &Frame, at: &[(usize, usize, usize, f32)]| {
        let mut out = frame.clone();
        for &(x, y, c, v) in at {
            let mut p = out.pixel(x, y);
            p[c] = v;
            out.set_pixel(x, y, p);
        }
        out
    };
    let nan = f32::NAN;
    // Two bad alphas: the first in row-major order is reported.
    let bad_alpha = edit(&face, &[(50, 30, 3, nan), (3, 31, 3, f32::INFINITY)]);
    let bad_matte = edit(&matte, &[(10, 40, 3, f32::NEG_INFINITY)]);
    let clear = Frame::from_fn(w, h, |x, y| {
        let p = face.pixel(x, y);
        [p[0], p[1], p[2], 0.0]
    });
    // RGB inside the work rectangle (the blob's centre), and far outside it (a corner).
    let bad_source = edit(&source, &[(29, 24, 1, nan)]);
    let bad_both_rgb = edit(&face, &[(28, 24, 0, nan)]);
    let bad_corner = edit(&source, &[(0, 0, 2, nan)]);
    let small = Frame::new(8, 8);
    let empty = Frame::new(0, 0);
    let cases: Vec<(&str, &Frame, &Frame, Option<&Frame>, BlendSettings)> = vec![
        ("alpha NaN", &source, &bad_alpha, None, alpha),
        // The alpha is checked before the RGB (the source is bad too).
        ("alpha NaN first", &bad_source, &bad_alpha, None, alpha),
        ("matte inf", &source, &face, Some(&bad_matte), with_matte),
        (
            "face alpha NaN, ellipse mask",
            &source,
            &bad_alpha,
            None,
            with_ellipse,
        ),
        (
            "face alpha NaN, matte mask",
            &source,
            &bad_alpha,
            Some(&matte),
            with_matte,
        ),
        ("clear alpha", &source, &clear, None, alpha),
        (
            "clear alpha inverted",
            &source,
            &clear,
            None,
            BlendSettings {
                invert: true,
                ..alpha
            },
        ),
        (
            "eroded away",
            &source,
            &face,
            None,
            BlendSettings {
                erode_px: -40.0,
                ..alpha
            },
        ),
        ("no matte", &source, &face, None, with_matte),
        ("small matte", &source, &face, Some(&small), with_matte),
        ("small face", &source, &small, None, alpha),
        ("empty frames", &empty, &empty, None, alpha),
        (
            "NaN parameter",
            &source,
            &face,
            None,
            BlendSettings {
                erode_px: f32::INFINITY,
                ..alpha
            },
        ),
        ("source RGB NaN", &bad_source, &face, None, alpha),
        (
            "source and face RGB NaN",
            &bad_source,
            &bad_both_rgb,
            None,
            alpha,
        ),
        ("face RGB NaN", &source, &bad_both_rgb, None, alpha),
        (
            "source RGB NaN, mask only",
            &bad_source,
            &face,
            None,
            BlendSettings {
                output: BlendOutput::MaskOnly,
                ..alpha
            },
        ),
        ("source RGB NaN outside", &bad_corner, &face, None, alpha),
        (
            "matte mask only",
            &source,
            &face,
            Some(&matte),
            BlendSettings {
                output: BlendOutput::MaskOnly,
                ..with_matte
            },
        ),
    ];
    let mut failures = 0;
    for (what, source, face, matte, s) in cases {
        let cpu = crate::blend::blend(source, face, matte, &s);
        let got = blend_towards(gpu, source, face, matte, &s, None);
        match (&cpu, &got) {
            (Ok(cpu), Ok(got)) => {
                let d = max_diff(got, cpu);
                assert!(d <= BOUND, "{what}: off by {d}");
                // NaN pixels (max_diff skips them) where the CPU has them.
                for (p, q) in got.pixels().iter().zip(cpu.pixels()) {
                    for (a, b) in p.iter().zip(q) {
                        assert_eq!(a.is_nan(), b.is_nan(), "{what}: NaN where the CPU has none");
                    }
                }
            }
            _ => {
                assert_eq!(got.as_ref().err(), cpu.as_ref().err(), "{what}");
                failures += 1;
            }
        }
    }
    // Every failure above was meant: the list's errors, in the CPU's words.
    assert_eq!(failures, 13, "the cases that fail");
    let expected = BlendError::NonFinite {
        clip: "Face",
        x: 50,
        y: 30,
    };
    assert_eq!(
        blend_towards(gpu, &source, &bad_alpha, None, &alpha, None).err(),
        Some(expected),
        "the first non-finite alpha in row-major order"
    );
}

#[test]
fn the_masks_match_the_cpu_and_are_zero_exactly_where_its_are() {
    let Some(gpu) = gpu_or_skip("the_masks_match_the_cpu_and_are_zero_exactly_where_its_are")
    else {
        return;
    };
    let (w, h) = (160, 120);
    let (source, face, matte) = scene(w, h);
    let face_on_gpu = GpuFrame::upload(gpu, &face);
    let mut bound = 0.0f32;
    for mask in [MaskSource::FaceAlpha, MaskSource::Matte, ellipse(w, h)] {
        for erode_px in [-3.5, 0.0, 4.25] {
            // None, a sampled Gaussian (σ 2.5), boxes (σ 6 and 30).
            for feather_px in [0.0, 5.0, 12.0, 60.0] {
                for invert in [false, true] {
                    let s = BlendSettings {
                        mask,
                        erode_px,
                        feather_px,
                        invert,
                        ..Default::default()
                    };
                    let what = format!(
                        "{mask:?}, erode {erode_px}, feather {feather_px}, invert {invert}"
                    );
                    let want = prepare(&source, &face, Some(&matte), &s).expect("a valid scene");
                    let got = build(gpu, Some(&face_on_gpu), Some(&matte), &s, w, h)
                        .unwrap_or_else(|e| panic!("{what}: {e}"));
                    assert_eq!(
                        got.core_support,
                        want.core.support(),
                        "{what}: core support"
                    );
                    assert_eq!(got.support, want.fin.support(), "{what}: support");
                    for (name, plane, cpu) in [
                        ("core", &got.core, &want.core),
                        ("final", got.fin(), &want.fin),
                    ] {
                        for (i, v) in plane.download().into_iter().enumerate() {
                            let (x, y) = (i % w, i / w);
                            let c = cpu.get(x, y);
                            // The seamless step's domain is {final > 0}.
                            assert_eq!(v > 0.0, c > 0.0, "{what}: {name} ({x}, {y}) {v} vs {c}");
                            bound = bound.max((v - c).abs());
                        }
                    }
                }
            }
        }
    }
    // The chain's own bound (tests_mask.rs).
    assert!(bound <= 2e-6, "masks off by {bound}");
    eprintln!("blend masks: within {bound:.2e}, zeros and supports exact");
}
