//! Face Swap through the test host on the astronaut photo with the bundled CenterFace and the
//! committed stand-in models: round-trip fidelity, untouched pixels, identities of every kind,
//! and every bad input ending as a message plus the untouched frame.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use doppel::quality::{psnr, Region};
use doppel_host::{Clips, HostImage, HostProfile, Instance, ParamValue};

const FACE_SWAP: &str = "com.doppel.FaceSwap";
const FILTER: &str = "OfxImageEffectContextFilter";

fn models() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/models")
}

fn astronaut() -> HostImage {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/assets/astronaut.png");
    HostImage::load(&path).unwrap_or_else(|e| panic!("{e}: run scripts/assets.sh first"))
}

/// A Face Swap on the astronaut (sRGB PNG values), plain colour, no colour match.
fn swap(plate: &HostImage, identity: &Path) -> Instance {
    let instance = host(HostProfile::Generic)
        .create_instance(
            FACE_SWAP,
            FILTER,
            Clips::new().with("Source", plate.clone()),
        )
        .expect("create a Face Swap instance");
    set(
        &instance,
        "identity",
        ParamValue::String(identity.display().to_string()),
    );
    set(&instance, "colourSpace", ParamValue::Choice(1));
    set(&instance, "colourMatch", ParamValue::Choice(0));
    instance
}

fn set(instance: &Instance, id: &str, value: ParamValue) {
    instance
        .set_value(id, value)
        .unwrap_or_else(|e| panic!("set {id}: {e}"));
}

fn render(instance: &Instance) -> HostImage {
    let out = instance.render(0.0, &plain()).expect("render");
    assert_clean(instance);
    out
}

/// The middle of the astronaut's face (box ≈ (180,62)–(271,178)).
const FACE: Region = Region {
    x: 200,
    y: 85,
    width: 50,
    height: 70,
};

#[test]
fn identity_models_round_trip_the_face_and_leave_everything_else_bit_identical() {
    let plate = astronaut();
    for (file, floor) in [
        ("per_identity_128.onnx", 30.0),
        ("per_identity_256.onnx", 35.0),
        ("per_identity_512.onnx", 40.0),
    ] {
        let instance = swap(&plate, &models().join("per_identity").join(file));
        set(&instance, "pixelBoost", ParamValue::Choice(0));
        let out = render(&instance);
        assert_eq!(instance.persistent_message(), None, "{file}");
        let value = psnr(&to_frame(&out), &to_frame(&plate), FACE).unwrap();
        assert!(value >= floor, "{file}: face PSNR {value:.1} dB < {floor}");
        set(&instance, "output", ParamValue::Choice(2));
        let mask = render(&instance);
        let mut inside = 0;
        for ((o, p), m) in out.pixels.iter().zip(&plate.pixels).zip(&mask.pixels) {
            if m[3] == 0.0 {
                assert_eq!(o, p, "{file}: a pixel outside the mask changed");
            } else {
                inside += 1;
            }
        }
        assert!(
            inside > 5000,
            "{file}: the mask covers the face ({inside} px)"
        );
    }
}

fn face_mean(image: &HostImage) -> [f64; 3] {
    let mut sum = [0.0; 3];
    for y in FACE.y..FACE.y + FACE.height {
        for x in FACE.x..FACE.x + FACE.width {
            let p = image.get(x, y);
            for c in 0..3 {
                sum[c] += f64::from(p[c]);
            }
        }
    }
    sum.map(|s| s / (FACE.width * FACE.height) as f64)
}

#[test]
fn a_colour_shifting_model_shows_and_colour_match_pulls_it_back() {
    let plate = astronaut();
    let instance = swap(&plate, &models().join("colour_shift/per_identity_256.onnx"));
    let shifted_mean = face_mean(&render(&instance));
    let original = face_mean(&plate);
    // out = gain·in + offset with gain (0.85, 0.95, 0.75), offset (0.10, 0.03, 0.12).
    for (c, (gain, offset)) in [(0.85, 0.10), (0.95, 0.03), (0.75, 0.12)]
        .into_iter()
        .enumerate()
    {
        let want = gain * original[c] + offset;
        assert!(
            (shifted_mean[c] - want).abs() < 0.01,
            "channel {c}: {} vs {want}",
            shifted_mean[c]
        );
    }
    let shifted = render(&instance);
    // Per pixel, inside the face: each colour match maps the shifted face's colours back towards
    // the plate's. Per-channel LAB statistics (Reinhard) cannot undo a hue-dependent gain fully;
    // the covariance and histogram matches can.
    let error = |image: &HostImage| {
        let mut total = 0.0;
        for y in FACE.y..FACE.y + FACE.height {
            for x in FACE.x..FACE.x + FACE.width {
                let (o, p) = (image.get(x, y), plate.get(x, y));
                total += (0..3).map(|c| f64::from((o[c] - p[c]).abs())).sum::<f64>();
            }
        }
        total / (FACE.width * FACE.height * 3) as f64
    };
    let before = error(&shifted);
    for (mode, most) in [(1, 0.8), (2, 0.5), (3, 0.5)] {
        set(&instance, "colourMatch", ParamValue::Choice(mode));
        let after = error(&render(&instance));
        assert!(
            after < most * before,
            "colour match {mode}: {after:.4} vs {before:.4} per channel"
        );
    }
}

#[test]
fn a_generic_pack_delivers_its_stored_identity() {
    let plate = astronaut();
    let instance = swap(&plate, &models().join("packs/example_generic"));
    let out = face_mean(&render(&instance));
    let original = face_mean(&plate);
    // The hyperswap probe adds 0.1·v[0], 0.1·v[1], 0.01·|v| for v = normalise(embedding).
    for (c, want) in [0.0035956, -0.0060371, 0.0100000].into_iter().enumerate() {
        let got = out[c] - original[c];
        assert!(
            (got - want).abs() < 1.5e-3,
            "channel {c}: offset {got:.5}, expected {want:.5}"
        );
    }
    let info = instance.value_at("identityInfo", 0.0).ok();
    assert!(
        matches!(info, Some(ParamValue::String(ref s)) if s.contains("hyperswap")),
        "{info:?}"
    );
}

#[test]
fn dfm_masks_shape_the_paste() {
    let plate = astronaut();
    let instance = swap(&plate, &models().join("dfm/identity_224.dfm"));
    set(&instance, "output", ParamValue::Choice(2));
    let learned = render(&instance);
    set(&instance, "learnedMasks", ParamValue::Bool(false));
    let boxed = render(&instance);
    let coverage = |m: &HostImage| m.pixels.iter().map(|p| f64::from(p[3])).sum::<f64>();
    assert!(
        coverage(&learned) < 0.95 * coverage(&boxed),
        "the learned ellipse masks cut the box"
    );
    assert_eq!(instance.persistent_message(), None);
}

#[test]
fn debug_view_and_stamp_are_drawn() {
    let plate = astronaut();
    let instance = swap(&plate, &models().join("per_identity/per_identity_256.onnx"));
    set(&instance, "output", ParamValue::Choice(3));
    let debug = render(&instance);
    assert!(
        max_abs_diff(&debug, &plate) > 0.5,
        "boxes and landmarks drawn"
    );
    set(&instance, "output", ParamValue::Choice(0));
    set(&instance, "stampLabel", ParamValue::Bool(true));
    let stamped = render(&instance);
    assert_eq!(stamped.get(10, 505)[3], 1.0);
    assert!(
        stamped
            .pixels
            .iter()
            .filter(|p| p[0] == 1.0 && p[1] == 1.0 && p[2] == 1.0)
            .count()
            > 50
    );
}

#[test]
fn no_face_leaves_the_frame_untouched_without_a_message() {
    let plate = HostImage::filled(320, 240, [0.2, 0.3, 0.4, 1.0]);
    let instance = swap(&plate, &models().join("per_identity/per_identity_256.onnx"));
    assert_eq!(render(&instance), plate);
    assert_eq!(instance.persistent_message(), None);
}

fn assert_refused(identity: &Path, setup: impl Fn(&Instance), expect: &str) {
    let plate = astronaut();
    let instance = swap(&plate, identity);
    setup(&instance);
    let out = instance
        .render(0.0, &plain())
        .expect("bad input is not a host failure");
    assert_eq!(
        out, plate,
        "the frame must pass through untouched ({expect})"
    );
    let (_, text) = instance
        .persistent_message()
        .unwrap_or_else(|| panic!("no message for {expect}"));
    assert!(
        text.to_lowercase().contains(&expect.to_lowercase()),
        "message {text:?} lacks {expect:?}"
    );
    assert_clean(&instance);
}

#[test]
fn every_bad_identity_is_a_message_naming_the_problem() {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bad_identities");
    std::fs::create_dir_all(&tmp).unwrap();
    let good = std::fs::read(models().join("per_identity/per_identity_256.onnx")).unwrap();
    let truncated = tmp.join("truncated.onnx");
    std::fs::write(&truncated, &good[..good.len() / 3]).unwrap();
    let bad_pack = tmp.join("bad_pack");
    std::fs::create_dir_all(&bad_pack).unwrap();
    std::fs::write(
        bad_pack.join("identity.json"),
        "{ \"schema\": \"doppel.identity/1\", ",
    )
    .unwrap();
    let missing_model = tmp.join("missing_model");
    std::fs::create_dir_all(&missing_model).unwrap();
    let json =
        std::fs::read_to_string(models().join("packs/example_person/identity.json")).unwrap();
    std::fs::write(missing_model.join("identity.json"), json).unwrap();

    let none = |_: &Instance| {};
    assert_refused(Path::new(""), none, "choose an identity");
    assert_refused(&tmp.join("nowhere.onnx"), none, "nowhere.onnx");
    assert_refused(&truncated, none, "truncated.onnx");
    assert_refused(&bad_pack, none, "identity.json");
    assert_refused(&missing_model, none, "model.onnx");
    assert_refused(
        &models().join("recognisers/arcface_w600k_r50.onnx"),
        none,
        "arcface_w600k_r50.onnx",
    );
    assert_refused(
        &models().join("swappers/hyperswap_1a_256.onnx"),
        none,
        "source photos",
    );
    let broken_detector = |i: &Instance| {
        set(
            i,
            "detectorModel",
            ParamValue::String(truncated.display().to_string()),
        )
    };
    assert_refused(
        &models().join("per_identity/per_identity_256.onnx"),
        broken_detector,
        "truncated.onnx",
    );
}

#[test]
fn an_occlusion_model_keeps_what_covers_the_face_from_the_plate() {
    // A saturated blue square over the nose and left cheek: the XSeg stand-in's occluder.
    let (x0, y0, side) = (205, 112, 30);
    let mut plate = astronaut();
    for y in y0..y0 + side {
        for x in x0..x0 + side {
            plate.set(x, y, [0.05, 0.1, 0.95, 1.0]);
        }
    }
    let instance = swap(&plate, &models().join("colour_shift/per_identity_256.onnx"));
    let xseg = models().join("masks/xseg_1.onnx");
    set(
        &instance,
        "occlusionModel",
        ParamValue::String(xseg.display().to_string()),
    );
    let out = render(&instance);
    assert_eq!(instance.persistent_message(), None);
    // Bit-identical under the square, 2 px in from its edge (the paste samples neighbours).
    for y in y0 + 2..y0 + side - 2 {
        for x in x0 + 2..x0 + side - 2 {
            assert_eq!(
                out.get(x, y),
                plate.get(x, y),
                "({x},{y}) under the occluder"
            );
        }
    }
    // The rest of the face is swapped: the colour shift shows 12 px and more from the square.
    let (mut away, mut changed) = (0, 0);
    for y in FACE.y..FACE.y + FACE.height {
        for x in FACE.x..FACE.x + FACE.width {
            let near = (x0.saturating_sub(12)..x0 + side + 12).contains(&x)
                && (y0.saturating_sub(12)..y0 + side + 12).contains(&y);
            if !near {
                away += 1;
                let (o, p) = (out.get(x, y), plate.get(x, y));
                changed += usize::from((0..3).any(|c| (o[c] - p[c]).abs() > 1e-3));
            }
        }
    }
    assert!(
        away > 900 && changed * 100 >= away * 95,
        "{changed} of {away} swapped"
    );
    // Without the occlusion model the square is swapped like the rest.
    set(
        &instance,
        "occlusionModel",
        ParamValue::String(String::new()),
    );
    let unmasked = render(&instance);
    let centre = (x0 + side / 2, y0 + side / 2);
    assert_ne!(
        unmasked.get(centre.0, centre.1),
        plate.get(centre.0, centre.1)
    );
}

#[test]
fn a_dfm_amp_model_gets_the_morph_value() {
    let plate = astronaut();
    let instance = swap(&plate, &models().join("dfm/amp_256.dfm"));
    // The stand-in returns in·(1 − 0.1·morph): the morph slider must reach the model.
    let original = face_mean(&plate);
    for morph in [0.0, 1.0] {
        set(&instance, "morph", ParamValue::Double(morph));
        set(&instance, "learnedMasks", ParamValue::Bool(false));
        let out = face_mean(&render(&instance));
        for c in 0..3 {
            let want = original[c] * (1.0 - 0.1 * morph);
            assert!(
                (out[c] - want).abs() < 0.01,
                "morph {morph}, channel {c}: {} vs {want}",
                out[c]
            );
        }
    }
}
