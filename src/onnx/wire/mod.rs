//! Protobuf wire format: wire types, errors and [`Field`] accessors; decoding in `read.rs`,
//! encoding and rewriting in `write.rs`.
//!
//! Only what ONNX files use: wire types 0 (varint), 1 (64-bit), 2 (length-delimited) and
//! 5 (32-bit). The deprecated group wire types (3, 4) are rejected. Every offset reported in a
//! [`WireError`] is absolute, counted from the start of the buffer given to the outermost
//! [`Reader`], so a user can find the damage in the file.

use std::fmt;

mod read;
mod write;

pub use read::{read_varint, Reader};
pub use write::{encode_varint, rewrite, Edit, Writer};

/// How a field's value is encoded on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireType {
    /// Wire type 0: base-128 varint (int32, int64, uint64, bool, enum).
    Varint,
    /// Wire type 1: 8 little-endian bytes (double, fixed64).
    Fixed64,
    /// Wire type 2: varint length, then that many bytes (string, bytes, messages, packed).
    Len,
    /// Wire type 5: 4 little-endian bytes (float, fixed32).
    Fixed32,
}

impl WireType {
    pub(super) fn from_bits(bits: u64) -> Option<Self> {
        match bits {
            0 => Some(Self::Varint),
            1 => Some(Self::Fixed64),
            2 => Some(Self::Len),
            5 => Some(Self::Fixed32),
            _ => None,
        }
    }

    pub(super) fn bits(self) -> u64 {
        match self {
            Self::Varint => 0,
            Self::Fixed64 => 1,
            Self::Len => 2,
            Self::Fixed32 => 5,
        }
    }
}

impl fmt::Display for WireType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Varint => "varint",
            Self::Fixed64 => "64-bit",
            Self::Len => "length-delimited",
            Self::Fixed32 => "32-bit",
        })
    }
}

/// What went wrong while decoding; see [`WireError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireErrorKind {
    /// The buffer ended inside a varint.
    TruncatedVarint,
    /// A varint longer than 10 bytes or larger than 64 bits.
    VarintOverflow,
    /// A fixed-size or length-delimited value needs more bytes than remain.
    Truncated { needed: u64, available: usize },
    /// Wire type 3/4 (groups) or 6/7 (undefined).
    BadWireType(u8),
    /// Field number 0 or above 2^29 - 1.
    BadFieldNumber(u64),
    /// A known field arrived with a wire type its declaration does not allow.
    WrongWireType {
        field: &'static str,
        found: WireType,
        expected: WireType,
    },
    /// A packed repeated field whose length is not a multiple of the element size.
    RaggedPacked {
        field: &'static str,
        len: usize,
        elem: usize,
    },
}

/// A decoding failure at an absolute byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError {
    /// Byte offset of the problem, from the start of the file.
    pub offset: usize,
    /// What the problem is.
    pub kind: WireErrorKind,
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.offset;
        match &self.kind {
            WireErrorKind::TruncatedVarint => write!(f, "truncated varint at byte {at}"),
            WireErrorKind::VarintOverflow => write!(f, "varint longer than 64 bits at byte {at}"),
            WireErrorKind::Truncated { needed, available } => write!(
                f,
                "truncated value at byte {at}: needs {needed} bytes, only {available} remain"
            ),
            WireErrorKind::BadWireType(t) => write!(f, "unsupported wire type {t} at byte {at}"),
            WireErrorKind::BadFieldNumber(n) => write!(f, "invalid field number {n} at byte {at}"),
            WireErrorKind::WrongWireType {
                field,
                found,
                expected,
            } => {
                write!(f, "{field} is {found}, expected {expected}, at byte {at}")
            }
            WireErrorKind::RaggedPacked { field, len, elem } => write!(
                f,
                "{field} holds {len} bytes, not a multiple of {elem}, at byte {at}"
            ),
        }
    }
}

impl std::error::Error for WireError {}

/// A decoded field value. `Len` borrows the payload (without its length prefix).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Varint(u64),
    Fixed64(u64),
    Len(&'a [u8]),
    Fixed32(u32),
}

impl Value<'_> {
    /// The wire type this value was encoded with.
    pub fn wire_type(&self) -> WireType {
        match self {
            Value::Varint(_) => WireType::Varint,
            Value::Fixed64(_) => WireType::Fixed64,
            Value::Len(_) => WireType::Len,
            Value::Fixed32(_) => WireType::Fixed32,
        }
    }
}

/// One field of a message, with its exact encoding for verbatim copying.
#[derive(Debug, Clone, Copy)]
pub struct Field<'a> {
    /// Field number from the tag.
    pub number: u32,
    /// The decoded value.
    pub value: Value<'a>,
    /// Absolute offset of the tag.
    pub offset: usize,
    /// Absolute offset of the value (for `Len`, of the first payload byte).
    pub value_offset: usize,
    /// The complete encoding (tag, length prefix, value) exactly as in the input.
    pub raw: &'a [u8],
}

impl<'a> Field<'a> {
    fn wrong(&self, field: &'static str, expected: WireType) -> WireError {
        WireError {
            offset: self.offset,
            kind: WireErrorKind::WrongWireType {
                field,
                found: self.value.wire_type(),
                expected,
            },
        }
    }

    /// The varint value; `field` names the field in the error.
    pub fn varint(&self, field: &'static str) -> Result<u64, WireError> {
        match self.value {
            Value::Varint(v) => Ok(v),
            _ => Err(self.wrong(field, WireType::Varint)),
        }
    }

    /// An `int64` field (two's complement in 64 bits).
    pub fn int64(&self, field: &'static str) -> Result<i64, WireError> {
        self.varint(field).map(|v| v as i64)
    }

    /// An `int32` or enum field (protobuf truncates the 64-bit varint).
    pub fn int32(&self, field: &'static str) -> Result<i32, WireError> {
        self.varint(field).map(|v| v as i32)
    }

    /// A length-delimited payload.
    pub fn bytes(&self, field: &'static str) -> Result<&'a [u8], WireError> {
        match self.value {
            Value::Len(b) => Ok(b),
            _ => Err(self.wrong(field, WireType::Len)),
        }
    }

    /// A `string` field; invalid UTF-8 is replaced (proto2 does not enforce UTF-8).
    pub fn string(&self, field: &'static str) -> Result<String, WireError> {
        self.bytes(field)
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }

    /// A reader over an embedded message.
    pub fn message(&self, field: &'static str) -> Result<Reader<'a>, WireError> {
        self.bytes(field)
            .map(|b| Reader::with_base(b, self.value_offset))
    }

    /// Appends the values of a repeated varint field, packed or not.
    pub fn repeated_varint(
        &self,
        field: &'static str,
        out: &mut Vec<u64>,
    ) -> Result<(), WireError> {
        match self.value {
            Value::Varint(v) => out.push(v),
            Value::Len(data) => {
                let mut pos = 0;
                while pos < data.len() {
                    let (v, next) = read_varint(data, pos, self.value_offset)?;
                    out.push(v);
                    pos = next;
                }
            }
            _ => return Err(self.wrong(field, WireType::Varint)),
        }
        Ok(())
    }

    /// Appends the values of a repeated 32-bit field, packed or not.
    pub fn repeated_fixed32(
        &self,
        field: &'static str,
        out: &mut Vec<u32>,
    ) -> Result<(), WireError> {
        match self.value {
            Value::Fixed32(v) => out.push(v),
            Value::Len(data) => {
                self.check_ragged(field, data.len(), 4)?;
                out.extend(
                    data.chunks_exact(4)
                        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
                );
            }
            _ => return Err(self.wrong(field, WireType::Fixed32)),
        }
        Ok(())
    }

    /// Appends the values of a repeated 64-bit field, packed or not.
    pub fn repeated_fixed64(
        &self,
        field: &'static str,
        out: &mut Vec<u64>,
    ) -> Result<(), WireError> {
        match self.value {
            Value::Fixed64(v) => out.push(v),
            Value::Len(data) => {
                self.check_ragged(field, data.len(), 8)?;
                out.extend(
                    data.chunks_exact(8).map(|c| {
                        u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])
                    }),
                );
            }
            _ => return Err(self.wrong(field, WireType::Fixed64)),
        }
        Ok(())
    }

    fn check_ragged(&self, field: &'static str, len: usize, elem: usize) -> Result<(), WireError> {
        if len.is_multiple_of(elem) {
            Ok(())
        } else {
            Err(WireError {
                offset: self.value_offset,
                kind: WireErrorKind::RaggedPacked { field, len, elem },
            })
        }
    }
}
