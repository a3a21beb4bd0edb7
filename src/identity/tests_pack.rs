//! Unit tests for identity packs: the draft pack, and every field's validation error (file,
//! field, message, line).

use serde_json::{json, Value};

use super::schema::SCHEMA;
use super::tests_build::{self as build, fixed, TempDir};
use super::*;
use crate::face::Template;

/// The stand-in engineer's draft, with a 256 per-identity model.
pub(super) fn draft() -> Value {
    json!({
        "schema": "doppel.identity/1",
        "person": {"name": "Example Person"},
        "consent": {"kind": "synthetic", "note": "stand-in"},
        "licence": "CC0-1.0",
        "model": {
            "file": "model.onnx", "kind": "per_identity", "template": "arcface_128",
            "crop_size": 256, "layout": "nchw", "channels": "rgb",
            "normalisation": "minus_one_one", "output_range": "minus_one_one"
        },
        "mask": {"blur": 0.3, "padding": [0, 0, 0, 0]}
    })
}

pub(super) fn per_identity_model() -> Vec<u8> {
    build::model(
        &[("target", fixed(&[1, 3, 256, 256]))],
        &[("output", fixed(&[1, 3, 256, 256]))],
        &[],
        &[],
    )
}

pub(super) fn pack_dir(json: &Value, model: &[u8]) -> TempDir {
    let dir = TempDir::new("pack");
    dir.write("model.onnx", model);
    dir.write(
        "identity.json",
        serde_json::to_string_pretty(json).unwrap().as_bytes(),
    );
    dir
}

pub(super) fn load_json(json: &Value) -> Result<Identity, IdentityError> {
    let dir = pack_dir(json, &per_identity_model());
    load_identity(dir.path())
}

/// The error message of loading the draft after `edit`.
pub(super) fn error_after(edit: impl FnOnce(&mut Value)) -> String {
    let mut v = draft();
    edit(&mut v);
    match load_json(&v) {
        Ok(_) => panic!("expected an error for {v}"),
        Err(e) => e.to_string(),
    }
}

pub(super) fn assert_has(msg: &str, parts: &[&str]) {
    for p in parts {
        assert!(msg.contains(p), "{p:?} missing from: {msg}");
    }
}

#[test]
fn the_draft_pack_loads() {
    let dir = pack_dir(&draft(), &per_identity_model());
    for path in [dir.path().to_path_buf(), dir.path().join("identity.json")] {
        let id = load_identity(&path).unwrap();
        assert_eq!(id.person.as_ref().unwrap().name, "Example Person");
        assert_eq!(id.consent.as_ref().unwrap().kind, ConsentKind::Synthetic);
        assert_eq!(
            (id.licence.as_deref(), id.licence_declared),
            (Some("CC0-1.0"), true)
        );
        let c = &id.conventions;
        assert_eq!(
            (c.kind, c.template, c.crop_size),
            (ModelKind::PerIdentity, Template::Arcface128, 256)
        );
        assert_eq!(
            (c.input.normalisation, c.output_range),
            (Normalisation::MinusOneOne, OutputRange::MinusOneOne)
        );
        assert_eq!(
            (c.io.target.as_str(), c.io.face.as_str()),
            ("target", "output")
        );
        assert_eq!(id.source, IdentitySource::BakedIn);
        assert_eq!(id.mask, MaskDefaults::default());
        assert_eq!(id.model_path, dir.path().join("model.onnx"));
        assert_eq!(
            id.pack.as_deref(),
            Some(dir.path().join("identity.json").as_path())
        );
        assert_eq!(id.licence_text(), "model: CC0-1.0");
    }
}

#[test]
fn json_and_schema_errors_are_precise() {
    let dir = TempDir::new("json");
    let p = dir.write(
        "identity.json",
        b"{\n  \"schema\": \"doppel.identity/1\"\n  \"person\": {}\n}\n",
    );
    assert_has(
        &load_identity(&p).unwrap_err().to_string(),
        &["identity.json: invalid JSON at line 3, column 3: expected `,` or `}`"],
    );
    assert_has(
        &error_after(|v| drop(v.as_object_mut().unwrap().remove("schema"))),
        &["identity.json: schema is missing", SCHEMA],
    );
    assert_has(
        &error_after(|v| v["schema"] = json!("doppel.identity/2")),
        &["schema is \"doppel.identity/2\"", "does not know", SCHEMA],
    );
    assert_has(
        &error_after(|v| v["schema"] = json!("facefusion")),
        &["not a Doppel identity schema"],
    );
    assert_has(
        &error_after(|v| v["modle"] = json!({})),
        &["identity.json: modle is not a known field", "model"],
    );
    let id = {
        let mut v = draft();
        v["x-studio"] = json!({"shot": 12});
        v["model"]["x-note"] = json!("ignored");
        load_json(&v).unwrap()
    };
    assert_eq!(id.display_name(), "Example Person");
}

#[test]
fn person_consent_and_licence_errors_name_their_field() {
    assert_has(
        &error_after(|v| drop(v.as_object_mut().unwrap().remove("person"))),
        &["identity.json: person is required"],
    );
    assert_has(
        &error_after(|v| v["person"]["name"] = json!("  ")),
        &["person.name must not be empty"],
    );
    assert_has(
        &error_after(|v| v["person"]["name"] = json!(5)),
        &["person.name has the wrong type", "got 5"],
    );
    assert_has(
        &error_after(|v| v["person"]["age"] = json!(5)),
        &["person.age is not a known field", "name, notes"],
    );
    assert_has(
        &error_after(|v| drop(v.as_object_mut().unwrap().remove("consent"))),
        &["consent is required"],
    );
    assert_has(
        &error_after(|v| v["consent"]["kind"] = json!("maybe")),
        &["consent.kind", "unknown variant `maybe`", "signed_release"],
    );
    assert_has(
        &error_after(|v| v["consent"] = json!({"kind": "signed_release"})),
        &["consent.reference is required when consent.kind is signed_release"],
    );
    let mut ok = draft();
    ok["consent"] = json!({"kind": "self"});
    assert_eq!(
        load_json(&ok).unwrap().consent.unwrap().kind,
        ConsentKind::SelfConsent
    );
    ok["consent"] = json!({"kind": "licensed", "reference": "agency #42"});
    assert!(load_json(&ok).is_ok());
    assert_has(
        &error_after(|v| v["licence"] = json!("")),
        &["licence must not be empty"],
    );
    assert_has(
        &error_after(|v| v["licence"] = json!("MIT; rm -rf")),
        &["licence must be an SPDX-like identifier", "';'"],
    );
    assert_has(
        &error_after(|v| drop(v.as_object_mut().unwrap().remove("licence"))),
        &["licence is required for a per_identity model"],
    );
    assert!(
        check_licence("MIT OR Apache-2.0").is_ok() && check_licence("LicenseRef-studio-1").is_ok()
    );
}

#[test]
fn model_errors_name_their_field() {
    let dir_err = error_after(|v| v["model"]["file"] = json!("nothere.onnx"));
    assert_has(
        &dir_err,
        &["identity.json: model file nothere.onnx is missing in /"],
    );
    assert_has(
        &error_after(|v| v["model"]["file"] = json!("")),
        &["model.file must name a file"],
    );
    assert_has(
        &error_after(|v| drop(v["model"].as_object_mut().unwrap().remove("file"))),
        &["model.file is required"],
    );
    assert_has(
        &error_after(|v| v["model"]["kind"] = json!("gan")),
        &["model.kind", "unknown variant `gan`", "per_identity"],
    );
    assert_has(
        &error_after(|v| v["model"]["template"] = json!("arcface")),
        &["model.template is not valid", "arcface_112_v1"],
    );
    assert_has(
        &error_after(|v| v["model"]["crop_size"] = json!(0)),
        &["identity.json: model.crop_size must be a positive multiple of 8, got 0"],
    );
    assert_has(
        &error_after(|v| v["model"]["crop_size"] = json!(100)),
        &["model.crop_size must be a positive multiple of 8, got 100"],
    );
    assert_has(
        &error_after(|v| v["model"]["crop_size"] = json!(8192)),
        &["model.crop_size must be at most 4096, got 8192"],
    );
    assert_has(
        &error_after(|v| v["model"]["crop_size"] = json!("256")),
        &["model.crop_size has the wrong type", "\"256\""],
    );
    assert_has(
        &error_after(|v| v["model"]["crop_size"] = json!(128)),
        &["model.crop_size is 128 but the model's input target takes 256×256 crops"],
    );
    assert_has(
        &error_after(|v| v["model"]["layout"] = json!("chw")),
        &["model.layout", "unknown variant `chw`", "nchw"],
    );
    assert_has(
        &error_after(|v| v["model"]["channels"] = json!("rgba")),
        &["model.channels", "`rgb`"],
    );
    assert_has(
        &error_after(|v| v["model"]["normalisation"] = json!("zero_to_one")),
        &["model.normalisation", "imagenet"],
    );
    assert_has(
        &error_after(|v| v["model"]["output_range"] = json!(1)),
        &["model.output_range has the wrong type"],
    );
    assert_has(
        &error_after(|v| v["model"]["output_range"] = json!(null)),
        &["model.output_range must not be null"],
    );
    assert_has(
        &error_after(|v| v["model"]["layout"] = json!("nhwc")),
        &[
            "model.layout is nhwc but the model's input target (1,3,256,256) FLOAT",
            "is not a batch-1 square nhwc image",
        ],
    );
    assert_has(
        &error_after(|v| drop(v["model"].as_object_mut().unwrap().remove("normalisation"))),
        &["model.normalisation is required for a per_identity model"],
    );
    assert_has(
        &error_after(|v| drop(v["model"].as_object_mut().unwrap().remove("template"))),
        &["model.template is required"],
    );
    assert_has(
        &error_after(|v| v["model"]["converter"] = json!("c.onnx")),
        &["model.converter is only used by simswap, ghost and hififace"],
    );
    assert_has(
        &error_after(|v| v["model"]["morph"] = json!(1.5)),
        &["model.morph must be between 0 and 1, got 1.5"],
    );
    // crop_size may be left out when the input is fixed.
    let mut v = draft();
    v["model"].as_object_mut().unwrap().remove("crop_size");
    assert_eq!(load_json(&v).unwrap().conventions.crop_size, 256);
}

#[test]
fn errors_carry_the_line_of_their_key() {
    let msg = error_after(|v| v["model"]["crop_size"] = json!(12));
    let text = serde_json::to_string_pretty(&{
        let mut v = draft();
        v["model"]["crop_size"] = json!(12);
        v
    })
    .unwrap();
    let line = text
        .lines()
        .position(|l| l.contains("\"crop_size\""))
        .unwrap()
        + 1;
    assert!(msg.ends_with(&format!("(line {line})")), "{msg}");
}

#[test]
fn source_mask_and_thumbnail_errors_name_their_field() {
    assert_has(
        &error_after(|v| v["source"] = json!({"photos": ["a.png"]})),
        &["source is only used by generic swappers"],
    );
    assert_has(
        &error_after(|v| v["mask"]["blur"] = json!(2)),
        &["mask.blur must be between 0 and 1, got 2"],
    );
    assert_has(
        &error_after(|v| v["mask"]["padding"] = json!([0, 0, 0])),
        &["mask.padding must be 4 percentages", "got 3 values"],
    );
    assert_has(
        &error_after(|v| v["mask"]["padding"] = json!([0, 0, 150, 0])),
        &["mask.padding[2] must be a percentage between 0 and 100, got 150"],
    );
    assert_has(
        &error_after(|v| v["mask"]["learned"] = json!(true)),
        &["mask.learned is true but model.onnx has no mask outputs"],
    );
    assert_has(
        &error_after(|v| v["mask"]["feather"] = json!(1)),
        &["mask.feather is not a known field"],
    );
    assert_has(
        &error_after(|v| v["thumbnail"] = json!("face.png")),
        &["identity.json: thumbnail face.png is missing in"],
    );
    assert_has(
        &error_after(|v| v["thumbnail"] = json!("face.gif")),
        &["thumbnail must be a .png or .jpg image"],
    );
    let mut v = draft();
    v["mask"] = json!({"blur": 0.5, "padding": [1, 2, 3, 4], "occlusion": true});
    v["thumbnail"] = json!("thumb.png");
    let dir = pack_dir(&v, &per_identity_model());
    dir.write("thumb.png", b"png");
    let id = load_identity(dir.path()).unwrap();
    assert_eq!(
        id.mask,
        MaskDefaults {
            blur: 0.5,
            padding: [1.0, 2.0, 3.0, 4.0],
            occlusion: true,
            learned: false
        }
    );
    assert_eq!(id.thumbnail, Some(dir.path().join("thumb.png")));
}
