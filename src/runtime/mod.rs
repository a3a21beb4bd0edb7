//! The model runtime: ONNX Runtime sessions behind a small, plain-data API.
//!
//! - The ONNX Runtime shared library is loaded at run time from the copy shipped in the bundle
//!   ([`set_library_path`], [`library_path_in_bundle`]); one environment per process, created on
//!   the first [`load_model`], never at plugin load or describe. A missing, broken or too old
//!   library is a [`ModelError`], never a panic.
//! - [`load_model`] / [`load_model_with`] read the file with [`crate::onnx`] first (so a
//!   truncated or foreign file gets a precise message), apply fixes (graph inputs that are
//!   initializers are always dropped), pick an execution provider ([`Device`]) and cache the
//!   session process-wide: the same file, device and fix share one session.
//! - [`Model::run`] takes and returns plain [`Tensor`]s (f32 or f64; float16 outputs come back as
//!   f32), converting inputs to the element type the model declares.
//! - [`take_model_time`] reports the time this thread spent inside [`Model::run`].
//!
//! Execution providers, with [`Device::Auto`], in this order when the library was built with
//! them: TensorRT (engines cached in `$XDG_CACHE_HOME/doppel/trt`, or `~/.cache/doppel/trt`;
//! `DOPPEL_NO_TENSORRT=1` skips it), CUDA, CoreML, DirectML; CPU otherwise. A provider that
//! fails to register or to build the session (e.g. CUDA, cuDNN or TensorRT not installed next
//! to a GPU build of the library) is skipped for the next one, with an info log line.
//! [`Model::provider`] says which one runs the model.

mod cache;
mod env;
mod error;
mod model;

#[cfg(test)]
pub(crate) mod tests;

pub use cache::{clear_cache, load_model, load_model_with};
pub use env::{
    check_library, library_file_name, library_path_in_bundle, set_library_path, ORT_VERSION,
};
pub use error::{ModelError, ModelErrorKind};
pub use model::{take_model_time, Model};

/// Where a model runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Device {
    /// The fastest execution provider the ONNX Runtime library offers, falling back to CPU.
    #[default]
    Auto,
    /// CPU only.
    Cpu,
}

/// Tensor values: the element types Doppel hands to and gets from models.
#[derive(Debug, Clone, PartialEq)]
pub enum TensorData {
    F32(Vec<f32>),
    F64(Vec<f64>),
}

/// A dense tensor, row-major (C order), with its shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    pub shape: Vec<usize>,
    pub data: TensorData,
}

impl Tensor {
    /// A float32 tensor; `data.len()` must equal the product of `shape` ([`Model::run`] checks).
    pub fn f32(shape: impl Into<Vec<usize>>, data: Vec<f32>) -> Tensor {
        Tensor {
            shape: shape.into(),
            data: TensorData::F32(data),
        }
    }

    /// A float64 tensor (CodeFormer's `weight`).
    pub fn f64(shape: impl Into<Vec<usize>>, data: Vec<f64>) -> Tensor {
        Tensor {
            shape: shape.into(),
            data: TensorData::F64(data),
        }
    }

    pub fn as_f32(&self) -> Option<&[f32]> {
        match &self.data {
            TensorData::F32(v) => Some(v),
            TensorData::F64(_) => None,
        }
    }

    pub fn as_f64(&self) -> Option<&[f64]> {
        match &self.data {
            TensorData::F64(v) => Some(v),
            TensorData::F32(_) => None,
        }
    }

    /// The values as f32 whatever the element type (f64 values are rounded).
    pub fn to_f32_vec(&self) -> Vec<f32> {
        match &self.data {
            TensorData::F32(v) => v.clone(),
            TensorData::F64(v) => v.iter().map(|&x| x as f32).collect(),
        }
    }

    /// Number of values held.
    pub fn len(&self) -> usize {
        match &self.data {
            TensorData::F32(v) => v.len(),
            TensorData::F64(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of values the shape calls for.
    pub fn element_count(&self) -> usize {
        self.shape.iter().product()
    }
}

/// Element type of a model input or output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ElemType {
    F32,
    F64,
    F16,
    I64,
    /// Anything else (integers, bool, bfloat16, strings): outputs of integer and bool types come
    /// back as f64, bfloat16 as f32.
    Other,
}

/// A model input or output as the session declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IoSpec {
    pub name: String,
    /// `None` for a dynamic (symbolic or unknown) dimension.
    pub shape: Vec<Option<usize>>,
    pub elem: ElemType,
}

impl IoSpec {
    /// The shape when every dimension is fixed.
    pub fn fixed_shape(&self) -> Option<Vec<usize>> {
        self.shape.iter().copied().collect()
    }
}
