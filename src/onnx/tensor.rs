//! Decoding initializer values to `f32` (FLOAT, FLOAT16, BFLOAT16, DOUBLE), and exact
//! half-precision conversions.

use super::graph::{Initializer, Storage};
use super::model::OnnxModel;
use super::wire::Reader;
use super::{DataType, OnnxError};

/// A decoded float tensor: row-major values and their dims (empty dims: a scalar).
#[derive(Debug, Clone, PartialEq)]
pub struct TensorF32 {
    pub dims: Vec<usize>,
    pub data: Vec<f32>,
}

/// IEEE 754 half (binary16) bits to `f32`, exactly: zeros keep their sign, subnormals become
/// normal `f32`s, infinities stay infinite and NaNs stay NaN (payload kept).
pub fn f16_to_f32(h: u16) -> f32 {
    let negative = h & 0x8000 != 0;
    let exp = u32::from((h >> 10) & 0x1f);
    let man = u32::from(h & 0x3ff);
    let sign = u32::from(negative) << 31;
    match exp {
        0 => {
            // Zero or subnormal: man × 2^-24; both factors are exact in f32, so is the product.
            let magnitude = man as f32 * f32::from_bits(0x3380_0000);
            if negative {
                -magnitude
            } else {
                magnitude
            }
        }
        0x1f => f32::from_bits(sign | 0x7f80_0000 | (man << 13)),
        // Rebias the exponent from 15 to 127 and widen the mantissa from 10 to 23 bits.
        _ => f32::from_bits(sign | ((exp + 127 - 15) << 23) | (man << 13)),
    }
}

/// bfloat16 bits to `f32` (exact: bfloat16 is the top half of an `f32`).
pub fn bf16_to_f32(h: u16) -> f32 {
    f32::from_bits(u32::from(h) << 16)
}

impl OnnxModel {
    /// Decodes the named initializer as `f32` values with its dims. FLOAT comes from `raw_data`
    /// or `float_data`; FLOAT16 and BFLOAT16 from `raw_data` or `int32_data` (one value per
    /// int32); DOUBLE from `raw_data` or `double_data` (rounded to `f32`).
    pub fn initializer_f32(&self, name: &str) -> Result<TensorF32, OnnxError> {
        let init = self
            .initializer(name)
            .ok_or_else(|| OnnxError::InitializerNotFound {
                name: name.to_owned(),
            })?;
        self.decode_f32(init)
    }

    /// Decodes the last initializer in file order (inswapper's emap fallback).
    pub fn last_initializer_f32(&self) -> Result<TensorF32, OnnxError> {
        let init = self.last_initializer().ok_or(OnnxError::NoInitializers)?;
        self.decode_f32(init)
    }

    /// Decodes one of this model's initializers as `f32`; see [`OnnxModel::initializer_f32`].
    pub fn decode_f32(&self, init: &Initializer) -> Result<TensorF32, OnnxError> {
        let bad = |reason: String| OnnxError::BadTensor {
            name: init.name.clone(),
            reason,
        };
        let t = init.data_type;
        let elem_size = match t {
            DataType::FLOAT => 4,
            DataType::FLOAT16 | DataType::BFLOAT16 => 2,
            DataType::DOUBLE => 8,
            _ => {
                return Err(OnnxError::NotFloat {
                    name: init.name.clone(),
                    data_type: t,
                })
            }
        };
        if let Storage::External { location } = &init.storage {
            return Err(OnnxError::ExternalData {
                name: init.name.clone(),
                location: location.clone(),
            });
        }
        let count = init
            .element_count()
            .ok_or_else(|| bad(format!("invalid dims {:?}", init.dims)))?;
        let dims: Vec<usize> = init.dims.iter().map(|&d| d as usize).collect();
        let payload = self
            .bytes
            .get(init.span.clone())
            .ok_or_else(|| bad("its byte range lies outside this model".to_owned()))?;
        let fields = || Reader::with_base(payload, init.span.start);

        let data: Vec<f32> = match &init.storage {
            Storage::Raw => {
                let mut raw: &[u8] = &[];
                for f in fields() {
                    let f = f?;
                    if f.number == 9 {
                        raw = f.bytes("TensorProto.raw_data")?;
                    }
                }
                if Some(raw.len()) != count.checked_mul(elem_size) {
                    return Err(bad(format!(
                        "raw_data holds {} bytes, but dims {:?} of {t} need {} values of {elem_size} bytes",
                        raw.len(),
                        init.dims,
                        count
                    )));
                }
                match t {
                    DataType::FLOAT => raw
                        .chunks_exact(4)
                        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                        .collect(),
                    DataType::DOUBLE => raw
                        .chunks_exact(8)
                        .map(|c| {
                            f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])
                                as f32
                        })
                        .collect(),
                    _ => {
                        let half = if t == DataType::FLOAT16 {
                            f16_to_f32
                        } else {
                            bf16_to_f32
                        };
                        raw.chunks_exact(2)
                            .map(|c| half(u16::from_le_bytes([c[0], c[1]])))
                            .collect()
                    }
                }
            }
            Storage::FloatData if t == DataType::FLOAT => {
                let mut bits = Vec::new();
                for f in fields() {
                    let f = f?;
                    if f.number == 4 {
                        f.repeated_fixed32("TensorProto.float_data", &mut bits)?;
                    }
                }
                bits.into_iter().map(f32::from_bits).collect()
            }
            Storage::Int32Data if t == DataType::FLOAT16 || t == DataType::BFLOAT16 => {
                let mut ints = Vec::new();
                for f in fields() {
                    let f = f?;
                    if f.number == 5 {
                        f.repeated_varint("TensorProto.int32_data", &mut ints)?;
                    }
                }
                // Each int32 carries one value's 16 bits; take the low half.
                let half = if t == DataType::FLOAT16 {
                    f16_to_f32
                } else {
                    bf16_to_f32
                };
                ints.into_iter().map(|v| half(v as u16)).collect()
            }
            Storage::DoubleData if t == DataType::DOUBLE => {
                let mut bits = Vec::new();
                for f in fields() {
                    let f = f?;
                    if f.number == 10 {
                        f.repeated_fixed64("TensorProto.double_data", &mut bits)?;
                    }
                }
                bits.into_iter().map(|b| f64::from_bits(b) as f32).collect()
            }
            Storage::Empty => Vec::new(),
            other => {
                return Err(bad(format!(
                    "{t} values stored in {other}, which cannot hold them"
                )))
            }
        };
        if data.len() != count {
            return Err(bad(format!(
                "it holds {} values, but dims {:?} need {count}",
                data.len(),
                init.dims
            )));
        }
        Ok(TensorF32 { dims, data })
    }
}
