//! Pipeline tests with stand-in finders and swappers: geometry, masks, boost, outputs.

use super::*;
use crate::blend::ColourMatch;
use crate::quality::{psnr, synthetic_plate, Region};
use paste::CpuOps;

/// Runs the pipeline and returns the output as a whole frame.
fn run(
    frame: &Frame,
    finder: &dyn FaceFinder,
    swapper: &dyn CropSwapper,
    s: &SwapSettings,
) -> (Frame, SwapReport) {
    let (result, report) = swap_frame(frame, finder, swapper, &CpuOps, s).unwrap();
    (result.into_frame(frame), report)
}

/// A "detector" that always reports one face whose eyes are `iod` px apart around `centre`.
struct OneFace {
    centre: (f64, f64),
    iod: f64,
}

impl FaceFinder for OneFace {
    fn find(&self, _frame: &Frame) -> Result<Vec<FoundFace>, SwapError> {
        let (cx, cy) = self.centre;
        let s = self.iod;
        let landmarks = Landmarks::new([
            (cx - 0.5 * s, cy - 0.3 * s),
            (cx + 0.5 * s, cy - 0.3 * s),
            (cx, cy + 0.2 * s),
            (cx - 0.4 * s, cy + 0.7 * s),
            (cx + 0.4 * s, cy + 0.7 * s),
        ]);
        let bbox = [
            (cx - s) as f32,
            (cy - 1.2 * s) as f32,
            (cx + s) as f32,
            (cy + 1.3 * s) as f32,
        ];
        Ok(vec![FoundFace {
            bbox,
            score: 0.9,
            landmarks,
        }])
    }
}

/// Returns its crop: the round trip then measures only the pipeline's own losses.
struct IdentitySwapper {
    size: usize,
    gain: f32,
}

impl CropSwapper for IdentitySwapper {
    fn template(&self) -> Template {
        Template::Arcface128
    }
    fn crop_size(&self) -> usize {
        self.size
    }
    fn swap(
        &self,
        crop: &Frame,
        _frame: &ModelFrame,
        _face: &FoundFace,
    ) -> Result<SwappedCrop, SwapError> {
        let mut face = crop.clone();
        for p in face.pixels_mut() {
            for c in p.iter_mut().take(3) {
                *c *= self.gain;
            }
        }
        Ok(SwappedCrop { face, mask: None })
    }
}

fn settings(output: SwapOutput, boost: PixelBoost) -> SwapSettings {
    SwapSettings {
        selection: FaceSelection::Largest,
        pixel_boost: boost,
        box_mask: BoxMask::default(),
        learned_masks: true,
        paste: PasteSettings {
            colour_match: ColourMatch::None,
            strength: 1.0,
            colour_space: ColourSpace::Srgb,
        },
        output,
    }
}

/// PSNR over the central face region of a crop-sized face (where the box mask is 1).
fn round_trip_psnr(crop: usize) -> f64 {
    let frame = synthetic_plate(crop * 2, crop * 2, 4);
    // arcface_128 puts the eyes 0.275·S apart: the face fills a crop of size `crop` at k = 1.
    let iod = 0.275 * crop as f64;
    let centre = (crop as f64, crop as f64);
    let finder = OneFace { centre, iod };
    let swapper = IdentitySwapper {
        size: crop,
        gain: 1.0,
    };
    let (out, report) = run(
        &frame,
        &finder,
        &swapper,
        &settings(SwapOutput::Composite, PixelBoost::Off),
    );
    assert_eq!(
        report,
        SwapReport {
            faces_found: 1,
            faces_swapped: 1
        }
    );
    let half = (0.3 * crop as f64) as usize;
    let region = Region {
        x: crop - half,
        y: crop - half,
        width: 2 * half,
        height: 2 * half,
    };
    psnr(&out, &frame, region).unwrap()
}

#[test]
fn identity_round_trip_meets_the_psnr_targets() {
    for (crop, floor) in [(128, 30.0), (256, 35.0), (512, 40.0)] {
        let value = round_trip_psnr(crop);
        assert!(value >= floor, "{crop} px crop: {value:.1} dB < {floor}");
    }
}

#[test]
fn pixels_outside_the_mask_support_are_bit_identical() {
    let frame = synthetic_plate(400, 300, 8);
    let finder = OneFace {
        centre: (200.0, 150.0),
        iod: 40.0,
    };
    let swapper = IdentitySwapper {
        size: 128,
        gain: 1.3,
    };
    let (out, _) = run(
        &frame,
        &finder,
        &swapper,
        &settings(SwapOutput::Composite, PixelBoost::Off),
    );
    let (mask, _) = run(
        &frame,
        &finder,
        &swapper,
        &settings(SwapOutput::MaskOnly, PixelBoost::Off),
    );
    let mut changed = 0;
    for ((o, s), m) in out.pixels().iter().zip(frame.pixels()).zip(mask.pixels()) {
        if m[3] == 0.0 {
            assert_eq!(o, s, "a pixel outside the mask changed");
        } else if o != s {
            changed += 1;
        }
    }
    assert!(changed > 1000, "the swap changed too little ({changed} px)");
}

#[test]
fn pixel_boost_paints_a_large_face_with_a_small_model() {
    let frame = synthetic_plate(1100, 1100, 2);
    let finder = OneFace {
        centre: (550.0, 550.0),
        iod: 0.275 * 512.0,
    };
    let swapper = IdentitySwapper {
        size: 128,
        gain: 1.0,
    };
    let half = 150;
    let region = Region {
        x: 550 - half,
        y: 550 - half,
        width: 2 * half,
        height: 2 * half,
    };
    let measure = |boost| {
        let (out, _) = run(
            &frame,
            &finder,
            &swapper,
            &settings(SwapOutput::Composite, boost),
        );
        psnr(&out, &frame, region).unwrap()
    };
    let (plain, boosted, auto) = (
        measure(PixelBoost::Off),
        measure(PixelBoost::Times(4)),
        measure(PixelBoost::Auto),
    );
    assert!(
        boosted > plain + 3.0,
        "boost ×4 {boosted:.1} dB vs plain {plain:.1} dB"
    );
    assert!(
        boosted >= 40.0,
        "a 512 px footprint through 4×128 crops: {boosted:.1} dB"
    );
    assert_eq!(
        auto, boosted,
        "auto picks ×4 for a 512 px face and a 128 px model"
    );
}

#[test]
fn face_only_over_the_plate_gives_the_composite() {
    let frame = synthetic_plate(300, 300, 5);
    let finder = OneFace {
        centre: (150.0, 150.0),
        iod: 50.0,
    };
    let swapper = IdentitySwapper {
        size: 128,
        gain: 0.8,
    };
    let render = |output| {
        run(
            &frame,
            &finder,
            &swapper,
            &settings(output, PixelBoost::Off),
        )
        .0
    };
    let (composite, face) = (render(SwapOutput::Composite), render(SwapOutput::FaceOnly));
    for ((c, f), s) in composite
        .pixels()
        .iter()
        .zip(face.pixels())
        .zip(frame.pixels())
    {
        for ch in 0..3 {
            let over = f[ch] + s[ch] * (1.0 - f[3]);
            assert!(
                (over - c[ch]).abs() < 1e-5,
                "face-only over plate {over} vs composite {}",
                c[ch]
            );
        }
    }
}

#[test]
fn no_face_leaves_the_frame_untouched_and_debug_marks_faces() {
    struct NoFace;
    impl FaceFinder for NoFace {
        fn find(&self, _: &Frame) -> Result<Vec<FoundFace>, SwapError> {
            Ok(Vec::new())
        }
    }
    let frame = synthetic_plate(64, 64, 1);
    let swapper = IdentitySwapper {
        size: 128,
        gain: 2.0,
    };
    let (out, report) = run(
        &frame,
        &NoFace,
        &swapper,
        &settings(SwapOutput::Composite, PixelBoost::Off),
    );
    assert_eq!(out, frame);
    assert_eq!(report.faces_swapped, 0);
    let finder = OneFace {
        centre: (32.0, 32.0),
        iod: 12.0,
    };
    let (debug, _) = run(
        &frame,
        &finder,
        &swapper,
        &settings(SwapOutput::Debug, PixelBoost::Off),
    );
    assert_ne!(debug, frame, "the debug view draws the face");
}

#[test]
fn a_pick_strength_scales_the_paste_strength_and_zero_skips_the_face() {
    let frame = synthetic_plate(400, 300, 8);
    let finder = OneFace {
        centre: (200.0, 150.0),
        iod: 40.0,
    };
    let swapper = IdentitySwapper {
        size: 128,
        gain: 1.3,
    };
    let mut half = settings(SwapOutput::Composite, PixelBoost::Off);
    half.paste.strength = 0.5;
    let (want, _) = run(&frame, &finder, &swapper, &half);
    let full = settings(SwapOutput::Composite, PixelBoost::Off);
    let model = ModelFrame::new(&frame, ColourSpace::Srgb);
    let faces = finder.find(&frame).unwrap();
    let pick = |strength| Pick {
        face: faces[0].clone(),
        strength,
        colour_target: None,
    };
    let (got, report) = swap_faces(&model, &faces, &[pick(0.5)], &swapper, &full).unwrap();
    assert_eq!(got.into_frame(&frame), want);
    assert_eq!(report.faces_swapped, 1);
    let (none, report) = swap_faces(&model, &faces, &[pick(0.0)], &swapper, &full).unwrap();
    assert_eq!(none.into_frame(&frame), frame);
    assert_eq!(report.faces_swapped, 0);
}

#[test]
fn linear_input_round_trips_through_the_model_domain() {
    let mut frame = synthetic_plate(256, 256, 3);
    for p in frame.pixels_mut() {
        for c in p.iter_mut().take(3) {
            *c = crate::colour::srgb_decode(*c);
        }
    }
    let finder = OneFace {
        centre: (128.0, 128.0),
        iod: 0.275 * 128.0,
    };
    let swapper = IdentitySwapper {
        size: 128,
        gain: 1.0,
    };
    let mut s = settings(SwapOutput::Composite, PixelBoost::Off);
    s.paste.colour_space = ColourSpace::Linear;
    let (out, _) = run(&frame, &finder, &swapper, &s);
    let region = Region {
        x: 100,
        y: 100,
        width: 56,
        height: 56,
    };
    let value = psnr(&out, &frame, region).unwrap();
    assert!(
        value > 30.0,
        "linear frames must be converted for the model and back ({value:.1} dB)"
    );
}

#[test]
fn non_finite_model_output_and_plate_pixels_are_named_errors() {
    let frame = synthetic_plate(400, 300, 5);
    let finder = OneFace {
        centre: (200.0, 150.0),
        iod: 40.0,
    };
    let s = settings(SwapOutput::Composite, PixelBoost::Off);
    let broken = IdentitySwapper {
        size: 128,
        gain: f32::NAN,
    };
    let err = swap_frame(&frame, &finder, &broken, &CpuOps, &s).unwrap_err();
    assert!(err.0.contains("swap model returned NaN"), "{err}");
    // A NaN in the plate under the face: named with its frame position.
    let mut plate = frame.clone();
    plate.set_pixel(201, 152, [f32::NAN, 0.5, 0.5, 1.0]);
    let swapper = IdentitySwapper {
        size: 128,
        gain: 1.0,
    };
    let err = swap_frame(&plate, &finder, &swapper, &CpuOps, &s).unwrap_err();
    assert!(err.0.contains("(201, 152)"), "{err}");
}
