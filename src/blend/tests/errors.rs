//! Every bad input gives the right error, and no input panics.

use super::*;

#[test]
fn bad_inputs_give_the_right_error() {
    let src = synthetic_plate(96, 80, 4);
    let face = with_alpha(&src, disc(48.0, 40.0, 20.0));
    let ok = BlendSettings::default();
    let small = Frame::new(90, 80);
    let err = blend(&src, &small, None, &ok).unwrap_err();
    assert_eq!(
        err,
        BlendError::SizeMismatch {
            clip: "Face",
            size: (90, 80),
            source: (96, 80)
        }
    );
    let text = err.to_string();
    assert!(text.contains("90x80") && text.contains("96x80"), "{text}");
    let matte = BlendSettings {
        mask: MaskSource::Matte,
        ..ok
    };
    assert_eq!(
        blend(&src, &face, None, &matte),
        Err(BlendError::MissingMatte)
    );
    assert!(matches!(
        blend(&src, &face, Some(&small), &matte),
        Err(BlendError::SizeMismatch { clip: "Matte", .. })
    ));
    // A wrong-sized matte is ignored while the mask does not come from it.
    assert!(blend(&src, &face, Some(&small), &ok).is_ok());

    let mut bad = face.clone();
    bad.set_pixel(50, 41, [f32::NAN, 0.0, 0.0, 1.0]);
    assert_eq!(
        blend(&src, &bad, None, &ok),
        Err(BlendError::NonFinite {
            clip: "Face",
            x: 50,
            y: 41
        })
    );
    let mut far = face.clone();
    far.set_pixel(2, 2, [f32::NAN, 0.0, 0.0, 0.0]);
    assert!(
        blend(&src, &far, None, &ok).is_ok(),
        "pixels the blend never reads are not inspected"
    );
    let mut alpha = face.clone();
    alpha.set_pixel(1, 70, [0.0, 0.0, 0.0, f32::INFINITY]);
    assert_eq!(
        blend(&src, &alpha, None, &ok),
        Err(BlendError::NonFinite {
            clip: "Face",
            x: 1,
            y: 70
        })
    );
    let mut plate = src.clone();
    plate.set_pixel(40, 30, [0.0, f32::NEG_INFINITY, 0.0, 1.0]);
    let err = blend(&plate, &face, None, &ok).unwrap_err();
    assert_eq!(
        err,
        BlendError::NonFinite {
            clip: "Source",
            x: 40,
            y: 30
        }
    );
    assert!(err.to_string().contains("Source") && err.to_string().contains("(40, 30)"));
    let mut m = face.clone();
    m.set_pixel(5, 6, [0.0, 0.0, 0.0, f32::NAN]);
    assert_eq!(
        blend(&src, &face, Some(&m), &matte),
        Err(BlendError::NonFinite {
            clip: "Matte",
            x: 5,
            y: 6
        })
    );

    let empty = with_alpha(&src, |_, _| 0.0);
    assert_eq!(blend(&src, &empty, None, &ok), Err(BlendError::EmptyMask));
    let eroded = BlendSettings {
        erode_px: -25.0,
        ..ok
    };
    assert_eq!(
        blend(&src, &face, None, &eroded),
        Err(BlendError::EmptyMask)
    );
    let full = with_alpha(&src, |_, _| 1.0);
    assert_eq!(
        blend(&src, &full, None, &BlendSettings { invert: true, ..ok }),
        Err(BlendError::EmptyMask)
    );
    let off = Ellipse {
        centre: (-500.0, 20.0),
        radii: (30.0, 30.0),
        angle_deg: 0.0,
    };
    assert_eq!(
        blend(
            &src,
            &face,
            None,
            &BlendSettings {
                mask: MaskSource::Ellipse(off),
                ..ok
            }
        ),
        Err(BlendError::EmptyMask)
    );

    for (w, h) in [(0, 0), (0, 5), (7, 0)] {
        let f = Frame::new(w, h);
        assert_eq!(
            blend(&f, &f, None, &ok),
            Err(BlendError::EmptyFrame {
                width: w,
                height: h
            })
        );
    }
    let nan_feather = BlendSettings {
        feather_px: f32::NAN,
        ..ok
    };
    assert!(matches!(
        blend(&src, &face, None, &nan_feather),
        Err(BlendError::InvalidParameter {
            name: "Feather",
            ..
        })
    ));
    let bad_angle = BlendSettings {
        mask: MaskSource::Ellipse(Ellipse {
            angle_deg: f32::INFINITY,
            ..off
        }),
        ..ok
    };
    assert!(matches!(
        blend(&src, &face, None, &bad_angle),
        Err(BlendError::InvalidParameter {
            name: "Ellipse angle",
            ..
        })
    ));
    for e in [
        BlendError::MissingMatte,
        BlendError::EmptyMask,
        BlendError::EmptyFrame {
            width: 0,
            height: 0,
        },
    ] {
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn extreme_settings_and_tiny_frames_never_panic() {
    let huge = Ellipse {
        centre: (1e30, -1e30),
        radii: (1e30, 1e-30),
        angle_deg: 1e20,
    };
    let masks = [
        MaskSource::FaceAlpha,
        MaskSource::Matte,
        MaskSource::Ellipse(huge),
    ];
    for (w, h) in [(1, 1), (1, 7), (5, 1), (3, 2), (33, 17)] {
        let src = synthetic_plate(w, h, 11);
        let face = with_alpha(&colour_mismatch(&src, &Mismatch::STRONG), |x, _| {
            (x % 2) as f32
        });
        for mask in masks {
            for colour_match in MATCHES {
                for (erode_px, feather_px, mix) in [
                    (0.0, 0.0, 1.0),
                    (1e30, 1e30, 2.0),
                    (-1e30, 0.5, -1.0),
                    (0.3, 1e6, 0.5),
                ] {
                    for output in [
                        BlendOutput::Composite,
                        BlendOutput::MaskOnly,
                        BlendOutput::FaceOnly,
                    ] {
                        let s = BlendSettings {
                            mask,
                            colour_match,
                            seamless: true,
                            erode_px,
                            feather_px,
                            mix,
                            invert: w == 3,
                            output,
                            ..Default::default()
                        };
                        if let Ok(out) = blend(&src, &face, Some(&face), &s) {
                            assert_eq!(out.size(), (w, h));
                            assert!(out.first_non_finite().is_none(), "{s:?} on {w}x{h}");
                        }
                    }
                }
            }
        }
    }
}
