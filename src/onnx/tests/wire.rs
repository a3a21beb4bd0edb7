//! Tests of the protobuf wire layer: encodings, bounds checks, error offsets, rewriting.

use crate::onnx::wire::{
    read_varint, rewrite, Edit, Reader, Value, WireErrorKind, WireType, Writer,
};
use crate::onnx::WireError;

#[test]
fn writer_matches_protobuf_reference_encodings() {
    // The examples from the protobuf encoding guide.
    assert_eq!(Writer::new().varint(1, 150).as_bytes(), [0x08, 0x96, 0x01]);
    assert_eq!(
        Writer::new().string(2, "testing").as_bytes(),
        b"\x12\x07testing"
    );
    assert_eq!(Writer::new().int64(1, -1).as_bytes().len(), 11);
    assert_eq!(
        Writer::new().fixed32(5, 1.0f32.to_bits()).as_bytes(),
        [0x2d, 0, 0, 0x80, 0x3f]
    );
    assert_eq!(
        Writer::new().packed_varints(4, &[3, 270]).as_bytes(),
        [0x22, 3, 3, 0x8e, 2]
    );
}

#[test]
fn varints_round_trip_at_the_edges() {
    for v in [0, 1, 127, 128, 300, u64::from(u32::MAX), 1 << 63, u64::MAX] {
        let mut w = Writer::new();
        w.varint(1, v);
        let fields: Vec<_> = Reader::new(w.as_bytes()).collect::<Result<_, _>>().unwrap();
        assert_eq!(fields.len(), 1);
        assert_eq!(fields[0].value, Value::Varint(v));
        assert_eq!(fields[0].raw, w.as_bytes());
    }
}

#[test]
fn varint_overflow_and_truncation_report_offsets() {
    let mut ten = vec![0xff; 9];
    ten.push(0x02); // 10th byte may only be 0 or 1
    let err = read_varint(&ten, 0, 100).unwrap_err();
    assert_eq!(
        err,
        WireError {
            offset: 100,
            kind: WireErrorKind::VarintOverflow
        }
    );
    let eleven = [0x80u8; 11];
    assert_eq!(
        read_varint(&eleven, 0, 0).unwrap_err().kind,
        WireErrorKind::VarintOverflow
    );
    let err = read_varint(&[0x08, 0x96], 1, 40).unwrap_err();
    assert_eq!(
        err,
        WireError {
            offset: 41,
            kind: WireErrorKind::TruncatedVarint
        }
    );
    assert_eq!(err.to_string(), "truncated varint at byte 41");
}

#[test]
fn reader_rejects_bad_tags_and_short_values() {
    let first_err = |bytes: &[u8]| Reader::new(bytes).find_map(Result::err).unwrap();
    assert_eq!(first_err(&[0x0b]).kind, WireErrorKind::BadWireType(3)); // group start
    assert_eq!(first_err(&[0x0e]).kind, WireErrorKind::BadWireType(6));
    assert_eq!(first_err(&[0x00]).kind, WireErrorKind::BadFieldNumber(0));
    // Field 1, 64-bit, only 3 bytes.
    let e = first_err(&[0x08, 0x01, 0x09, 1, 2, 3]);
    assert_eq!(e.offset, 3);
    assert_eq!(
        e.kind,
        WireErrorKind::Truncated {
            needed: 8,
            available: 3
        }
    );
    // Field 2, length 5, only 2 bytes; a huge length must not overflow.
    let e = first_err(&[0x12, 0x05, b'a', b'b']);
    assert_eq!(
        e,
        WireError {
            offset: 0,
            kind: WireErrorKind::Truncated {
                needed: 5,
                available: 2
            }
        }
    );
    let e = first_err(&[
        0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
    ]);
    assert!(matches!(
        e.kind,
        WireErrorKind::Truncated {
            needed: u64::MAX,
            ..
        }
    ));
    // The reader stops after an error.
    assert_eq!(Reader::new(&[0x00, 0x08, 0x01]).count(), 1);
}

#[test]
fn nested_readers_report_absolute_offsets() {
    let mut inner = Writer::new();
    inner.varint(1, 5).raw(&[0x08]); // truncated tag-only varint field at inner offset 2
    let mut outer = Writer::new();
    outer.varint(3, 1).message(7, &inner);
    let bytes = outer.into_bytes();
    let field = Reader::new(&bytes).nth(1).unwrap().unwrap();
    assert_eq!(field.value_offset, 4);
    let err = field.message("X").unwrap().find_map(Result::err).unwrap();
    assert_eq!(
        err,
        WireError {
            offset: 7,
            kind: WireErrorKind::TruncatedVarint
        }
    );
}

#[test]
fn typed_accessors_check_wire_types() {
    let mut w = Writer::new();
    w.string(7, "x").varint(1, 3).packed_fixed32(4, &[1, 2]);
    let bytes = w.into_bytes();
    let f: Vec<_> = Reader::new(&bytes).map(Result::unwrap).collect();
    let e = f[0].varint("ModelProto.ir_version").unwrap_err();
    assert_eq!(
        e.kind,
        WireErrorKind::WrongWireType {
            field: "ModelProto.ir_version",
            found: WireType::Len,
            expected: WireType::Varint
        }
    );
    assert_eq!(
        e.to_string(),
        "ModelProto.ir_version is length-delimited, expected varint, at byte 0"
    );
    assert!(f[1].bytes("s").is_err());
    assert_eq!(f[1].int32("i").unwrap(), 3);
    let mut out = Vec::new();
    f[2].repeated_fixed32("f", &mut out).unwrap();
    assert_eq!(out, [1, 2]);
    // A packed fixed field whose length is not a multiple of the element size.
    let ragged = Writer::new().bytes(4, &[1, 2, 3]).clone().into_bytes();
    let field = Reader::new(&ragged).next().unwrap().unwrap();
    let e = field
        .repeated_fixed32("TensorProto.float_data", &mut out)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "TensorProto.float_data holds 3 bytes, not a multiple of 4, at byte 2"
    );
    assert!(field.repeated_fixed64("d", &mut Vec::new()).is_err());
}

#[test]
fn repeated_fields_accept_packed_and_unpacked() {
    let mut w = Writer::new();
    w.varint(1, 4)
        .packed_varints(1, &[5, 6])
        .fixed32(2, 9)
        .packed_fixed32(2, &[10]);
    w.fixed64(3, 11);
    let bytes = w.into_bytes();
    let (mut ints, mut f32s, mut f64s) = (Vec::new(), Vec::new(), Vec::new());
    for f in Reader::new(&bytes) {
        let f = f.unwrap();
        match f.number {
            1 => f.repeated_varint("a", &mut ints).unwrap(),
            2 => f.repeated_fixed32("b", &mut f32s).unwrap(),
            _ => f.repeated_fixed64("c", &mut f64s).unwrap(),
        }
    }
    assert_eq!((ints, f32s, f64s), (vec![4, 5, 6], vec![9, 10], vec![11]));
}

#[test]
fn rewrite_keeps_drops_and_replaces() {
    // A non-minimal varint (field 1 = 1 encoded in 2 bytes) must survive a Keep untouched.
    let mut w = Writer::new();
    w.raw(&[0x08, 0x81, 0x00])
        .string(2, "drop me")
        .string(3, "old")
        .varint(4, 1);
    let bytes = w.into_bytes();
    let same = rewrite::<WireError>(Reader::new(&bytes), |_| Ok(Edit::Keep)).unwrap();
    assert_eq!(same.as_bytes(), bytes);
    let unchanged = rewrite::<WireError>(Reader::new(&bytes), |f| {
        Ok(if f.number == 3 {
            Edit::Replace(b"old".to_vec())
        } else {
            Edit::Keep
        })
    })
    .unwrap();
    assert_eq!(unchanged.as_bytes(), bytes);
    let out = rewrite::<WireError>(Reader::new(&bytes), |f| {
        Ok(match f.number {
            2 => Edit::Drop,
            3 => Edit::Replace(b"a longer value".to_vec()),
            _ => Edit::Keep,
        })
    })
    .unwrap();
    let mut expected = Writer::new();
    expected
        .raw(&[0x08, 0x81, 0x00])
        .string(3, "a longer value")
        .varint(4, 1);
    assert_eq!(out, expected);
}
