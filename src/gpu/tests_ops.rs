//! Face Swap's GPU steps ([`GpuOps`]) against the CPU's ([`CpuOps`]) through the
//! [`PixelOps`] interface the pipeline uses: detection views, model-domain crops and pastes
//! (every layer and colour match, over earlier faces' patches, and the errors they name).

use super::ops::GpuOps;
use super::tests::{gpu_or_skip, hash, max_diff};
use crate::blend::ColourMatch;
use crate::colour::ColourSpace;
use crate::face::Similarity;
use crate::frame::Patch;
use crate::swap::model_domain;
use crate::swap::paste::{CpuOps, Layer, PasteSettings, PixelOps};
use crate::Frame;

/// A plate with HDR highlights, negatives and one NaN far from any face. No two values are
/// equal by construction: where many are (clipped highlights), a histogram match's curve
/// has a step, and values on it may land on either side on the GPU and on the CPU.
fn plate(w: usize, h: usize) -> Frame {
    let mut f = Frame::from_fn(w, h, |x, y| {
        let v = hash(x, y, 3);
        let wave = 0.5 + 0.4 * (x as f32 * 0.05).sin() * (y as f32 * 0.03).cos();
        [v * 1.3 - 0.1, wave + 0.05 * hash(x, y, 4), v * v, 1.0]
    });
    f.set_pixel(w - 1, 0, [f32::NAN, f32::INFINITY, 0.5, 1.0]);
    f
}

/// A 128 px crop of a face at `centre`, turned a little.
fn crop_map(centre: (f64, f64)) -> Similarity {
    Similarity::translation(64.0, 64.0)
        .compose(&Similarity::rotation_by(0.2))
        .compose(&Similarity::scaling(1.3))
        .compose(&Similarity::translation(-centre.0, -centre.1))
}

/// A swapped face: the crop recoloured, alpha a soft disc (the paste mask).
fn face(crop: &Frame) -> Frame {
    let n = crop.width() as f32;
    Frame::from_fn(crop.width(), crop.height(), |x, y| {
        let p = crop.pixel(x, y);
        let r = ((x as f32 - n / 2.0).hypot(y as f32 - n / 2.0) / (n * 0.45)).min(1.0);
        [p[0] * 0.9 + 0.05, p[1], p[2] * 1.1, 1.0 - r * r]
    })
}

#[test]
fn detection_views_and_model_crops_match_the_cpu() {
    let Some(gpu) = gpu_or_skip("detection_views_and_model_crops_match_the_cpu") else {
        return;
    };
    let frame = plate(333, 250);
    let ops = GpuOps::new(gpu, &frame);
    let mut worst = 0.0f32;
    for space in [ColourSpace::Linear, ColourSpace::Srgb] {
        for factor in [1, 2, 3, 7] {
            let got = ops.detection_view(&frame, factor, space);
            let want = model_domain::detection_view(&frame, factor, space);
            assert_eq!(got.size(), want.size());
            worst = worst.max(max_diff(&got, &want));
        }
        let m = crop_map((300.0, 40.0));
        let got = ops.model_crop(&frame, &m, 128, space);
        let want = CpuOps.model_crop(&frame, &m, 128, space);
        worst = worst.max(max_diff(&got, &want));
    }
    eprintln!("detection views and model crops: worst {worst:e}");
    assert!(worst <= 2e-6, "off by {worst}");
}

#[test]
fn pastes_match_the_cpu_in_every_layer_and_over_earlier_faces() {
    let Some(gpu) = gpu_or_skip("pastes_match_the_cpu_in_every_layer_and_over_earlier_faces")
    else {
        return;
    };
    let frame = plate(320, 240);
    let ops = GpuOps::new(gpu, &frame);
    let first = crop_map((120.0, 110.0));
    let second = crop_map((170.0, 130.0)); // overlaps the first face
    let face_of = |m: &Similarity| face(&CpuOps.warp_to_crop(&frame, m, 128));
    let mut worst = 0.0f32;
    for colour_match in [
        ColourMatch::None,
        ColourMatch::Reinhard,
        ColourMatch::Histogram,
    ] {
        for layer in [Layer::Composite, Layer::FaceOnly, Layer::MaskOnly] {
            let settings = PasteSettings {
                colour_match,
                strength: 0.8,
                colour_space: ColourSpace::Linear,
            };
            // Both pastes of a face go over the CPU's earlier patches: each is compared on
            // equal inputs (a histogram match amplifies a difference carried in).
            let mut earlier: Vec<Patch> = Vec::new();
            for (k, m) in [&first, &second].into_iter().enumerate() {
                let [got, want] = [&ops as &dyn PixelOps, &CpuOps].map(|ops| {
                    ops.paste(&frame, &earlier, &face_of(m), m, &settings, None, layer)
                        .unwrap()
                        .expect("the face lands in the frame")
                });
                assert_eq!((got.x, got.y), (want.x, want.y));
                let d = max_diff(&got.pixels, &want.pixels);
                eprintln!("{colour_match:?} {layer:?} face {k}: {d:e}");
                worst = worst.max(d);
                earlier.push(want);
            }
        }
    }
    // Measured within 2.5e-6 on lavapipe (the colour match's f32 statistics).
    eprintln!("pastes: worst {worst:e}");
    assert!(worst <= 1e-5, "off by {worst}");
}

#[test]
fn paste_errors_match_the_cpu() {
    let Some(gpu) = gpu_or_skip("paste_errors_match_the_cpu") else {
        return;
    };
    let mut frame = plate(200, 160);
    let m = crop_map((100.0, 80.0));
    let crop = face(&CpuOps.warp_to_crop(&frame, &m, 128));
    let settings = PasteSettings {
        colour_match: ColourMatch::Reinhard,
        strength: 1.0,
        colour_space: ColourSpace::Srgb,
    };
    let paste = |ops: &dyn PixelOps, frame: &Frame, crop: &Frame| {
        ops.paste(frame, &[], crop, &m, &settings, None, Layer::Composite)
    };
    let mut broken = crop.clone();
    broken.set_pixel(64, 64, [f32::NAN, 0.0, 0.0, 1.0]);
    let want = paste(&CpuOps, &frame, &broken).unwrap_err();
    assert!(want.0.contains("NaN"), "{}", want.0);
    assert_eq!(
        paste(&GpuOps::new(gpu, &frame), &frame, &broken).unwrap_err(),
        want
    );
    frame.set_pixel(101, 82, [0.5, f32::INFINITY, 0.5, 1.0]);
    let want = paste(&CpuOps, &frame, &crop).unwrap_err();
    assert!(want.0.contains("(101, 82)"), "{}", want.0);
    assert_eq!(
        paste(&GpuOps::new(gpu, &frame), &frame, &crop).unwrap_err(),
        want
    );
}
