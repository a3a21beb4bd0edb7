//! Unit tests for generic-swapper packs (embeddings, photos, converters, kind checks), pack
//! serialisation, and the stand-in packs of tests/models when present.

use serde_json::{json, Value};

use super::schema::{parse_pack_text, PackFile, SCHEMA};
use super::tests_build::{self as build, stand_in};
use super::tests_pack::{assert_has, pack_dir, per_identity_model};
use super::*;
use crate::face::Template;

fn generic(kind: &str, source: Value) -> Value {
    json!({
        "schema": SCHEMA, "person": {"name": "G"}, "consent": {"kind": "self"},
        "model": {"file": "model.onnx", "kind": kind}, "source": source
    })
}

#[test]
fn generic_packs_take_embeddings_or_photos() {
    let hyper = build::swapper(256, &[1, 512], &[]);
    let values: Vec<f64> = (0..512).map(|i| f64::from(i % 7) / 8.0).collect();
    let dir = pack_dir(&generic("hyperswap", json!({"embedding": values})), &hyper);
    let id = load_identity(dir.path()).unwrap();
    assert_eq!(id.kind(), ModelKind::Hyperswap);
    let IdentitySource::Embedding(e) = &id.source else {
        panic!("{:?}", id.source)
    };
    assert_eq!(e[9], 2.0 / 8.0);
    assert_eq!(
        (id.licence.as_deref(), id.licence_declared),
        (Some("ResearchRAIL"), false)
    );
    assert_has(
        &id.licence_text(),
        &[
            "ResearchRAIL (hyperswap family)",
            "ArcFace recogniser: Non-commercial",
        ],
    );

    let check = |source: Value, parts: &[&str]| {
        let dir = pack_dir(&generic("hyperswap", source), &hyper);
        dir.write("a.png", b"png");
        dir.write(
            "e.json",
            serde_json::to_string(&vec![0.5; 512]).unwrap().as_bytes(),
        );
        match load_identity(dir.path()) {
            Ok(id) => {
                assert!(parts.is_empty(), "loaded, expected {parts:?}");
                id.source
            }
            Err(e) => {
                assert_has(&e.to_string(), parts);
                IdentitySource::Missing
            }
        }
    };
    assert_has(
        &format!(
            "{:?}",
            check(
                json!({"embedding": [1.0, 2.0]}),
                &["source.embedding must hold 512 numbers, got 2"]
            )
        ),
        &["Missing"],
    );
    check(
        json!({"embedding": "e.json", "photos": ["a.png"]}),
        &["source must give either embedding or photos, not both"],
    );
    check(json!({}), &["source must give embedding or photos"]);
    check(
        json!({"photos": []}),
        &["source.photos must list at least one photo"],
    );
    check(
        json!({"photos": ["a.png", "b.png"]}),
        &["identity.json: source.photos[1] file b.png is missing in"],
    );
    check(
        json!({"photos": ["a.txt"]}),
        &["source.photos[0] must be a .png or .jpg image"],
    );
    check(
        json!({"embedding": "nope.json"}),
        &["source.embedding file nope.json is missing"],
    );
    check(
        json!({"embedding": 3}),
        &["source.embedding has the wrong type"],
    );
    let stored = check(json!({"embedding": "e.json"}), &[]);
    assert!(matches!(stored, IdentitySource::Embedding(e) if e[0] == 0.5));
    let photos = check(json!({"photos": ["a.png"]}), &[]);
    assert!(matches!(photos, IdentitySource::Photos(p) if p.len() == 1));
    // Without a source the Face Swap parameter must supply one.
    let mut v = generic("hyperswap", json!(null));
    v.as_object_mut().unwrap().remove("source");
    let dir = pack_dir(&v, &hyper);
    let id = load_identity(dir.path()).unwrap();
    assert!(id.needs_source());
    let photo = dir.write("p.jpg", b"jpg");
    assert_eq!(
        id.clone().with_photos(vec![photo.clone()]).unwrap().source,
        IdentitySource::Photos(vec![photo])
    );
    assert!(id
        .with_photos(vec![dir.path().join("missing.jpg")])
        .is_err());
}

#[test]
fn generic_pack_models_must_fit_their_kind() {
    let blend = build::swapper(256, &[1, 3, 112, 112], &[]);
    let dir = pack_dir(
        &generic("blendswap", json!({"embedding": vec![0.0; 512]})),
        &blend,
    );
    assert_has(
        &load_identity(dir.path()).unwrap_err().to_string(),
        &[
            "source.embedding cannot drive a blendswap model",
            "source.photos",
        ],
    );
    let sim = build::swapper(256, &[1, 512], &[]);
    let dir = pack_dir(
        &generic("simswap", json!({"embedding": vec![0.0; 512]})),
        &sim,
    );
    assert_has(
        &load_identity(dir.path()).unwrap_err().to_string(),
        &[
            "model.converter is required for simswap models",
            "crossface_simswap.onnx",
        ],
    );
    let mut v = generic("simswap", json!({"embedding": vec![0.0; 512]}));
    v["model"]["converter"] = json!("conv.onnx");
    let dir = pack_dir(&v, &sim);
    assert_has(
        &load_identity(dir.path()).unwrap_err().to_string(),
        &["converter file conv.onnx is missing in"],
    );
    dir.write("conv.onnx", b"");
    let id = load_identity(dir.path()).unwrap();
    let SourceInput::Embedding {
        converter: Some(c),
        normalise: true,
        ..
    } = &id.conventions.source
    else {
        panic!("{:?}", id.conventions.source)
    };
    assert!(c.ends_with("conv.onnx"));
    let dir = pack_dir(
        &generic("inswapper", json!({"embedding": vec![0.0; 512]})),
        &per_identity_model(),
    );
    assert_has(
        &load_identity(dir.path()).unwrap_err().to_string(),
        &["model.kind is inswapper but the model has no identity (source) input"],
    );
    let dir = pack_dir(
        &generic("inswapper", json!({"embedding": vec![0.0; 512]})),
        &build::swapper(128, &[1, 512], &[]),
    );
    assert_has(
        &load_identity(dir.path()).unwrap_err().to_string(),
        &["emap"],
    );
    // A pack may override the family's conventions (an odd re-export).
    let mut v = generic("hyperswap", json!({"embedding": vec![0.0; 512]}));
    v["model"]["template"] = json!("ffhq_512");
    let id = load_identity(pack_dir(&v, &build::swapper(256, &[1, 512], &[])).path()).unwrap();
    assert_eq!(id.conventions.template, Template::Ffhq512);
}

#[test]
fn pack_files_serialise_and_parse_back() {
    let mut v = generic("hyperswap", json!({"photos": ["a.png"]}));
    v["mask"] =
        json!({"blur": 0.25, "padding": [0, 5, 0, 5], "occlusion": false, "learned": false});
    v["licence"] = json!("LicenseRef-x");
    let path = std::path::Path::new("identity.json");
    let pack: PackFile = parse_pack_text(path, &v.to_string()).unwrap();
    let text = serde_json::to_string_pretty(&pack).unwrap();
    assert_eq!(parse_pack_text(path, &text).unwrap(), pack);
    assert_eq!(pack.model.kind, ModelKind::Hyperswap);
}

#[test]
fn stand_in_packs_load_when_present() {
    if let Some(dir) = stand_in("packs/example_person") {
        let id = load_identity(&dir).unwrap();
        assert_eq!(
            (id.kind(), id.conventions.crop_size),
            (ModelKind::PerIdentity, 256)
        );
        assert_eq!(id.consent.unwrap().kind, ConsentKind::Synthetic);
    }
    if let Some(dir) = stand_in("packs/example_generic") {
        let id = load_identity(&dir).unwrap();
        assert_eq!(id.kind(), ModelKind::Hyperswap);
        assert!(matches!(id.source, IdentitySource::Embedding(ref e) if e.len() == 512));
    }
}
