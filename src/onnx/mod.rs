//! ONNX model files read and rewritten by Doppel itself: public API, shared types and errors.
//!
//! ONNX Runtime neither exposes initializers a graph does not use (inswapper's `buff2fs` emap)
//! nor fixes models that declare unhelpful inputs (CenterFace), so Doppel parses the
//! `ModelProto` protobuf itself. Pure safe Rust, no dependencies.
//!
//! - [`wire`]: protobuf wire format (reader, writer, field-level rewriter).
//! - [`OnnxModel::parse`] (in `model.rs`): keeps the bytes and indexes metadata, graph inputs and
//!   outputs with shapes, and initializers (name, dims, type, where the data lives).
//! - [`OnnxModel::initializer_f32`] (in `tensor.rs`): decodes FLOAT / FLOAT16 / BFLOAT16 / DOUBLE
//!   initializers to `f32`, whichever field holds the data.
//! - [`OnnxModel::rewrite`] (in `rewrite.rs`): new model bytes with input/output dims replaced or
//!   initializer-backed inputs dropped; every other byte is copied unchanged.
//!
//! ```no_run
//! # fn main() -> Result<(), doppel::onnx::OnnxError> {
//! use doppel::onnx::{Dim, OnnxModel};
//! let bytes = std::fs::read("centerface.onnx").unwrap();
//! let model = OnnxModel::parse(&bytes)?;
//! let fixed = model
//!     .rewrite()
//!     .input_dims("input.1", vec![Dim::Fixed(1), Dim::Fixed(3), Dim::Fixed(480), Dim::Fixed(640)])
//!     .drop_initializer_inputs()
//!     .finish()?;
//! # let _ = fixed; Ok(()) }
//! ```

use std::fmt;

mod graph;
mod model;
mod rewrite;
mod tensor;
pub mod wire;

#[cfg(test)]
pub(crate) mod tests;

pub use graph::{Initializer, Storage, ValueInfo};
pub use model::{OnnxModel, OpsetImport};
pub use rewrite::Rewrite;
pub use tensor::{bf16_to_f32, f16_to_f32, TensorF32};
pub use wire::WireError;

/// `TensorProto.DataType`: an element type code. Unknown codes are kept as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DataType(pub i32);

impl DataType {
    pub const UNDEFINED: Self = Self(0);
    pub const FLOAT: Self = Self(1);
    pub const UINT8: Self = Self(2);
    pub const INT8: Self = Self(3);
    pub const UINT16: Self = Self(4);
    pub const INT16: Self = Self(5);
    pub const INT32: Self = Self(6);
    pub const INT64: Self = Self(7);
    pub const STRING: Self = Self(8);
    pub const BOOL: Self = Self(9);
    pub const FLOAT16: Self = Self(10);
    pub const DOUBLE: Self = Self(11);
    pub const UINT32: Self = Self(12);
    pub const UINT64: Self = Self(13);
    pub const COMPLEX64: Self = Self(14);
    pub const COMPLEX128: Self = Self(15);
    pub const BFLOAT16: Self = Self(16);

    /// The name used in onnx.proto, or `None` for codes this reader does not know.
    pub fn name(self) -> Option<&'static str> {
        const NAMES: [&str; 24] = [
            "UNDEFINED",
            "FLOAT",
            "UINT8",
            "INT8",
            "UINT16",
            "INT16",
            "INT32",
            "INT64",
            "STRING",
            "BOOL",
            "FLOAT16",
            "DOUBLE",
            "UINT32",
            "UINT64",
            "COMPLEX64",
            "COMPLEX128",
            "BFLOAT16",
            "FLOAT8E4M3FN",
            "FLOAT8E4M3FNUZ",
            "FLOAT8E5M2",
            "FLOAT8E5M2FNUZ",
            "UINT4",
            "INT4",
            "FLOAT4E2M1",
        ];
        usize::try_from(self.0)
            .ok()
            .and_then(|i| NAMES.get(i).copied())
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "UNKNOWN({})", self.0),
        }
    }
}

/// One dimension of a declared tensor shape (`TensorShapeProto.Dimension`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Dim {
    /// `dim_value`: a fixed size.
    Fixed(i64),
    /// `dim_param`: a named symbolic size such as `"batch"` or `"H"`.
    Param(String),
    /// Neither set: any size.
    Unknown,
}

impl From<i64> for Dim {
    fn from(v: i64) -> Self {
        Dim::Fixed(v)
    }
}

impl From<&str> for Dim {
    fn from(s: &str) -> Self {
        Dim::Param(s.to_owned())
    }
}

impl fmt::Display for Dim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dim::Fixed(v) => write!(f, "{v}"),
            Dim::Param(p) => f.write_str(p),
            Dim::Unknown => f.write_str("?"),
        }
    }
}

/// Everything that can go wrong reading or rewriting a model. Messages say what and where.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OnnxError {
    /// The bytes are not a well-formed protobuf `ModelProto` (truncated file, wrong file type).
    Malformed(WireError),
    /// Well-formed protobuf, but no graph: not an ONNX model.
    NoGraph { len: usize },
    /// No initializer has this name.
    InitializerNotFound { name: String },
    /// The graph has no initializers at all.
    NoInitializers,
    /// The initializer's element type cannot be read as floats.
    NotFloat { name: String, data_type: DataType },
    /// The initializer's data lives in a separate file next to the model.
    ExternalData { name: String, location: String },
    /// The initializer's dims and data disagree, or its data is missing.
    BadTensor { name: String, reason: String },
    /// A rewrite named a graph input or output that does not exist.
    ValueNotFound {
        kind: &'static str,
        name: String,
        available: Vec<String>,
    },
    /// A rewrite tried to give dims to an input or output that is not a tensor.
    NotATensor { kind: &'static str, name: String },
    /// A rewrite asked for a negative fixed dimension.
    BadDim {
        kind: &'static str,
        name: String,
        dim: i64,
    },
}

impl From<WireError> for OnnxError {
    fn from(e: WireError) -> Self {
        OnnxError::Malformed(e)
    }
}

impl fmt::Display for OnnxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OnnxError::Malformed(e) => write!(
                f,
                "not an ONNX model: {e} (the file is damaged, incomplete, or another kind of file)"
            ),
            OnnxError::NoGraph { len } => write!(
                f,
                "not an ONNX model: no graph (ModelProto field 7) in these {len} bytes"
            ),
            OnnxError::InitializerNotFound { name } => write!(f, "initializer '{name}' not found"),
            OnnxError::NoInitializers => f.write_str("the model has no initializers"),
            OnnxError::NotFloat { name, data_type } => write!(
                f,
                "initializer '{name}' has type {data_type}, expected float or float16 \
                 (FLOAT, FLOAT16, BFLOAT16 or DOUBLE)"
            ),
            OnnxError::ExternalData { name, location } => write!(
                f,
                "initializer '{name}' keeps its data in the external file '{location}'; \
                 re-save the model with the data embedded"
            ),
            OnnxError::BadTensor { name, reason } => {
                write!(f, "initializer '{name}' is damaged: {reason}")
            }
            OnnxError::ValueNotFound {
                kind,
                name,
                available,
            } => write!(
                f,
                "{kind} '{name}' not found; the model's {kind}s are: {}",
                if available.is_empty() {
                    "(none)".to_owned()
                } else {
                    available.join(", ")
                }
            ),
            OnnxError::NotATensor { kind, name } => {
                write!(
                    f,
                    "{kind} '{name}' is not a tensor, so it has no dims to rewrite"
                )
            }
            OnnxError::BadDim { kind, name, dim } => write!(
                f,
                "{kind} '{name}': dimension {dim} is negative; use Dim::Param or Dim::Unknown \
                 for a size that varies"
            ),
        }
    }
}

impl std::error::Error for OnnxError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            OnnxError::Malformed(e) => Some(e),
            _ => None,
        }
    }
}
