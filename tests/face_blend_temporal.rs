//! Face Blend's detected-face mask through the temporal window, in the test host:
//! GetFramesNeeded declares t − k − 1 … t + k + 1 and the render reads exactly those frames,
//! other mask sources read only t, any render order (and a second instance) gives bit-identical
//! frames, radius 0 is the per-frame mask, thumbnails read only their frame, and a face that
//! leaves the shot fades out. The clip is the astronaut moving 1 px per frame.

mod common;

use std::sync::Arc;

use common::moving::*;
use common::*;
use doppel_host::{Clips, HostImage, HostProfile, Instance, ParamValue, RenderOptions};

/// The face centre in frame t (the astronaut's face box is about (180,62)–(271,178)).
fn face_centre(t: usize) -> (usize, usize) {
    (225 - 60 - t, 120)
}

/// Face Blend over `source` with a graded copy of it as the Face, the detected-face mask at
/// `radius`, output Mask only.
fn instance(profile: HostProfile, source: Arc<Recorded>, radius: i32) -> Instance {
    let faces: Vec<HostImage> = source
        .frames
        .iter()
        .map(|f| to_host(&graded(&to_frame(f))))
        .collect();
    let instance = face_blend(
        profile,
        Clips::new().with_arc("Source", source).with("Face", faces),
    );
    for (id, value) in [
        ("maskSource", ParamValue::Choice(3)),
        ("colourSpace", ParamValue::Choice(1)),
        ("output", ParamValue::Choice(1)),
        ("temporalRadius", ParamValue::Int(radius)),
    ] {
        instance
            .set_value(id, value)
            .unwrap_or_else(|e| panic!("set {id}: {e}"));
    }
    instance
}

/// The mask covers the face at frame t and nothing far from it.
fn assert_face_mask(mask: &HostImage, t: usize) {
    let (x, y) = face_centre(t);
    assert_eq!(
        mask.get(x, y)[3],
        1.0,
        "frame {t}: the face centre is inside"
    );
    assert_eq!(mask.get(10, 10)[3], 0.0, "frame {t}: the flag is outside");
    assert_eq!(mask.get(x, 250)[3], 0.0, "frame {t}: the suit is outside");
}

#[test]
fn the_window_is_declared_and_read_only_for_the_detected_face_mask() {
    let clip = Recorded::moving();
    let blend = instance(HostProfile::Generic, clip.clone(), 6);
    assert_eq!(
        blend.value_at("temporalRadius", 0.0).unwrap(),
        ParamValue::Int(6)
    );
    let mask = render(&blend, 5, &plain());
    // Exactly the declared 5 − 7 … 5 + 7 (the host has no image outside 0 … 11).
    assert_eq!(clip.take(), (-2..=12).collect::<Vec<_>>());
    assert!(host(HostProfile::Generic).violations().is_empty());
    assert_face_mask(&mask, 5);
    let first = render(&blend, 0, &plain());
    assert_eq!(clip.take(), (-7..=7).collect::<Vec<_>>());
    assert_face_mask(&first, 0);
    // The composite blends the graded face in where the face is, and only there.
    blend.set_value("output", ParamValue::Choice(0)).unwrap();
    let out = render(&blend, 5, &plain());
    clip.take();
    let (x, y) = face_centre(5);
    let source = frame(5);
    assert!(
        (0..3).any(|c| (out.get(x, y)[c] - source.get(x, y)[c]).abs() > 0.01),
        "the face was blended"
    );
    assert_eq!(out.get(10, 10), source.get(10, 10));
    // Other mask sources read only the rendered frame, whatever the radius.
    for mask_source in [0, 2] {
        blend
            .set_value("maskSource", ParamValue::Choice(mask_source))
            .unwrap();
        render(&blend, 5, &plain());
        assert_eq!(clip.take(), vec![5], "mask source {mask_source}");
    }
    assert!(host(HostProfile::Generic).violations().is_empty());
}

#[test]
fn any_render_order_and_instance_gives_bit_identical_frames() {
    let blend = instance(HostProfile::Generic, Recorded::moving(), 6);
    let forward = render_all(&blend);
    assert_clean(&blend);
    for (t, mask) in forward.iter().enumerate() {
        assert_face_mask(mask, t);
    }
    let shuffled = [7, 2, 11, 0, 5, 9, 3, 10, 1, 8, 6, 4];
    let other = instance(HostProfile::Generic, Recorded::moving(), 6);
    for (name, instance) in [("shuffled", &blend), ("second instance", &other)] {
        for t in shuffled {
            let out = render(instance, t, &plain());
            assert!(
                out.pixels == forward[t].pixels,
                "{name}: frame {t} differs from the sequential render"
            );
        }
    }
}

#[test]
fn radius_zero_is_the_per_frame_mask() {
    let clip = Recorded::moving();
    let blend = instance(HostProfile::Generic, clip.clone(), 0);
    let mask = render(&blend, 5, &plain());
    assert_eq!(clip.take(), vec![5], "only the rendered frame is read");
    assert_face_mask(&mask, 5);
    // The same frame alone, as a still: exactly the per-frame mask.
    let still = instance(HostProfile::Generic, Recorded::new(vec![frame(5)]), 0);
    assert!(mask.pixels == render(&still, 0, &plain()).pixels);
    // The temporal mask of a moving face is close to it, but smoothed.
    let temporal = render(
        &instance(HostProfile::Generic, Recorded::moving(), 6),
        5,
        &plain(),
    );
    assert!(
        temporal.pixels != mask.pixels,
        "radius 6 smooths the detections"
    );
    let moved = temporal
        .pixels
        .iter()
        .zip(&mask.pixels)
        .filter(|(a, b)| (a[3] - b[3]).abs() > 0.5)
        .count();
    assert!(moved < 400, "{moved} pixels changed by more than half");
}

#[test]
fn thumbnails_read_only_their_own_frame() {
    for profile in [HostProfile::Generic, HostProfile::Resolve] {
        let clip = Recorded::moving();
        let blend = instance(profile, clip.clone(), 6);
        let mask = render(&blend, 5, &RenderOptions::thumbnail(0.25));
        assert_eq!(
            clip.take(),
            vec![5],
            "{profile:?}: thumbnails skip the window"
        );
        assert!(host(profile).violations().is_empty());
        let (x, y) = face_centre(5);
        assert!(
            mask.get(x / 4, y / 4)[3] > 0.5,
            "{profile:?}: the thumbnail's mask covers the face"
        );
    }
}

/// Frame t with the pixels of each 20×28 cell around the face shuffled from frame `from` on:
/// the face is gone, but every cell's mean colour (the cut signature) stays, so no cut is seen.
fn scrambled(t: usize, from: usize) -> HostImage {
    let mut f = frame(t);
    if t < from {
        return f;
    }
    let (w, h) = (f.width, f.height);
    let (cx, cy) = face_centre(t);
    let cell = |x: usize, y: usize| (y * 9 / h, x * 16 / w);
    let (first, last) = (cell(cx - 60, cy - 70), cell(cx + 60, cy + 70));
    let mut seed = 0x2545_f491_u64;
    for row in first.0..=last.0 {
        for col in first.1..=last.1 {
            let coords: Vec<(usize, usize)> = (0..h)
                .flat_map(|y| (0..w).map(move |x| (x, y)))
                .filter(|&(x, y)| cell(x, y) == (row, col))
                .collect();
            let mut pixels: Vec<[f32; 4]> = coords.iter().map(|&(x, y)| f.get(x, y)).collect();
            for i in (1..pixels.len()).rev() {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                pixels.swap(i, (seed >> 33) as usize % (i + 1));
            }
            for (&(x, y), p) in coords.iter().zip(pixels) {
                f.set(x, y, p);
            }
        }
    }
    f
}

/// The largest mask value, or `None` when the mask is empty (no face found).
fn mask_peak(instance: &Instance, t: usize, plate: &HostImage) -> Option<f32> {
    let out = render(instance, t, &plain());
    assert!(
        out.pixels != plate.pixels,
        "frame {t}: a mask, never the plate"
    );
    let peak = out.pixels.iter().map(|p| p[3]).fold(0.0, f32::max);
    (peak > 0.0).then_some(peak)
}

#[test]
fn a_face_leaving_the_shot_fades_out() {
    const GONE: usize = 7;
    let frames: Vec<HostImage> = (0..FRAMES).map(|t| scrambled(t, GONE)).collect();
    let per_frame = instance(HostProfile::Generic, Recorded::new(frames.clone()), 0);
    let temporal = instance(HostProfile::Generic, Recorded::new(frames.clone()), 6);
    let peaks: Vec<(Option<f32>, Option<f32>)> = (0..FRAMES)
        .map(|t| {
            (
                mask_peak(&per_frame, t, &frames[t]),
                mask_peak(&temporal, t, &frames[t]),
            )
        })
        .collect();
    eprintln!("mask peaks (per frame, temporal): {peaks:?}");
    for (t, &(raw, smooth)) in peaks.iter().enumerate() {
        assert_eq!(
            raw.is_some(),
            t < GONE,
            "frame {t}: the face is found until {GONE}"
        );
        assert_eq!(
            smooth.is_some(),
            t < GONE,
            "frame {t}: the track ends at {GONE}"
        );
    }
    let fade: Vec<f32> = peaks[..GONE].iter().map(|p| p.1.unwrap()).collect();
    assert!(
        fade[..GONE - 3].iter().all(|&a| a == 1.0),
        "no fade far from the end: {fade:?}"
    );
    assert!(
        fade[GONE - 3..].windows(2).all(|w| w[1] < w[0]) && fade[GONE - 1] > 0.0,
        "the last frames fade out: {fade:?}"
    );
}
