//! Unit tests for `onnx`; this file holds the builder that encodes small test models.

mod model;
mod rewrite;
mod robustness;
mod wire;

use super::wire::Writer;
use super::Dim;

/// FLOAT initializer `w` (raw_data).
pub const W: [f32; 4] = [1.0, -2.5, 0.0, 3.25e-3];
/// FLOAT initializer `b` (float_data).
pub const B: [f32; 3] = [0.5, -0.0, f32::INFINITY];
/// FLOAT16 initializer `h` (raw_data): 1, -2, smallest subnormal, +inf.
pub const H: [u16; 4] = [0x3c00, 0xc000, 0x0001, 0x7c00];
/// FLOAT16 initializer `h32` (int32_data): -65504, -0, largest subnormal, -inf.
pub const H32: [u16; 4] = [0xfbff, 0x8000, 0x03ff, 0xfc00];

/// `TensorShapeProto` for `dims`.
pub fn shape(dims: &[Dim]) -> Writer {
    let mut shape = Writer::new();
    for d in dims {
        let mut dim = Writer::new();
        match d {
            Dim::Fixed(v) => {
                dim.int64(1, *v);
            }
            Dim::Param(p) => {
                dim.string(2, p);
            }
            Dim::Unknown => {}
        }
        shape.message(1, &dim);
    }
    shape
}

/// `ValueInfoProto` of a tensor; `dims: None` leaves the shape out.
pub fn value_info(name: &str, elem_type: u64, dims: Option<&[Dim]>) -> Writer {
    let mut tensor = Writer::new();
    tensor.varint(1, elem_type);
    if let Some(dims) = dims {
        tensor.message(2, &shape(dims));
    }
    let mut ty = Writer::new();
    ty.message(1, &tensor);
    let mut v = Writer::new();
    v.string(1, name).message(2, &ty);
    v
}

pub fn fixed(dims: &[i64]) -> Vec<Dim> {
    dims.iter().map(|&d| Dim::Fixed(d)).collect()
}

/// A Conv `NodeProto` with one INTS attribute.
pub fn node() -> Writer {
    let mut attr = Writer::new();
    attr.string(1, "kernel_shape")
        .packed_varints(8, &[3, 3])
        .varint(20, 7);
    let mut n = Writer::new();
    n.string(1, "input.1")
        .string(1, "w")
        .string(2, "out")
        .string(3, "conv0")
        .string(4, "Conv");
    n.message(5, &attr);
    n
}

/// `TensorProto` header: dims (unpacked, as onnx writes them), data_type, name.
pub fn tensor_header(name: &str, data_type: u64, dims: &[i64]) -> Writer {
    let mut t = Writer::new();
    for &d in dims {
        t.int64(1, d);
    }
    t.varint(2, data_type).string(8, name);
    t
}

pub fn init_raw_f32(name: &str, dims: &[i64], values: &[f32]) -> Writer {
    let raw: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    let mut t = tensor_header(name, 1, dims);
    t.bytes(9, &raw);
    t
}

/// FLOAT in float_data, with dims packed (some writers do that).
pub fn init_float_data(name: &str, dims: &[i64], values: &[f32]) -> Writer {
    let mut t = Writer::new();
    t.packed_varints(1, &dims.iter().map(|&d| d as u64).collect::<Vec<_>>());
    t.varint(2, 1);
    t.packed_fixed32(4, &values.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
    t.string(8, name);
    t
}

pub fn init_f16_raw(name: &str, dims: &[i64], bits: &[u16]) -> Writer {
    let raw: Vec<u8> = bits.iter().flat_map(|v| v.to_le_bytes()).collect();
    let mut t = tensor_header(name, 10, dims);
    t.bytes(9, &raw);
    t
}

pub fn init_f16_int32(name: &str, dims: &[i64], bits: &[u16]) -> Writer {
    let mut t = tensor_header(name, 10, dims);
    t.packed_varints(5, &bits.iter().map(|&b| u64::from(b)).collect::<Vec<_>>());
    t
}

/// A ModelProto around `graph`, with only ir_version and one opset besides.
pub fn model_with_graph(graph: &Writer) -> Vec<u8> {
    let mut opset = Writer::new();
    opset.string(1, "").int64(2, 17);
    let mut m = Writer::new();
    m.int64(1, 8).message(8, &opset).message(7, graph);
    m.into_bytes()
}

/// The main test model; fields vary so a rewrite's expected output can be built directly.
pub struct Sample {
    pub input_dims: Vec<Dim>,
    pub weight_inputs: bool,
    pub output_dims: Vec<Dim>,
}

impl Default for Sample {
    fn default() -> Self {
        Sample {
            input_dims: fixed(&[10, 3, 32, 32]),
            weight_inputs: true,
            output_dims: vec![Dim::Param("N".into()), Dim::Fixed(1), Dim::Unknown],
        }
    }
}

impl Sample {
    pub fn build(&self) -> Vec<u8> {
        let mut g = Writer::new();
        g.message(1, &node()).string(2, "sample-graph");
        g.message(5, &init_raw_f32("w", &[2, 2], &W));
        g.message(5, &init_float_data("b", &[3], &B));
        let mut ids = tensor_header("ids", 3, &[2]);
        ids.bytes(9, &[1, 0xff]);
        g.message(5, &ids);
        g.message(5, &init_f16_raw("h", &[2, 2], &H));
        g.message(5, &init_f16_int32("h32", &[4], &H32));
        g.message(11, &value_info("input.1", 1, Some(&self.input_dims)));
        if self.weight_inputs {
            g.message(11, &value_info("w", 1, Some(&fixed(&[2, 2]))));
            g.message(11, &value_info("b", 1, Some(&fixed(&[3]))));
        }
        g.message(12, &value_info("out", 1, Some(&self.output_dims)));
        g.message(13, &value_info("mid", 1, Some(&fixed(&[1, 8]))));
        g.varint(40, 7); // an unknown field: must be skipped and preserved

        let mut m = Writer::new();
        m.int64(1, 8).string(2, "doppel-test").string(3, "1.0");
        let mut op = Writer::new();
        op.string(1, "").int64(2, 17);
        m.message(8, &op);
        let mut op = Writer::new();
        op.string(1, "com.microsoft").int64(2, 1);
        m.message(8, &op);
        m.message(7, &g);
        for (k, v) in [("author", "doppel"), ("emap", "buff2fs")] {
            let mut e = Writer::new();
            e.string(1, k).string(2, v);
            m.message(14, &e);
        }
        m.into_bytes()
    }
}

/// True if `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
