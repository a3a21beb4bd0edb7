//! Unit tests for identity vectors: normalisation, averaging, inswapper's latent with a known
//! emap, each family's source vector, FaceFusion's identity weight, embedding files and photo
//! cache keys.

use std::path::PathBuf;

use super::conventions::{ModelKind, SourceInput};
use super::embedding::*;
use super::tests_build::{self as build, TempDir};
use super::IdentityError;

pub(super) fn close(a: &[f32], b: &[f32], tol: f32) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
}

pub(super) fn vector(seed: u32) -> Vec<f32> {
    (0..512)
        .map(|i| (((i * 37 + seed * 11) % 101) as f32 - 50.0) / 25.0)
        .collect()
}

#[test]
fn normalise_and_average() {
    let v = normalise(&[3.0, 4.0]);
    assert_eq!(v, [0.6, 0.8]);
    assert_eq!(normalise(&[0.0, 0.0]), [0.0, 0.0]);
    assert!((l2_norm(&normalise(&vector(1))) - 1.0).abs() < 1e-6);
    let avg = average(&[vec![1.0, 2.0], vec![3.0, -2.0], vec![2.0, 3.0]]).unwrap();
    assert_eq!(avg, [2.0, 1.0]);
    assert_eq!(average(&[]), None);
    assert_eq!(average(&[vec![1.0], vec![1.0, 2.0]]), None);
}

#[test]
fn inswapper_latent_with_a_known_emap() {
    // A permutation-and-scale emap: (e · emap)[j] = 2 · e[(j + 1) mod 512].
    let mut data = vec![0.0f32; 512 * 512];
    for j in 0..512 {
        data[((j + 1) % 512) * 512 + j] = 2.0;
    }
    let emap = Emap::new(512, data).unwrap();
    let e = vector(3);
    let n = l2_norm(&e) as f32;
    let want: Vec<f32> = (0..512).map(|j| e[(j + 1) % 512] / n).collect();
    assert!(close(&inswapper_latent(&e, &emap), &want, 1e-6));
    // The scale of the embedding does not matter.
    let scaled: Vec<f32> = e.iter().map(|x| x * 7.0).collect();
    assert!(close(&inswapper_latent(&scaled, &emap), &want, 1e-6));
    // A general emap: normalise(normalise(e) · M) by hand.
    let values = build::emap_values();
    let m = Emap::new(512, values.clone()).unwrap();
    let en = normalise(&e);
    let raw: Vec<f64> = (0..512)
        .map(|j| {
            (0..512)
                .map(|i| f64::from(en[i]) * f64::from(values[i * 512 + j]))
                .sum()
        })
        .collect();
    let norm = raw.iter().map(|x| x * x).sum::<f64>().sqrt();
    let want: Vec<f32> = raw.iter().map(|x| (x / norm) as f32).collect();
    assert!(close(&inswapper_latent(&e, &m), &want, 1e-6));
    assert!(Emap::new(3, vec![0.0; 8]).is_err());
    assert!(Emap::new(1, vec![f32::NAN]).is_err());
}

#[test]
fn emap_is_read_from_buff2fs_before_the_last_initializer() {
    let values = build::emap_values();
    let bytes = build::swapper(
        128,
        &[1, 512],
        &[
            build::init("buff2fs", &[512, 512], 10, &values),
            build::small_init("z"),
        ],
    );
    let model = crate::onnx::OnnxModel::parse(&bytes).unwrap();
    let emap = Emap::from_model(&model).unwrap();
    let mut e = vec![0.0f32; 512];
    e[511] = 1.0;
    assert_eq!(emap.apply(&e), values[511 * 512..].to_vec());
    let bad =
        crate::onnx::OnnxModel::parse(&build::swapper(128, &[1, 512], &[build::small_init("z")]))
            .unwrap();
    assert!(Emap::from_model(&bad).unwrap_err().contains("512×512"));
}

fn embedding_input(normalise: bool, emap: bool, converter: bool) -> SourceInput {
    SourceInput::Embedding {
        normalise,
        emap,
        converter: converter.then(|| PathBuf::from("c.onnx")),
    }
}

#[test]
fn source_vectors_follow_each_family() {
    let e = vector(5);
    let twice = |v: &[f32]| Ok(v.iter().map(|x| x * 2.0).collect::<Vec<f32>>());
    let never = |_: &[f32]| -> Result<Vec<f32>, IdentityError> { panic!("no converter here") };
    // hyperswap: normalise(emb).
    let h = source_vector(&embedding_input(true, false, false), &e, None, never).unwrap();
    assert!(close(&h, &normalise(&e), 0.0));
    // simswap / hififace: normalise(converter(emb)); ghost: converter(emb).
    let s = source_vector(&embedding_input(true, false, true), &e, None, twice).unwrap();
    assert!(close(&s, &normalise(&e), 1e-7));
    let g = source_vector(&embedding_input(false, false, true), &e, None, twice).unwrap();
    assert!(close(
        &g,
        &e.iter().map(|x| x * 2.0).collect::<Vec<_>>(),
        0.0
    ));
    // inswapper: the latent; without an emap, an error.
    let emap = Emap::new(512, build::emap_values()).unwrap();
    let l = source_vector(&embedding_input(true, true, false), &e, Some(&emap), never).unwrap();
    assert_eq!(l, inswapper_latent(&e, &emap));
    assert!(source_vector(&embedding_input(true, true, false), &e, None, never).is_err());
    // Bad embeddings and converters, and non-vector inputs, are errors.
    assert!(source_vector(&embedding_input(true, false, false), &e[..10], None, never).is_err());
    let short = |_: &[f32]| Ok(vec![0.0; 3]);
    assert!(
        source_vector(&embedding_input(true, false, true), &e, None, short)
            .unwrap_err()
            .to_string()
            .contains("3 values")
    );
    assert!(source_vector(&SourceInput::None, &e, None, never).is_err());
}

#[test]
fn identity_weight_is_facefusions_balance() {
    let source = vector(1);
    let target = vector(2);
    // 0.5 leaves the source untouched, for every family.
    for kind in [
        ModelKind::Inswapper,
        ModelKind::Hyperswap,
        ModelKind::Simswap,
        ModelKind::Ghost,
        ModelKind::Hififace,
    ] {
        assert_eq!(
            identity_weight_mix(&source, &target, 0.5, kind),
            source,
            "{kind}"
        );
    }
    // 0 → 0.65·s + 0.35·t̂; 1 → 1.35·s − 0.35·t̂ (t̂ normalised except for ghost).
    let tn = normalise(&target);
    let at = |w: f32, t: &[f32]| -> Vec<f32> {
        let m = 0.35 - 0.7 * f64::from(w);
        source
            .iter()
            .zip(t)
            .map(|(&s, &t)| (f64::from(s) * (1.0 - m) + f64::from(t) * m) as f32)
            .collect()
    };
    assert!(close(
        &identity_weight_mix(&source, &target, 0.0, ModelKind::Hyperswap),
        &at(0.0, &tn),
        1e-6
    ));
    assert!(close(
        &identity_weight_mix(&source, &target, 1.0, ModelKind::Inswapper),
        &at(1.0, &tn),
        1e-6
    ));
    assert!(close(
        &identity_weight_mix(&source, &target, 0.25, ModelKind::Ghost),
        &at(0.25, &target),
        1e-6
    ));
    // Weights outside 0..1 are clamped (numpy.interp); image swappers are left alone.
    assert_eq!(
        identity_weight_mix(&source, &target, 3.0, ModelKind::Simswap),
        identity_weight_mix(&source, &target, 1.0, ModelKind::Simswap)
    );
    assert_eq!(
        identity_weight_mix(&source, &target, 0.0, ModelKind::Blendswap),
        source
    );
    assert_eq!(
        identity_weight_mix(&source, &target, f32::NAN, ModelKind::Simswap),
        source
    );
}

#[test]
fn embedding_files_in_every_format() {
    let dir = TempDir::new("emb");
    let e = vector(9);
    let json = dir.write("e.json", serde_json::to_string(&e).unwrap().as_bytes());
    assert_eq!(read_embedding_file(&json).unwrap(), e);
    let raw = dir.write(
        "e.bin",
        &e.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>(),
    );
    assert_eq!(read_embedding_file(&raw).unwrap(), e);
    for (descr, size) in [("<f4", 4), ("<f8", 8)] {
        let header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': (1, 512), }}");
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        let pad = 64 - (10 + header.len() + 1) % 64;
        let header = format!("{header}{}\n", " ".repeat(pad));
        bytes.extend((header.len() as u16).to_le_bytes());
        bytes.extend(header.as_bytes());
        for v in &e {
            if size == 4 {
                bytes.extend(v.to_le_bytes());
            } else {
                bytes.extend(f64::from(*v).to_le_bytes());
            }
        }
        let npy = dir.write(&format!("e{size}.npy"), &bytes);
        assert_eq!(read_embedding_file(&npy).unwrap(), e, "{descr}");
    }
    let short = dir.write("s.json", b"[1, 2, 3]");
    assert!(read_embedding_file(&short)
        .unwrap_err()
        .to_string()
        .contains("got 3 values"));
    let junk = dir.write("j.bin", b"abc");
    assert!(read_embedding_file(&junk)
        .unwrap_err()
        .to_string()
        .contains("not an embedding file"));
}

#[test]
fn photo_cache_keys_follow_file_changes() {
    let dir = TempDir::new("key");
    let a = dir.write("a.png", b"one");
    let rec = PathBuf::from("arcface.onnx");
    let k1 = PhotoSetKey::new(std::slice::from_ref(&a), &rec).unwrap();
    assert_eq!(
        k1,
        PhotoSetKey::new(std::slice::from_ref(&a), &rec).unwrap()
    );
    std::fs::write(&a, b"longer").unwrap();
    assert_ne!(
        k1,
        PhotoSetKey::new(std::slice::from_ref(&a), &rec).unwrap()
    );
    assert_ne!(
        k1,
        PhotoSetKey::new(std::slice::from_ref(&a), &PathBuf::from("other.onnx")).unwrap()
    );
    assert!(PhotoSetKey::new(&[dir.path().join("none.png")], &rec).is_err());
}
