//! Protobuf encoding: the [`Writer`] message builder and the field-level [`rewrite`] that copies
//! untouched fields byte-for-byte.

use super::{Field, Reader, Value, WireError, WireType};

/// Appends `v` as a varint.
pub fn encode_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Builds a message field by field. Methods chain: `w.varint(1, 8).string(2, "x")`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty message.
    pub fn new() -> Self {
        Self::default()
    }

    fn tag(&mut self, number: u32, wire_type: WireType) {
        encode_varint(&mut self.buf, (u64::from(number) << 3) | wire_type.bits());
    }

    /// A varint field (uint64, bool, enum).
    pub fn varint(&mut self, number: u32, v: u64) -> &mut Self {
        self.tag(number, WireType::Varint);
        encode_varint(&mut self.buf, v);
        self
    }

    /// An `int64`/`int32` field (negative values take 10 bytes, as protobuf specifies).
    pub fn int64(&mut self, number: u32, v: i64) -> &mut Self {
        self.varint(number, v as u64)
    }

    /// A 32-bit field (float bits, fixed32).
    pub fn fixed32(&mut self, number: u32, v: u32) -> &mut Self {
        self.tag(number, WireType::Fixed32);
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// A 64-bit field (double bits, fixed64).
    pub fn fixed64(&mut self, number: u32, v: u64) -> &mut Self {
        self.tag(number, WireType::Fixed64);
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// A length-delimited field (bytes, packed data, an encoded message).
    pub fn bytes(&mut self, number: u32, data: &[u8]) -> &mut Self {
        self.tag(number, WireType::Len);
        encode_varint(&mut self.buf, data.len() as u64);
        self.buf.extend_from_slice(data);
        self
    }

    /// A string field.
    pub fn string(&mut self, number: u32, s: &str) -> &mut Self {
        self.bytes(number, s.as_bytes())
    }

    /// An embedded message.
    pub fn message(&mut self, number: u32, msg: &Writer) -> &mut Self {
        self.bytes(number, &msg.buf)
    }

    /// A packed repeated varint field.
    pub fn packed_varints(&mut self, number: u32, values: &[u64]) -> &mut Self {
        let mut data = Vec::new();
        values.iter().for_each(|&v| encode_varint(&mut data, v));
        self.bytes(number, &data)
    }

    /// A packed repeated 32-bit field.
    pub fn packed_fixed32(&mut self, number: u32, values: &[u32]) -> &mut Self {
        let data: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.bytes(number, &data)
    }

    /// Appends already-encoded fields verbatim (e.g. [`Field::raw`]).
    pub fn raw(&mut self, encoded: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(encoded);
        self
    }

    /// The encoded message so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The encoded message.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

/// What [`rewrite`] does with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Copy the field byte-for-byte.
    Keep,
    /// Leave the field out.
    Drop,
    /// Re-emit the field with the same number and this length-delimited payload.
    /// A payload equal to the original keeps the original bytes.
    Replace(Vec<u8>),
}

/// Copies a message field by field, letting `edit` keep, drop or replace each one.
/// Kept fields are copied byte-for-byte, so untouched parts of a file survive exactly.
pub fn rewrite<'a, E: From<WireError>>(
    reader: Reader<'a>,
    mut edit: impl FnMut(&Field<'a>) -> Result<Edit, E>,
) -> Result<Writer, E> {
    let mut out = Writer::new();
    for field in reader {
        let field = field?;
        match edit(&field)? {
            Edit::Keep => {
                out.raw(field.raw);
            }
            Edit::Drop => {}
            Edit::Replace(payload) => {
                if field.value == Value::Len(&payload) {
                    out.raw(field.raw);
                } else {
                    out.bytes(field.number, &payload);
                }
            }
        }
    }
    Ok(out)
}
