//! Identity tests that run models with ONNX Runtime (the library in .cache/assets, as the
//! runtime's own tests): the recogniser's crop and normalisation, photo embeddings (largest face,
//! average, cache), converters and the source image of blendswap.

use std::path::PathBuf;
use std::sync::Arc;

use super::arcface::*;
use super::conventions::Normalisation;
use super::tests_build::{self as build, fixed, stand_in, TempDir};
use super::tests_vectors::{close, vector};
use super::{load_identity, IdentitySource};
use crate::face::{align, warp_to_crop, Landmarks, Template};
use crate::onnx::wire::Writer;
use crate::runtime::{Device, Tensor};
use crate::Frame;

fn node(op: &str, inputs: &[&str], output: &str, axis: Option<i64>) -> Writer {
    let mut n = Writer::new();
    for i in inputs {
        n.string(1, i);
    }
    n.string(2, output).string(3, output).string(4, op);
    if let Some(a) = axis {
        let mut attr = Writer::new();
        attr.string(1, "axis").int64(3, a).varint(20, 2);
        n.message(5, &attr);
    }
    n
}

fn i64_init(name: &str, values: &[i64]) -> Writer {
    let mut t = Writer::new();
    t.int64(1, values.len() as i64).varint(2, 7).string(8, name);
    t.bytes(
        9,
        &values
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect::<Vec<u8>>(),
    );
    t
}

/// Graph `nodes` wrapped as a model with one input and one output.
fn graph_model(
    nodes: &[Writer],
    inits: &[Writer],
    input: (&str, &[i64]),
    output: (&str, &[i64]),
) -> Vec<u8> {
    build::model_with_nodes(
        nodes,
        &[(input.0, fixed(input.1))],
        &[(output.0, fixed(output.1))],
        inits,
        &[],
    )
}

/// Points the runtime at the test library (as the runtime's own tests do).
fn init_runtime() {
    let path = std::env::var_os("DOPPEL_ORT_LIB")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".cache/assets/libonnxruntime.so.1.31.1")
        });
    assert!(
        path.is_file(),
        "the ONNX Runtime library {} is missing: run `bash scripts/assets.sh` first",
        path.display()
    );
    crate::runtime::set_library_path(&path);
}

/// A "recogniser" whose embedding is the first 512 input values (the top of the R plane).
fn toy_recogniser(dir: &TempDir) -> PathBuf {
    let nodes = [
        node("Flatten", &["x"], "flat", Some(1)),
        node("Slice", &["flat", "starts", "ends", "axes"], "emb", None),
    ];
    let inits = [
        i64_init("starts", &[0]),
        i64_init("ends", &[512]),
        i64_init("axes", &[1]),
    ];
    dir.write(
        "arcface.onnx",
        &graph_model(&nodes, &inits, ("x", &[1, 3, 112, 112]), ("emb", &[1, 512])),
    )
}

fn photo_frame() -> Frame {
    Frame::from_fn(160, 160, |x, y| {
        [x as f32 / 159.0, y as f32 / 159.0, 0.5, 1.0]
    })
}

fn face_in_photo() -> FoundFace {
    let pts = Template::Arcface112V2
        .points(112)
        .map(|(x, y)| (x + 20.0, y + 25.0));
    FoundFace {
        bbox: [20.0, 25.0, 132.0, 137.0],
        landmarks: Landmarks::new(pts),
    }
}

#[test]
fn recogniser_converter_and_photos_run_end_to_end() {
    init_runtime();
    let dir = TempDir::new("run");
    let rec = Recogniser::load(&toy_recogniser(&dir), Device::Cpu).unwrap();
    let frame = photo_frame();
    let face = face_in_photo();
    let emb = rec.embed(&frame, &face.landmarks).unwrap();
    let m = align(&face.landmarks, Template::Arcface112V2, 112).unwrap();
    let want = crate::identity::crop_to_tensor(&warp_to_crop(&frame, &m, 112), &RECOGNISER_FORMAT);
    assert!(close(&emb, &want.as_f32().unwrap()[..512], 1e-6));

    // Photos: largest face each, averaged, cached.
    let img = image::RgbImage::from_fn(160, 160, |x, y| {
        image::Rgb([(x * 255 / 159) as u8, (y * 255 / 159) as u8, 128])
    });
    let p1 = dir.path().join("p1.png");
    img.save(&p1).unwrap();
    let small = FoundFace {
        bbox: [0.0, 0.0, 10.0, 10.0],
        ..face.clone()
    };
    let finder = |_: &Frame| Ok(vec![small.clone(), face.clone()]);
    let a = embed_photos(&[p1.clone(), p1.clone()], &finder, &rec).unwrap();
    let loaded = load_photo(&p1).unwrap();
    assert!(close(
        &a,
        &rec.embed(&loaded, &face.landmarks).unwrap(),
        1e-6
    ));
    assert!(Arc::ptr_eq(
        &a,
        &embed_photos(&[p1.clone(), p1.clone()], &finder, &rec).unwrap()
    ));
    let none = |_: &Frame| Ok(Vec::new());
    let err = embed_photos(
        &[dir.write("blank.png", &std::fs::read(&p1).unwrap())],
        &none,
        &rec,
    )
    .unwrap_err();
    assert!(err.to_string().contains("no face found"), "{err}");

    // A ghost identity from the stored embedding: converter(emb), not normalised.
    let conv = [node("Mul", &["input", "k"], "output", None)];
    let k = build::init("k", &[], 1, &[0.5]);
    dir.write(
        "crossface_ghost.onnx",
        &graph_model(&conv, &[k], ("input", &[1, 512]), ("output", &[1, 512])),
    );
    let ghost = load_identity(&dir.write("ghost_1_256.onnx", &build::swapper(256, &[1, 512], &[])))
        .unwrap();
    let stored = vector(4);
    let id = super::Identity {
        source: IdentitySource::Embedding(Arc::new(stored.clone())),
        ..ghost.clone()
    };
    let PreparedSource::Vector(v) = prepare_source(&id, None, None, Device::Cpu).unwrap() else {
        panic!()
    };
    assert!(close(
        &v,
        &stored.iter().map(|x| x * 0.5).collect::<Vec<_>>(),
        1e-7
    ));
    assert!(prepare_source(&ghost, None, None, Device::Cpu)
        .unwrap_err()
        .to_string()
        .contains("Source photos"));
    let id = ghost.with_photos(vec![p1.clone()]).unwrap();
    let PreparedSource::Vector(v) =
        prepare_source(&id, Some(&finder), Some(&rec), Device::Cpu).unwrap()
    else {
        panic!()
    };
    assert!(close(
        &v,
        &a.iter().map(|x| x * 0.5).collect::<Vec<_>>(),
        1e-6
    ));

    // blendswap: the first photo's largest face, aligned with arcface_112_v2 at 112, x/255.
    let blend = load_identity(&dir.write(
        "blendswap_256.onnx",
        &build::swapper(256, &[1, 3, 112, 112], &[]),
    ))
    .unwrap();
    let id = blend.with_photos(vec![p1.clone()]).unwrap();
    let PreparedSource::Image(t) = prepare_source(&id, Some(&finder), None, Device::Cpu).unwrap()
    else {
        panic!()
    };
    let want = source_image(
        &loaded,
        &face,
        Template::Arcface112V2,
        112,
        Normalisation::ZeroOne,
    )
    .unwrap();
    assert_eq!(t.shape, [1, 3, 112, 112]);
    assert_eq!(t, want);
    let _: Tensor = t;
}

/// tests/models/README.md's worked example: the source vectors of each family for the example
/// pack's embedding (v[0], v[1], ‖v‖), through the probes' emap and converters.
#[test]
fn source_vectors_match_the_stand_ins_worked_example() {
    let (Some(emb), Some(probes)) = (
        stand_in("packs/example_generic/embedding.json"),
        stand_in("probes"),
    ) else {
        return;
    };
    init_runtime();
    let emb = super::embedding::read_embedding_file(&emb).unwrap();
    let table = [
        ("inswapper_128.onnx", 0.0100818, 0.0161334, 1.0),
        ("inswapper_128_fp16.onnx", 0.0100818, 0.0161334, 1.0),
        ("hyperswap_1a_256.onnx", 0.0359560, -0.0603706, 1.0),
        ("simswap_256.onnx", -0.0603706, 0.0654015, 1.0),
        ("simswap_unofficial_512.onnx", -0.0603706, 0.0654015, 1.0),
        ("ghost_1_256.onnx", 0.9765625, -0.6855469, 13.1997216),
        ("hififace_unofficial_256.onnx", 0.0230829, 0.0716161, 1.0),
    ];
    for (file, v0, v1, norm) in table {
        let bare = load_identity(&probes.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let source = IdentitySource::Embedding(Arc::new(emb.clone()));
        let id = super::Identity { source, ..bare };
        let Ok(PreparedSource::Vector(v)) = prepare_source(&id, None, None, Device::Cpu) else {
            panic!("{file}: no vector")
        };
        let n = super::embedding::l2_norm(&v);
        assert!(
            (f64::from(v[0]) - v0).abs() < 1e-6,
            "{file}: v[0] = {}",
            v[0]
        );
        assert!(
            (f64::from(v[1]) - v1).abs() < 1e-6,
            "{file}: v[1] = {}",
            v[1]
        );
        assert!((n - norm).abs() < 1e-5, "{file}: |v| = {n}");
    }
}

#[test]
fn the_stand_in_recogniser_gives_its_bias_for_mid_grey() {
    let Some(path) = stand_in("recognisers/arcface_w600k_r50.onnx") else {
        return;
    };
    init_runtime();
    let rec = Recogniser::load(&path, Device::Cpu).unwrap();
    let grey = Frame::filled(300, 300, [0.5, 0.5, 0.5, 1.0]);
    let face = face_in_photo();
    let e = rec.embed(&grey, &face.landmarks).unwrap();
    assert!(
        close(&e[..3], &[-0.04736328, 0.00097656, -0.11572266], 1e-6),
        "{:?}",
        &e[..3]
    );
}
