//! Protobuf decoding: varints and the bounds-checked [`Reader`] that yields a message's fields.

use super::{Field, Value, WireError, WireErrorKind, WireType};

/// Decodes a varint starting at `pos`; returns the value and the position after it.
/// `base` is the absolute offset of `buf[0]`, used only for errors.
pub fn read_varint(buf: &[u8], pos: usize, base: usize) -> Result<(u64, usize), WireError> {
    let mut value = 0u64;
    for i in 0..10 {
        let Some(&byte) = buf.get(pos + i) else {
            return Err(WireError {
                offset: base + pos,
                kind: WireErrorKind::TruncatedVarint,
            });
        };
        // The 10th byte may only contribute the 64th bit.
        if i == 9 && byte > 1 {
            return Err(WireError {
                offset: base + pos,
                kind: WireErrorKind::VarintOverflow,
            });
        }
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok((value, pos + i + 1));
        }
    }
    Err(WireError {
        offset: base + pos,
        kind: WireErrorKind::VarintOverflow,
    })
}

/// Iterates over the fields of one message. Stops after the first error.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
    failed: bool,
}

impl<'a> Reader<'a> {
    /// A reader over a whole file (offsets count from `buf[0]`).
    pub fn new(buf: &'a [u8]) -> Self {
        Self::with_base(buf, 0)
    }

    /// A reader over a sub-message that starts at absolute offset `base`.
    pub fn with_base(buf: &'a [u8], base: usize) -> Self {
        Reader {
            buf,
            pos: 0,
            base,
            failed: false,
        }
    }

    /// Absolute offset of the first byte of this message.
    pub fn base(&self) -> usize {
        self.base
    }

    fn next_field(&mut self) -> Result<Field<'a>, WireError> {
        let (buf, base, start) = (self.buf, self.base, self.pos);
        let at = |pos: usize| base + pos;
        let (tag, pos) = read_varint(buf, start, base)?;
        let number = tag >> 3;
        if number == 0 || number > (1 << 29) - 1 {
            return Err(WireError {
                offset: at(start),
                kind: WireErrorKind::BadFieldNumber(number),
            });
        }
        let Some(wire_type) = WireType::from_bits(tag & 7) else {
            return Err(WireError {
                offset: at(start),
                kind: WireErrorKind::BadWireType((tag & 7) as u8),
            });
        };
        let rest = buf.len() - pos;
        let take = |needed: u64, offset: usize| -> Result<usize, WireError> {
            match usize::try_from(needed) {
                Ok(n) if n <= rest => Ok(n),
                _ => Err(WireError {
                    offset,
                    kind: WireErrorKind::Truncated {
                        needed,
                        available: rest,
                    },
                }),
            }
        };
        let (value, value_pos, end) = match wire_type {
            WireType::Varint => {
                let (v, end) = read_varint(buf, pos, base)?;
                (Value::Varint(v), pos, end)
            }
            WireType::Fixed64 => {
                take(8, at(pos))?;
                let b = &buf[pos..pos + 8];
                let v = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
                (Value::Fixed64(v), pos, pos + 8)
            }
            WireType::Fixed32 => {
                take(4, at(pos))?;
                let b = &buf[pos..pos + 4];
                (
                    Value::Fixed32(u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
                    pos,
                    pos + 4,
                )
            }
            WireType::Len => {
                let (len, data_pos) = read_varint(buf, pos, base)?;
                let rest = buf.len() - data_pos;
                let n = match usize::try_from(len) {
                    Ok(n) if n <= rest => n,
                    _ => {
                        return Err(WireError {
                            offset: at(start),
                            kind: WireErrorKind::Truncated {
                                needed: len,
                                available: rest,
                            },
                        })
                    }
                };
                (
                    Value::Len(&buf[data_pos..data_pos + n]),
                    data_pos,
                    data_pos + n,
                )
            }
        };
        self.pos = end;
        Ok(Field {
            number: number as u32,
            value,
            offset: at(start),
            value_offset: at(value_pos),
            raw: &buf[start..end],
        })
    }
}

impl<'a> Iterator for Reader<'a> {
    type Item = Result<Field<'a>, WireError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.buf.len() {
            return None;
        }
        let field = self.next_field();
        self.failed = field.is_err();
        Some(field)
    }
}
