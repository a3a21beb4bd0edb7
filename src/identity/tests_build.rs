//! Test helpers for `identity`: small ONNX files written with the crate's own protobuf writer,
//! a self-removing temp folder, and the stand-in models of tests/models when present.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::onnx::wire::Writer;
use crate::onnx::Dim;

pub fn fixed(dims: &[i64]) -> Vec<Dim> {
    dims.iter().map(|&d| Dim::Fixed(d)).collect()
}

fn value_info(name: &str, dims: &[Dim]) -> Writer {
    // The shape encoding is the ONNX reader's own test builder.
    let shape = crate::onnx::tests::shape(dims);
    let mut tensor = Writer::new();
    tensor.varint(1, 1).message(2, &shape);
    let mut ty = Writer::new();
    ty.message(1, &tensor);
    let mut v = Writer::new();
    v.string(1, name).message(2, &ty);
    v
}

/// An initializer: FLOAT (`data_type` 1, f32 values) or FLOAT16 (10, values rounded to half).
pub fn init(name: &str, dims: &[i64], data_type: u64, values: &[f32]) -> Writer {
    let raw: Vec<u8> = if data_type == 10 {
        values
            .iter()
            .flat_map(|v| f32_to_f16(*v).to_le_bytes())
            .collect()
    } else {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    };
    let mut t = Writer::new();
    for &d in dims {
        t.int64(1, d);
    }
    t.varint(2, data_type).string(8, name).bytes(9, &raw);
    t
}

/// Half-precision bits of `v` (round to nearest; test values are exact in half).
pub fn f32_to_f16(v: f32) -> u16 {
    let b = v.to_bits();
    let sign = ((b >> 16) & 0x8000) as u16;
    let exp = ((b >> 23) & 0xff) as i32 - 127 + 15;
    let man = b & 0x7f_ffff;
    if v == 0.0 {
        return sign;
    }
    if exp <= 0 {
        let m = (man | 0x80_0000) >> (14 - exp);
        return sign | ((m + 0x1000) >> 13) as u16;
    }
    sign | (((exp as u32) << 10) + ((man + 0x1000) >> 13)) as u16
}

/// A model's bytes: inputs, outputs, initializers, metadata.
pub fn model(
    inputs: &[(&str, Vec<Dim>)],
    outputs: &[(&str, Vec<Dim>)],
    inits: &[Writer],
    metadata: &[(&str, &str)],
) -> Vec<u8> {
    model_with_nodes(&[], inputs, outputs, inits, metadata)
}

/// [`model`] with graph nodes (`NodeProto`s).
pub fn model_with_nodes(
    nodes: &[Writer],
    inputs: &[(&str, Vec<Dim>)],
    outputs: &[(&str, Vec<Dim>)],
    inits: &[Writer],
    metadata: &[(&str, &str)],
) -> Vec<u8> {
    let mut g = Writer::new();
    for n in nodes {
        g.message(1, n);
    }
    g.string(2, "test");
    for i in inits {
        g.message(5, i);
    }
    for (n, d) in inputs {
        g.message(11, &value_info(n, d));
    }
    for (n, d) in outputs {
        g.message(12, &value_info(n, d));
    }
    let mut opset = Writer::new();
    opset.string(1, "").int64(2, 17);
    let mut m = Writer::new();
    m.int64(1, 8).message(8, &opset).message(7, &g);
    for (k, v) in metadata {
        let mut e = Writer::new();
        e.string(1, k).string(2, v);
        m.message(14, &e);
    }
    m.into_bytes()
}

/// A fresh, empty folder under the system temp dir (removed by [`TempDir`]'s drop).
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "doppel-identity-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A generic swapper's signature: `target` (1,3,S,S), `source` with `source_dims`.
pub fn swapper(side: i64, source_dims: &[i64], inits: &[Writer]) -> Vec<u8> {
    model(
        &[
            ("target", fixed(&[1, 3, side, side])),
            ("source", fixed(source_dims)),
        ],
        &[("output", fixed(&[1, 3, side, side]))],
        inits,
        &[],
    )
}

/// A 512×512 emap whose entry (i, j) is `((i * 7 + j * 3) % 11) / 8 − 0.5` (exact in half).
pub fn emap_values() -> Vec<f32> {
    (0..512 * 512)
        .map(|k| ((k / 512 * 7 + k % 512 * 3) % 11) as f32 / 8.0 - 0.5)
        .collect()
}

/// A 1×8 FLOAT initializer to sit after (or before) the emap.
pub fn small_init(name: &str) -> Writer {
    init(name, &[1, 8], 1, &[0.5; 8])
}

/// Models of tests/models (the stand-in engineer's files), when they exist.
pub fn stand_in(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/models")
        .join(rel);
    p.exists().then_some(p)
}
