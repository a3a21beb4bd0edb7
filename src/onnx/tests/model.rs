//! Tests of `OnnxModel::parse` and initializer decoding (FLOAT, FLOAT16, BFLOAT16, DOUBLE).

use super::*;
use crate::onnx::{bf16_to_f32, f16_to_f32, DataType, OnnxError, OnnxModel, OpsetImport, Storage};

#[test]
fn parse_indexes_header_metadata_and_io() {
    let m = OnnxModel::parse(&Sample::default().build()).unwrap();
    assert_eq!(m.ir_version(), Some(8));
    assert_eq!(
        (m.producer_name(), m.producer_version()),
        ("doppel-test", "1.0")
    );
    assert_eq!(m.model_version(), None);
    assert_eq!(
        m.opset_imports(),
        [
            OpsetImport {
                domain: String::new(),
                version: 17
            },
            OpsetImport {
                domain: "com.microsoft".into(),
                version: 1
            }
        ]
    );
    assert_eq!(m.onnx_opset(), Some(17));
    let meta = [
        ("author".to_owned(), "doppel".to_owned()),
        ("emap".to_owned(), "buff2fs".to_owned()),
    ];
    assert_eq!(m.metadata(), meta);
    assert_eq!(m.metadata_value("emap"), Some("buff2fs"));
    assert_eq!(m.graph_name(), "sample-graph");
    assert_eq!(m.node_count(), 1);

    let names: Vec<_> = m.inputs().iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["input.1", "w", "b"]);
    let input = m.input("input.1").unwrap();
    assert_eq!(input.elem_type, Some(DataType::FLOAT));
    assert_eq!(input.shape, Some(fixed(&[10, 3, 32, 32])));
    assert_eq!(input.fixed_shape(), Some(vec![10, 3, 32, 32]));
    let data_inputs: Vec<_> = m.data_inputs().iter().map(|i| i.name.as_str()).collect();
    assert_eq!(data_inputs, ["input.1"]);
    let out = m.output("out").unwrap();
    assert_eq!(out.shape, Some(Sample::default().output_dims));
    assert_eq!(out.fixed_shape(), None);
    assert_eq!(m.as_bytes(), Sample::default().build());
}

#[test]
fn parse_indexes_initializers() {
    let m = OnnxModel::parse(&Sample::default().build()).unwrap();
    assert_eq!(
        m.initializer_names().collect::<Vec<_>>(),
        ["w", "b", "ids", "h", "h32"]
    );
    let w = m.initializer("w").unwrap();
    assert_eq!(
        (w.dims.as_slice(), w.data_type, &w.storage),
        (&[2i64, 2][..], DataType::FLOAT, &Storage::Raw)
    );
    assert_eq!(w.element_count(), Some(4));
    assert_eq!(m.initializer("b").unwrap().storage, Storage::FloatData);
    assert_eq!(m.initializer("b").unwrap().dims, [3]);
    assert_eq!(m.initializer("ids").unwrap().data_type, DataType::INT8);
    assert_eq!(m.initializer("h32").unwrap().storage, Storage::Int32Data);
    assert_eq!(m.last_initializer().unwrap().name, "h32");
    // The span covers exactly the encoded TensorProto.
    let h = m.initializer("h").unwrap();
    assert_eq!(
        &m.as_bytes()[h.span.clone()],
        init_f16_raw("h", &[2, 2], &H).as_bytes()
    );
}

#[test]
fn decodes_float_from_raw_data_and_float_data() {
    let m = OnnxModel::parse(&Sample::default().build()).unwrap();
    let w = m.initializer_f32("w").unwrap();
    assert_eq!((w.dims, w.data), (vec![2, 2], W.to_vec()));
    let b = m.initializer_f32("b").unwrap();
    assert_eq!(b.data, B);
    assert!(b.data[1].is_sign_negative());
}

#[test]
fn decodes_float16_from_raw_data_and_int32_data() {
    let m = OnnxModel::parse(&Sample::default().build()).unwrap();
    let h = m.initializer_f32("h").unwrap();
    assert_eq!(h.dims, [2, 2]);
    assert_eq!(h.data, [1.0, -2.0, 2f32.powi(-24), f32::INFINITY]);
    let h32 = m.last_initializer_f32().unwrap();
    assert_eq!(
        h32.data,
        [-65504.0, -0.0, 1023.0 * 2f32.powi(-24), f32::NEG_INFINITY]
    );
    assert!(h32.data[1].is_sign_negative());
}

#[test]
fn f16_conversion_is_exact_for_every_bit_pattern() {
    for bits in 0..=u16::MAX {
        let got = f16_to_f32(bits);
        let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
        let exp = i32::from((bits >> 10) & 0x1f);
        let man = f64::from(bits & 0x3ff);
        let want = match exp {
            0 => sign * man * 2f64.powi(-24),
            31 if man == 0.0 => sign * f64::INFINITY,
            31 => f64::NAN,
            _ => sign * (1.0 + man / 1024.0) * 2f64.powi(exp - 15),
        };
        if want.is_nan() {
            assert!(got.is_nan(), "{bits:#06x}");
        } else {
            assert_eq!(f64::from(got), want, "{bits:#06x}");
            assert_eq!(got.is_sign_negative(), bits & 0x8000 != 0, "{bits:#06x}");
        }
    }
    assert_eq!(f16_to_f32(0x3555), 0.333_251_95);
}

#[test]
fn bf16_and_double_initializers() {
    assert_eq!(bf16_to_f32(0x3f80), 1.0);
    assert_eq!(bf16_to_f32(0xc040), -3.0);
    assert_eq!(bf16_to_f32(0xff80), f32::NEG_INFINITY);

    let mut g = Writer::new();
    let mut bf = tensor_header("bf_raw", 16, &[2]);
    bf.bytes(9, &[0x80, 0x3f, 0x40, 0xc0]);
    g.message(5, &bf);
    let mut bf = tensor_header("bf_int32", 16, &[1]);
    bf.varint(5, 0x3f80); // unpacked int32_data
    g.message(5, &bf);
    let mut d = tensor_header("d_raw", 11, &[2]);
    d.bytes(
        9,
        &[0.25f64.to_le_bytes(), (-8.5f64).to_le_bytes()].concat(),
    );
    g.message(5, &d);
    let mut d = tensor_header("d_data", 11, &[2]);
    d.fixed64(10, 1.5f64.to_bits())
        .fixed64(10, 1e300f64.to_bits()); // unpacked
    g.message(5, &d);
    let mut f = tensor_header("f_unpacked", 1, &[2]);
    f.fixed32(4, 2.0f32.to_bits()).fixed32(4, 3.0f32.to_bits());
    g.message(5, &f);
    let m = OnnxModel::parse(&model_with_graph(&g)).unwrap();
    assert_eq!(m.initializer_f32("bf_raw").unwrap().data, [1.0, -3.0]);
    assert_eq!(m.initializer_f32("bf_int32").unwrap().data, [1.0]);
    assert_eq!(m.initializer_f32("d_raw").unwrap().data, [0.25, -8.5]);
    assert_eq!(
        m.initializer_f32("d_data").unwrap().data,
        [1.5, f32::INFINITY]
    );
    assert_eq!(m.initializer_f32("f_unpacked").unwrap().data, [2.0, 3.0]);
}

#[test]
fn scalar_and_empty_initializers() {
    let mut g = Writer::new();
    g.message(5, &init_raw_f32("scalar", &[], &[7.0]));
    g.message(5, &tensor_header("empty", 1, &[0, 4]));
    g.message(5, &tensor_header("missing", 1, &[2]));
    let m = OnnxModel::parse(&model_with_graph(&g)).unwrap();
    let s = m.initializer_f32("scalar").unwrap();
    assert_eq!((s.dims.len(), s.data), (0, vec![7.0]));
    let e = m.initializer_f32("empty").unwrap();
    assert_eq!((e.dims, e.data.len()), (vec![0, 4], 0));
    assert_eq!(m.initializer("missing").unwrap().storage, Storage::Empty);
    assert!(matches!(
        m.initializer_f32("missing"),
        Err(OnnxError::BadTensor { .. })
    ));
}

#[test]
fn initializer_errors_say_what_and_where() {
    let m = OnnxModel::parse(&Sample::default().build()).unwrap();
    let e = m.initializer_f32("buff2fs").unwrap_err();
    assert_eq!(e.to_string(), "initializer 'buff2fs' not found");
    let e = m.initializer_f32("ids").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("initializer 'ids' has type INT8, expected float or float16"),
        "{e}"
    );

    let mut g = Writer::new();
    g.message(5, &init_raw_f32("short", &[3], &[1.0, 2.0]));
    g.message(5, &init_raw_f32("neg", &[-1], &[]));
    g.message(5, &init_float_data("fd_short", &[3], &[1.0]));
    let mut ext = tensor_header("ext", 1, &[4]);
    let mut loc = Writer::new();
    loc.string(1, "location").string(2, "weights.bin");
    ext.message(13, &loc).varint(14, 1);
    g.message(5, &ext);
    let mut wrong = tensor_header("f16_in_float_data", 10, &[1]);
    wrong.packed_fixed32(4, &[0]);
    g.message(5, &wrong);
    g.message(5, &tensor_header("odd", 77, &[1]));
    let m = OnnxModel::parse(&model_with_graph(&g)).unwrap();
    let msg = |name: &str| m.initializer_f32(name).unwrap_err().to_string();
    assert_eq!(
        msg("short"),
        "initializer 'short' is damaged: raw_data holds 8 bytes, but dims [3] of FLOAT need 3 values of 4 bytes"
    );
    assert_eq!(
        msg("neg"),
        "initializer 'neg' is damaged: invalid dims [-1]"
    );
    assert_eq!(
        msg("fd_short"),
        "initializer 'fd_short' is damaged: it holds 1 values, but dims [3] need 3"
    );
    assert!(
        msg("ext").contains("external file 'weights.bin'"),
        "{}",
        msg("ext")
    );
    assert!(msg("f16_in_float_data").contains("FLOAT16 values stored in float_data"));
    assert!(msg("odd").contains("has type UNKNOWN(77)"));
    assert_eq!(
        OnnxModel::parse(&model_with_graph(&Writer::new()))
            .unwrap()
            .last_initializer_f32(),
        Err(OnnxError::NoInitializers)
    );
}

#[test]
fn rejects_non_models_with_actionable_messages() {
    let e = OnnxModel::parse(b"").unwrap_err();
    assert_eq!(
        e.to_string(),
        "not an ONNX model: no graph (ModelProto field 7) in these 0 bytes"
    );
    let e = OnnxModel::parse(b"\x89PNG\r\n\x1a\n").unwrap_err();
    assert!(matches!(e, OnnxError::Malformed(_)), "{e}");
    // Field 7 (graph) as a varint.
    let e = OnnxModel::parse(&[0x08, 0x07, 0x38, 0x01]).unwrap_err();
    assert!(
        e.to_string().starts_with(
            "not an ONNX model: ModelProto.graph is varint, expected length-delimited, at byte 2"
        ),
        "{e}"
    );
    // Truncated in the middle of a varint deep inside: the offset is absolute.
    let bytes = Sample::default().build();
    let cut = &bytes[..bytes.len() - 1];
    let e = OnnxModel::parse(cut).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("not an ONNX model: truncated value at byte"),
        "{e}"
    );
    let mut m = Writer::new();
    m.int64(1, 8).raw(&[0x10, 0x80]);
    let e = OnnxModel::parse(m.as_bytes()).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("not an ONNX model: truncated varint at byte 3 "),
        "{e}"
    );
}
