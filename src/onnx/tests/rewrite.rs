//! Tests of model rewrites: each must change exactly what it should and copy the rest verbatim.

use super::*;
use crate::onnx::{Dim, OnnxError, OnnxModel};

fn sym(dims: &[&str]) -> Vec<Dim> {
    dims.iter()
        .map(|&d| d.parse().map_or_else(|_| Dim::from(d), Dim::Fixed))
        .collect()
}

#[test]
fn empty_rewrite_returns_the_original_bytes() {
    let bytes = Sample::default().build();
    let m = OnnxModel::parse(&bytes).unwrap();
    assert_eq!(m.rewrite().finish().unwrap(), bytes);
    // Replacing dims with the same dims is also a byte-for-byte no-op.
    assert_eq!(
        m.with_input_dims(&[("input.1", fixed(&[10, 3, 32, 32]))])
            .unwrap(),
        bytes
    );
}

#[test]
fn input_dims_rewrite_changes_only_that_shape() {
    let m = OnnxModel::parse(&Sample::default().build()).unwrap();
    for dims in [
        fixed(&[1, 3, 480, 640]),
        sym(&["1", "3", "H", "W"]),
        vec![Dim::Unknown, "C".into()],
    ] {
        let out = m.with_input_dims(&[("input.1", dims.clone())]).unwrap();
        let expected = Sample {
            input_dims: dims.clone(),
            ..Sample::default()
        }
        .build();
        assert_eq!(out, expected, "{dims:?}");
        let re = OnnxModel::parse(&out).unwrap();
        assert_eq!(re.input("input.1").unwrap().shape.as_ref(), Some(&dims));
        assert_eq!(re.inputs()[1..], m.inputs()[1..]);
        assert_eq!(re.outputs(), m.outputs());
        assert_eq!(re.metadata(), m.metadata());
    }
}

#[test]
fn dropping_initializer_inputs_keeps_everything_else() {
    let m = OnnxModel::parse(&Sample::default().build()).unwrap();
    let out = m.without_initializer_inputs().unwrap();
    assert_eq!(
        out,
        Sample {
            weight_inputs: false,
            ..Sample::default()
        }
        .build()
    );
    let re = OnnxModel::parse(&out).unwrap();
    assert_eq!(re.inputs().len(), 1);
    assert_eq!(re.data_inputs(), m.data_inputs());
    // Doing it again changes nothing.
    assert_eq!(re.without_initializer_inputs().unwrap(), out);
}

#[test]
fn centerface_style_fix_in_one_pass() {
    let bytes = Sample::default().build();
    let m = OnnxModel::parse(&bytes).unwrap();
    let out = m
        .rewrite()
        .input_dims("input.1", sym(&["1", "3", "H", "W"]))
        .output_dims("out", sym(&["1", "1", "h", "w"]))
        .drop_initializer_inputs()
        .finish()
        .unwrap();
    let expected = Sample {
        input_dims: sym(&["1", "3", "H", "W"]),
        weight_inputs: false,
        output_dims: sym(&["1", "1", "h", "w"]),
    };
    assert_eq!(out, expected.build());
    // Node, initializers, value_info, metadata and the unknown graph field are carried verbatim.
    assert!(contains(&out, node().as_bytes()));
    assert!(contains(&out, init_raw_f32("w", &[2, 2], &W).as_bytes()));
    assert!(contains(&out, init_f16_int32("h32", &[4], &H32).as_bytes()));
    assert!(contains(
        &out,
        value_info("mid", 1, Some(&fixed(&[1, 8]))).as_bytes()
    ));
    assert!(contains(&out, &[0xc0, 0x02, 0x07]));
    assert!(out.ends_with(&bytes[bytes.len() - 32..]));
    let re = OnnxModel::parse(&out).unwrap();
    assert_eq!(re.initializers().len(), m.initializers().len());
    for init in m.initializers().iter().filter(|i| i.name != "ids") {
        assert_eq!(
            re.initializer_f32(&init.name).unwrap(),
            m.initializer_f32(&init.name).unwrap()
        );
    }
    assert_eq!(re.metadata(), m.metadata());
    assert_eq!(
        (re.ir_version(), re.opset_imports()),
        (m.ir_version(), m.opset_imports())
    );
}

#[test]
fn keeps_denotations_doc_strings_and_adds_missing_shapes() {
    let dim = |v: i64, denotation: &str| {
        let mut d = Writer::new();
        d.int64(1, v).string(3, denotation);
        d
    };
    let build = |x_dims: &[Writer], y_shape: Option<&[Dim]>| {
        let mut shape = Writer::new();
        x_dims.iter().for_each(|d| {
            shape.message(1, d);
        });
        let mut tensor = Writer::new();
        tensor.varint(1, 1).message(2, &shape);
        let mut ty = Writer::new();
        ty.message(1, &tensor).string(6, "IMAGE");
        let mut x = Writer::new();
        x.string(1, "x").message(2, &ty).string(3, "the image");
        let mut g = Writer::new();
        g.message(11, &x).message(11, &value_info("y", 1, y_shape));
        model_with_graph(&g)
    };
    let before = build(&[dim(10, "DATA_BATCH"), dim(3, "DATA_CHANNEL")], None);
    let m = OnnxModel::parse(&before).unwrap();
    assert_eq!(m.input("y").unwrap().shape, None);
    let out = m
        .with_input_dims(&[("x", sym(&["1", "3", "H"])), ("y", fixed(&[2]))])
        .unwrap();
    let mut h = Writer::new();
    h.string(2, "H");
    let after = build(
        &[dim(1, "DATA_BATCH"), dim(3, "DATA_CHANNEL"), h],
        Some(&fixed(&[2])),
    );
    assert_eq!(out, after);
}

#[test]
fn rewrite_errors_name_the_problem() {
    let m = OnnxModel::parse(&Sample::default().build()).unwrap();
    let e = m.with_input_dims(&[("input", fixed(&[1]))]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "input 'input' not found; the model's inputs are: input.1, w, b"
    );
    let e = m
        .rewrite()
        .output_dims("537", fixed(&[1]))
        .finish()
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "output '537' not found; the model's outputs are: out"
    );
    let e = m
        .with_input_dims(&[("input.1", fixed(&[-1, 3]))])
        .unwrap_err();
    assert_eq!(
        e,
        OnnxError::BadDim {
            kind: "input",
            name: "input.1".into(),
            dim: -1
        }
    );
    assert!(e.to_string().contains("use Dim::Param or Dim::Unknown"));

    // A sequence-typed input (TypeProto.sequence_type = 4) has no tensor shape.
    let mut ty = Writer::new();
    ty.message(4, &Writer::new());
    let mut seq = Writer::new();
    seq.string(1, "seq").message(2, &ty);
    let mut g = Writer::new();
    g.message(11, &seq);
    let m = OnnxModel::parse(&model_with_graph(&g)).unwrap();
    assert_eq!(m.inputs()[0].elem_type, None);
    let e = m.with_input_dims(&[("seq", fixed(&[1]))]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "input 'seq' is not a tensor, so it has no dims to rewrite"
    );
}
