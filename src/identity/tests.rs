//! Unit tests for `identity` recognition: every generic model family from synthetic ONNX files
//! (and the stand-ins of tests/models when present), look-alikes, and unrecognisable files.

use super::conventions::*;
use super::recognise::parse_name;
use super::tests_build::{self as build, fixed, stand_in, TempDir};
use super::{load_identity, IdentityError, IdentitySource};
use crate::face::Template;
use crate::onnx::Dim;

pub(super) fn load(
    dir: &TempDir,
    name: &str,
    bytes: &[u8],
) -> Result<super::Identity, IdentityError> {
    load_identity(&dir.write(name, bytes))
}

fn converters(dir: &TempDir) {
    let conv = build::model(
        &[("input", fixed(&[1, 512]))],
        &[("output", fixed(&[1, 512]))],
        &[],
        &[],
    );
    for n in [
        "crossface_simswap.onnx",
        "crossface_ghost.onnx",
        "crossface_hififace.onnx",
    ] {
        dir.write(n, &conv);
    }
}

/// File name, source input, and expected "kind template crop normalisation output_range".
const FAMILIES: [(&str, &str, &str); 9] = [
    (
        "inswapper_128.onnx",
        "emap+",
        "inswapper arcface_128 128 zero_one zero_one",
    ),
    (
        "renamed.onnx",
        "emap",
        "inswapper arcface_128 128 zero_one zero_one",
    ),
    (
        "hyperswap_1b_256.onnx",
        "v256",
        "hyperswap arcface_128 256 minus_one_one minus_one_one",
    ),
    (
        "simswap_256.onnx",
        "v256",
        "simswap arcface_112_v1 256 imagenet zero_one",
    ),
    (
        "whatever_512.onnx",
        "v512",
        "simswap arcface_112_v1 512 zero_one zero_one",
    ),
    (
        "ghost_3_256.onnx",
        "v256",
        "ghost arcface_112_v1 256 minus_one_one minus_one_one",
    ),
    (
        "hififace_unofficial_256.onnx",
        "v256",
        "hififace mtcnn_512 256 minus_one_one minus_one_one",
    ),
    ("a.onnx", "i112", "blendswap ffhq_512 256 zero_one zero_one"),
    (
        "b.onnx",
        "i256",
        "uniface ffhq_512 256 minus_one_one minus_one_one",
    ),
];

fn family_bytes(source: &str) -> Vec<u8> {
    let emap = || build::init("buff2fs", &[512, 512], 1, &build::emap_values());
    match source {
        "emap+" => build::swapper(128, &[1, 512], &[emap(), build::small_init("w")]),
        "emap" => build::swapper(128, &[1, 512], &[emap()]),
        "v256" => build::swapper(256, &[1, 512], &[]),
        "v512" => build::swapper(512, &[1, 512], &[]),
        "i112" => build::swapper(256, &[1, 3, 112, 112], &[]),
        _ => build::swapper(256, &[1, 3, 256, 256], &[]),
    }
}

#[test]
fn recognises_every_generic_family_by_signature_and_name() {
    let dir = TempDir::new("families");
    converters(&dir);
    for (name, source, expected) in FAMILIES {
        let e: Vec<&str> = expected.split(' ').collect();
        let kind: ModelKind = parse_name(e[0]).unwrap();
        let template: Template = e[1].parse().unwrap();
        let crop: usize = e[2].parse().unwrap();
        let norm: Normalisation = parse_name(e[3]).unwrap();
        let range: OutputRange = parse_name(e[4]).unwrap();
        let id = load(&dir, name, &family_bytes(source)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let c = &id.conventions;
        assert_eq!(
            (c.kind, c.template, c.crop_size),
            (kind, template, crop),
            "{name}"
        );
        assert_eq!(
            (c.input.normalisation, c.output_range),
            (norm, range),
            "{name}"
        );
        assert_eq!(
            (c.input.layout, c.input.channels),
            (Layout::Nchw, ChannelOrder::Rgb),
            "{name}"
        );
        assert_eq!(c.io.target, "target");
        assert_eq!(c.io.source.as_deref(), Some("source"));
        assert_eq!(c.io.face, "output");
        assert!(c.io.masks.is_empty() && !c.learned_masks && c.morph.is_none());
        assert_eq!(id.source, IdentitySource::Missing, "{name}");
        assert!(id.needs_source() && id.person.is_none() && id.consent.is_none());
        assert_eq!(id.licence.as_deref(), kind.family_licence(), "{name}");
        assert!(!id.licence_declared);
        match (&c.source, kind) {
            (
                SourceInput::Embedding { converter, .. },
                ModelKind::Simswap | ModelKind::Ghost | ModelKind::Hififace,
            ) => {
                let file = converter
                    .as_ref()
                    .unwrap()
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                assert_eq!(file, format!("crossface_{kind}.onnx"));
            }
            (
                SourceInput::Embedding {
                    normalise,
                    emap,
                    converter,
                },
                ModelKind::Inswapper,
            ) => {
                assert!(*normalise && *emap && converter.is_none());
                assert_eq!(id.emap.as_ref().unwrap().dim(), 512);
            }
            (
                SourceInput::Embedding {
                    normalise,
                    emap,
                    converter,
                },
                ModelKind::Hyperswap,
            ) => {
                assert!(*normalise && !*emap && converter.is_none());
            }
            (SourceInput::Image { template, size, .. }, ModelKind::Blendswap) => {
                assert_eq!((*template, *size), (Template::Arcface112V2, 112));
            }
            (SourceInput::Image { template, size, .. }, ModelKind::Uniface) => {
                assert_eq!((*template, *size), (Template::Ffhq512, 256));
            }
            other => panic!("{name}: unexpected source {other:?}"),
        }
        assert!(
            id.licence_text().contains("model: "),
            "{}",
            id.licence_text()
        );
    }
}

#[test]
fn inswapper_emap_fp16_falls_back_to_the_last_initializer() {
    let dir = TempDir::new("fp16");
    let values = build::emap_values();
    let bytes = build::swapper(
        128,
        &[1, 512],
        &[
            build::small_init("w"),
            build::init("emap_fp16", &[512, 512], 10, &values),
        ],
    );
    let id = load(&dir, "inswapper_128_fp16.onnx", &bytes).unwrap();
    let emap = id.emap.unwrap();
    let mut e = vec![0.0f32; 512];
    e[3] = 1.0;
    let row = emap.apply(&e);
    assert_eq!(row, values[3 * 512..4 * 512].to_vec());
    // An inswapper signature without any 512×512 initializer cannot work.
    let err = load(
        &dir,
        "inswapper_128.onnx",
        &build::swapper(128, &[1, 512], &[build::small_init("w")]),
    )
    .unwrap_err();
    assert!(err.to_string().contains("emap"), "{err}");
}

#[test]
fn look_alike_swappers_without_a_telling_name_are_refused_with_advice() {
    let dir = TempDir::new("ambiguous");
    let err = load(&dir, "model.onnx", &build::swapper(256, &[1, 512], &[])).unwrap_err();
    let msg = err.to_string();
    for w in [
        "hyperswap",
        "simswap",
        "ghost",
        "hififace",
        "rename",
        "model.kind",
        "target (1,3,256,256)",
    ] {
        assert!(msg.contains(w), "{w} missing from: {msg}");
    }
    // simswap without its converter next to it.
    let err = load(
        &dir,
        "simswap_256.onnx",
        &build::swapper(256, &[1, 512], &[]),
    )
    .unwrap_err();
    assert!(err.to_string().contains("crossface_simswap.onnx"), "{err}");
}

#[test]
fn unrecognisable_models_say_what_they_have_and_how_to_declare() {
    let dir = TempDir::new("unknown");
    let bytes = build::model(
        &[(
            "pixels",
            vec![
                Dim::Param("N".into()),
                Dim::Fixed(3),
                Dim::Fixed(64),
                Dim::Fixed(64),
            ],
        )],
        &[("logits", fixed(&[1, 10]))],
        &[],
        &[],
    );
    let msg = load(&dir, "classifier.onnx", &bytes)
        .unwrap_err()
        .to_string();
    for w in [
        "pixels (N,3,64,64) FLOAT",
        "logits (1,10) FLOAT",
        "identity.json",
        "doppel.template",
        "metadata_props",
    ] {
        assert!(msg.contains(w), "{w} missing from: {msg}");
    }
    assert!(load(&dir, "junk.onnx", b"not a model at all")
        .unwrap_err()
        .to_string()
        .contains("not an ONNX model"));
    assert!(load(&dir, "notes.txt", b"x")
        .unwrap_err()
        .to_string()
        .contains(".dfm"));
    assert!(load_identity(&dir.path().join("absent.onnx")).is_err());
    let err = load_identity(dir.path()).unwrap_err().to_string();
    assert!(err.contains("has no identity.json"), "{err}");
}

#[test]
fn stand_in_models_are_recognised_when_present() {
    let cases = [
        ("swappers/inswapper_128.onnx", ModelKind::Inswapper),
        ("swappers/inswapper_128_fp16.onnx", ModelKind::Inswapper),
        ("probes/inswapper_128_fp16.onnx", ModelKind::Inswapper),
        ("swappers/hyperswap_1a_256.onnx", ModelKind::Hyperswap),
        ("swappers/simswap_256.onnx", ModelKind::Simswap),
        ("swappers/simswap_unofficial_512.onnx", ModelKind::Simswap),
        ("swappers/ghost_1_256.onnx", ModelKind::Ghost),
        ("swappers/hififace_unofficial_256.onnx", ModelKind::Hififace),
        ("swappers/blendswap_256.onnx", ModelKind::Blendswap),
        ("swappers/uniface_256.onnx", ModelKind::Uniface),
        ("probes/simswap_256.onnx", ModelKind::Simswap),
        ("probes/ghost_1_256.onnx", ModelKind::Ghost),
        ("dfm/identity_224.dfm", ModelKind::Dfm),
        ("dfm/amp_256.dfm", ModelKind::Dfm),
        ("per_identity/per_identity_512.onnx", ModelKind::PerIdentity),
        (
            "per_identity/per_identity_bgr_nhwc_256.onnx",
            ModelKind::PerIdentity,
        ),
    ];
    let mut seen = 0;
    for (rel, kind) in cases {
        let Some(path) = stand_in(rel) else { continue };
        let id = load_identity(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(id.kind(), kind, "{rel}");
        seen += 1;
    }
    eprintln!("{seen} stand-in models recognised");
}

#[test]
fn a_licence_in_metadata_does_not_make_a_generic_swapper_per_identity() {
    let dir = TempDir::new("licence");
    let emap = build::init("buff2fs", &[512, 512], 1, &build::emap_values());
    let bytes = build::model(
        &[
            ("target", fixed(&[1, 3, 128, 128])),
            ("source", fixed(&[1, 512])),
        ],
        &[("output", fixed(&[1, 3, 128, 128]))],
        &[emap],
        &[("doppel.licence", "LicenseRef-studio")],
    );
    let id = load(&dir, "swapper.onnx", &bytes).unwrap();
    assert_eq!(id.kind(), ModelKind::Inswapper);
    assert_eq!(id.licence.as_deref(), Some("LicenseRef-studio"));
    assert!(id.licence_declared);
}
