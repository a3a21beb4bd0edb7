//! Unit tests for per-identity models: DeepFaceLive `.dfm` files (names, layout, learned masks,
//! morph) and ONNX exports declaring Doppel conventions in their metadata.

use super::conventions::*;
use super::recognise::DFM_MORPH_DEFAULT;
use super::tests::load;
use super::tests_build::{self as build, fixed, TempDir};
use super::IdentitySource;
use crate::face::Template;
use crate::onnx::Dim;

fn dfm_bytes(size: i64, morph: bool, shuffled: bool) -> Vec<u8> {
    let n = || Dim::Param("N".into());
    let img = |c: i64| vec![n(), Dim::Fixed(size), Dim::Fixed(size), Dim::Fixed(c)];
    let mut inputs = vec![("in_face:0", img(3))];
    if morph {
        inputs.push(("morph_value:0", fixed(&[1])));
    }
    let mut outputs = vec![
        ("out_face_mask:0", img(1)),
        ("out_celeb_face:0", img(3)),
        ("out_celeb_face_mask:0", img(1)),
    ];
    if shuffled {
        outputs.rotate_left(1);
    }
    build::model(&inputs, &outputs, &[], &[])
}

#[test]
fn dfm_files_are_recognised_with_their_learned_masks_and_morph() {
    let dir = TempDir::new("dfm");
    for (name, size, morph, shuffled) in [
        ("Jane.dfm", 224, false, false),
        ("amp.dfm", 256, true, true),
    ] {
        let id = load(&dir, name, &dfm_bytes(size, morph, shuffled)).unwrap();
        let c = &id.conventions;
        assert_eq!(
            (c.kind, c.template, c.crop_size),
            (ModelKind::Dfm, Template::DflWholeFace, size as usize)
        );
        let fmt = TensorFormat {
            layout: Layout::Nhwc,
            channels: ChannelOrder::Bgr,
            normalisation: Normalisation::ZeroOne,
        };
        assert_eq!(
            (c.input, c.output, c.output_range),
            (fmt, fmt, OutputRange::ZeroOne)
        );
        assert_eq!(c.io.target, "in_face:0");
        assert_eq!(c.io.face, "out_celeb_face:0");
        let mut masks = c.io.masks.clone();
        masks.sort();
        assert_eq!(masks, ["out_celeb_face_mask:0", "out_face_mask:0"]);
        assert!(c.learned_masks && id.mask.learned);
        assert_eq!(
            c.morph,
            morph.then(|| ("morph_value:0".to_owned(), DFM_MORPH_DEFAULT))
        );
        assert_eq!(id.source, IdentitySource::BakedIn);
        assert_eq!(
            id.person.as_ref().unwrap().name,
            name.trim_end_matches(".dfm")
        );
        assert!(id.clone().with_photos(vec![dir.path().join(name)]).is_err());
    }
}

#[test]
fn doppel_metadata_declares_a_per_identity_export() {
    let dir = TempDir::new("meta");
    let meta = [
        ("doppel.template", "ffhq_512"),
        ("doppel.crop_size", "256"),
        ("doppel.layout", "nhwc"),
        ("doppel.channels", "bgr"),
        ("doppel.normalisation", "imagenet"),
        ("doppel.output_range", "raw255"),
        ("doppel.person", "Ada Example"),
        ("doppel.licence", "CC-BY-4.0"),
    ];
    let io = |c: i64| fixed(&[1, 256, 256, c]);
    let bytes = build::model(
        &[("target", io(3))],
        &[("output", io(3)), ("mask", io(1))],
        &[],
        &meta,
    );
    let id = load(&dir, "ada.onnx", &bytes).unwrap();
    let c = &id.conventions;
    assert_eq!(
        (c.kind, c.template, c.crop_size),
        (ModelKind::PerIdentity, Template::Ffhq512, 256)
    );
    assert_eq!(
        (c.input.layout, c.input.channels, c.input.normalisation),
        (Layout::Nhwc, ChannelOrder::Bgr, Normalisation::Imagenet)
    );
    assert_eq!(
        (c.output_range, c.output.normalisation),
        (OutputRange::Raw255, Normalisation::Raw255)
    );
    assert_eq!(
        (c.io.face.as_str(), c.io.masks.clone()),
        ("output", vec!["mask".to_owned()])
    );
    assert_eq!(id.person.unwrap().name, "Ada Example");
    assert_eq!(
        (id.licence.as_deref(), id.licence_declared),
        (Some("CC-BY-4.0"), true)
    );

    // A wrong value names the key; a missing one says which keys are needed.
    let mut bad = meta.to_vec();
    bad[2] = ("doppel.layout", "chw");
    let err = load(
        &dir,
        "bad.onnx",
        &build::model(&[("target", io(3))], &[("output", io(3))], &[], &bad),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("doppel.layout") && err.to_string().contains("nchw"),
        "{err}"
    );
    let err = load(
        &dir,
        "half.onnx",
        &build::model(&[("target", io(3))], &[("output", io(3))], &[], &meta[..2]),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("channels") && err.to_string().contains("doppel.channels"),
        "{err}"
    );
    // crop_size contradicting the input.
    let mut wrong = meta.to_vec();
    wrong[1] = ("doppel.crop_size", "128");
    let err = load(
        &dir,
        "wrong.onnx",
        &build::model(&[("target", io(3))], &[("output", io(3))], &[], &wrong),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("crop_size is 128") && err.to_string().contains("256×256"),
        "{err}"
    );
}
