//! Face Blend's results through the test host: invariance, colour statistics, seams, alpha,
//! and every bad input ending as a message plus the untouched Source.

mod common;

use common::*;
use doppel::colour::{linear_to_lab, srgb_decode_f64};
use doppel::quality::{colour_mismatch, seam_step, synthetic_plate, Mismatch, SEAM_REACH_PX};
use doppel::Frame;
use doppel_host::{Clips, HostImage, HostProfile, Instance, ParamValue};

const COLOUR_MATCHES: [i32; 4] = [0, 1, 2, 3];

fn blend(source: &Frame, face: &Frame) -> Instance {
    face_blend(
        HostProfile::Generic,
        Clips::new()
            .with("Source", to_host(source))
            .with("Face", to_host(face)),
    )
}

/// An ellipse in canonical coordinates (y up) around the frame centre.
fn ellipse(instance: &Instance, (w, h): (usize, usize), radii: (f64, f64), feather: f64) {
    instance
        .set_value("maskSource", ParamValue::Choice(2))
        .unwrap();
    instance
        .set_value(
            "ellipseCentre",
            ParamValue::Double2D(w as f64 / 2.0, h as f64 / 2.0),
        )
        .unwrap();
    instance
        .set_value("ellipseSize", ParamValue::Double2D(radii.0, radii.1))
        .unwrap();
    instance
        .set_value("maskFeather", ParamValue::Double(feather))
        .unwrap();
}

fn set(instance: &Instance, id: &str, value: ParamValue) {
    instance
        .set_value(id, value)
        .unwrap_or_else(|e| panic!("set {id}: {e}"));
}

#[test]
fn face_equal_to_source_gives_the_source() {
    let source = synthetic_plate(160, 120, 3);
    let instance = blend(&source, &source);
    ellipse(&instance, (160, 120), (40.0, 50.0), 10.0);
    for space in [0, 1] {
        for matching in COLOUR_MATCHES {
            for seamless in [false, true] {
                set(&instance, "colourSpace", ParamValue::Choice(space));
                set(&instance, "colourMatch", ParamValue::Choice(matching));
                set(&instance, "seamless", ParamValue::Bool(seamless));
                let out = instance.render(0.0, &plain()).expect("render");
                let diff = max_abs_diff(&out, &to_host(&source));
                assert!(
                    diff <= 1e-6,
                    "space {space} match {matching} seamless {seamless}: off by {diff}"
                );
            }
        }
    }
    assert_eq!(instance.persistent_message(), None);
    assert_clean(&instance);
}

/// LAB mean and standard deviation of `frame` where `mask` alpha is 1.
fn lab_stats(frame: &HostImage, mask: &HostImage) -> ([f64; 3], [f64; 3]) {
    let labs: Vec<[f64; 3]> = frame
        .pixels
        .iter()
        .zip(&mask.pixels)
        .filter(|(_, m)| m[3] >= 1.0)
        .map(|(p, _)| linear_to_lab([0, 1, 2].map(|c| srgb_decode_f64(f64::from(p[c])))))
        .collect();
    let n = labs.len() as f64;
    let mean = [0, 1, 2].map(|c| labs.iter().map(|l| l[c]).sum::<f64>() / n);
    let std =
        [0, 1, 2].map(|c| (labs.iter().map(|l| (l[c] - mean[c]).powi(2)).sum::<f64>() / n).sqrt());
    (mean, std)
}

#[test]
fn reinhard_matches_lab_statistics_inside_the_mask() {
    let source = synthetic_plate(200, 200, 5);
    let face = colour_mismatch(&synthetic_plate(200, 200, 9), &Mismatch::GRADED);
    let instance = blend(&source, &face);
    ellipse(&instance, (200, 200), (70.0, 80.0), 0.0);
    set(&instance, "colourSpace", ParamValue::Choice(1));
    set(&instance, "colourMatch", ParamValue::Choice(1));
    let out = instance.render(0.0, &plain()).expect("render");
    set(&instance, "output", ParamValue::Choice(1));
    let mask = instance.render(0.0, &plain()).expect("mask");
    let (want_mean, want_std) = lab_stats(&to_host(&source), &mask);
    let (got_mean, got_std) = lab_stats(&out, &mask);
    let (raw_mean, _) = lab_stats(&to_host(&face), &mask);
    for c in 0..3 {
        assert!(
            (got_mean[c] - want_mean[c]).abs() < 0.5,
            "L*a*b* mean {c}: {got_mean:?} vs {want_mean:?}"
        );
        assert!(
            (got_std[c] / want_std[c] - 1.0).abs() < 0.05,
            "std {c}: {got_std:?} vs {want_std:?}"
        );
    }
    assert!(
        (raw_mean[0] - want_mean[0]).abs() > 1.0,
        "the test mismatch is too small to prove anything"
    );
}

/// Seam step of a blend of a mismatched face over a 512 px ellipse.
fn seam(matching: i32, feather: f64, seamless: bool) -> f64 {
    let (w, h) = (640, 640);
    let source = synthetic_plate(w, h, 11);
    let face = colour_mismatch(&source, &Mismatch::GRADED);
    let instance = blend(&source, &face);
    ellipse(&instance, (w, h), (200.0, 256.0), feather);
    set(&instance, "colourSpace", ParamValue::Choice(1));
    set(&instance, "colourMatch", ParamValue::Choice(matching));
    set(&instance, "seamless", ParamValue::Bool(seamless));
    let out = to_frame(&instance.render(0.0, &plain()).expect("render"));
    set(&instance, "output", ParamValue::Choice(1));
    set(&instance, "maskFeather", ParamValue::Double(0.0));
    let mask = to_frame(&instance.render(0.0, &plain()).expect("mask"));
    assert_clean(&instance);
    seam_step(&out, Some(&source), &mask, SEAM_REACH_PX).expect("the mask has a boundary")
}

#[test]
fn seams_stay_under_0_40_with_poisson_or_reinhard_and_feather() {
    let hard = seam(0, 0.0, false);
    let poisson = seam(0, 0.0, true);
    let reinhard_feather = seam(1, 16.0, false);
    eprintln!("seam step /255: hard {hard:.2}, Poisson {poisson:.2}, Reinhard + feather {reinhard_feather:.2}");
    assert!(
        hard > 1.0,
        "a hard paste of a mismatched face must show a seam ({hard})"
    );
    assert!(poisson <= 0.40, "Poisson seam step {poisson}");
    assert!(
        reinhard_feather <= 0.40,
        "Reinhard + feather seam step {reinhard_feather}"
    );
}

#[test]
fn source_alpha_is_preserved_and_mix_zero_is_the_source() {
    let mut source = synthetic_plate(64, 64, 2);
    for (i, p) in source.pixels_mut().iter_mut().enumerate() {
        p[3] = (i % 64) as f32 / 63.0;
    }
    let face = colour_mismatch(&source, &Mismatch::GRADED);
    let instance = blend(&source, &face);
    ellipse(&instance, (64, 64), (20.0, 24.0), 6.0);
    set(&instance, "colourMatch", ParamValue::Choice(0));
    let out = instance.render(0.0, &plain()).expect("render");
    assert!(
        out.pixels
            .iter()
            .zip(source.pixels())
            .all(|(o, s)| o[3] == s[3]),
        "alpha changed"
    );
    assert!(
        max_abs_diff(&out, &to_host(&source)) > 0.01,
        "the blend did nothing"
    );
    set(&instance, "mix", ParamValue::Double(0.0));
    assert_eq!(
        instance.render(0.0, &plain()).expect("render"),
        to_host(&source)
    );
}

/// Renders with a bad input and checks: the message names the problem, the Source is untouched,
/// and the next good render clears the message.
fn assert_refused(instance: &Instance, source: &Frame, expect_in_message: &str) {
    let out = instance
        .render(0.0, &plain())
        .expect("a bad input is not a host failure");
    assert_eq!(
        out,
        to_host(source),
        "the Source must pass through untouched"
    );
    let (kind, text) = instance
        .persistent_message()
        .expect("the user must be told");
    assert_eq!(kind, "OfxMessageWarning");
    assert!(
        text.to_lowercase().contains(expect_in_message),
        "message {text:?} lacks {expect_in_message:?}"
    );
    assert_clean(instance);
}

#[test]
fn missing_face_image_is_refused() {
    let source = synthetic_plate(48, 48, 1);
    let instance = face_blend(
        HostProfile::Generic,
        Clips::new()
            .with("Source", to_host(&source))
            .with("Face", Vec::<HostImage>::new()),
    );
    assert_refused(&instance, &source, "face");
}

#[test]
fn mismatched_sizes_are_refused() {
    let source = synthetic_plate(48, 48, 1);
    let instance = blend(&source, &synthetic_plate(40, 48, 1));
    assert_refused(&instance, &source, "48");
}

#[test]
fn non_finite_pixels_are_refused_and_a_good_frame_clears_the_message() {
    let source = synthetic_plate(48, 48, 1);
    let mut face = source.clone();
    face.set_pixel(10, 20, [f32::NAN, 0.0, 0.0, 1.0]);
    let mut bad_then_good = vec![to_host(&face), to_host(&source)];
    bad_then_good[1].pixels[0] = [0.5, 0.5, 0.5, 1.0];
    let instance = face_blend(
        HostProfile::Nuke,
        Clips::new()
            .with("Source", to_host(&source))
            .with("Face", bad_then_good),
    );
    assert_refused(&instance, &source, "nan");
    instance.render(1.0, &plain()).expect("good frame");
    assert_eq!(
        instance.persistent_message(),
        None,
        "Nuke stops rendering until the message is cleared"
    );
}

#[test]
fn an_empty_mask_is_refused() {
    let source = synthetic_plate(48, 48, 1);
    let mut face = colour_mismatch(&source, &Mismatch::GRADED);
    face.pixels_mut().iter_mut().for_each(|p| p[3] = 0.0);
    let instance = blend(&source, &face);
    assert_refused(&instance, &source, "mask");
}

#[test]
fn detected_face_mask_follows_the_face_in_the_plate() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/assets/astronaut.png");
    let plate =
        HostImage::load(&path).unwrap_or_else(|e| panic!("{e}: run scripts/assets.sh first"));
    let face = to_host(&graded(&to_frame(&plate)));
    let instance = face_blend(
        HostProfile::Resolve,
        Clips::new()
            .with("Source", plate.clone())
            .with("Face", face),
    );
    set(&instance, "maskSource", ParamValue::Choice(3));
    set(&instance, "colourSpace", ParamValue::Choice(1));
    set(&instance, "output", ParamValue::Choice(1));
    let mask = instance.render(0.0, &plain()).expect("render");
    // The astronaut's face box is about (180,62)–(271,178).
    assert_eq!(mask.get(225, 120)[3], 1.0, "the face centre is inside");
    assert!(
        mask.get(225, 165)[3] > 0.5,
        "the chin area is inside (feathered edge near)"
    );
    assert_eq!(mask.get(20, 20)[3], 0.0, "the flag is outside");
    assert_eq!(mask.get(225, 300)[3], 0.0, "the suit is outside");
    set(&instance, "output", ParamValue::Choice(0));
    let out = instance.render(0.0, &plain()).expect("render");
    assert_eq!(out.get(20, 20), plate.get(20, 20));
    assert!(
        max_abs_diff(&out, &plate) > 0.02,
        "the graded face was blended in"
    );
    assert_clean(&instance);

    // A plate without a face: nothing to blend, no message.
    let empty = HostImage::filled(64, 64, [0.3, 0.3, 0.3, 1.0]);
    let instance = face_blend(
        HostProfile::Generic,
        Clips::new()
            .with("Source", empty.clone())
            .with("Face", empty.clone()),
    );
    set(&instance, "maskSource", ParamValue::Choice(3));
    assert_eq!(instance.render(0.0, &plain()).expect("render"), empty);
    assert_eq!(instance.persistent_message(), None);
    // Its mask and face layers are empty, not the plate.
    for output in [1, 2] {
        set(&instance, "output", ParamValue::Choice(output));
        let layer = instance.render(0.0, &plain()).expect("render");
        assert_eq!(layer, HostImage::new(64, 64), "output {output}");
    }
    // Inverted, an empty mask covers everything: the face replaces the whole plate.
    let face = HostImage::filled(64, 64, [0.6, 0.2, 0.1, 1.0]);
    let instance = face_blend(
        HostProfile::Generic,
        Clips::new()
            .with("Source", empty)
            .with("Face", face.clone()),
    );
    set(&instance, "maskSource", ParamValue::Choice(3));
    set(&instance, "maskInvert", ParamValue::Bool(true));
    set(&instance, "maskFeather", ParamValue::Double(0.0));
    set(&instance, "colourMatch", ParamValue::Choice(0));
    let out = instance.render(0.0, &plain()).expect("render");
    assert!(max_abs_diff(&out, &face) < 1e-6, "the face everywhere");
    assert_clean(&instance);
}
