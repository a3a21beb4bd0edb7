//! What recognition needs to know about a model file, read once with [`crate::onnx`] and cached
//! process-wide by (path, size, modification time): data inputs and outputs with shapes,
//! `metadata_props`, and inswapper's emap when the file carries one.
//!
//! The file's bytes are dropped after analysis; only the index (and the 1 MiB emap) is kept.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use parking_lot::Mutex;

use super::embedding::{Emap, EMBEDDING_LEN};
use super::error::IdentityError;
use crate::onnx::{Dim, OnnxModel, ValueInfo};

/// The parts of a model file that recognition reads.
#[derive(Debug, Clone)]
pub struct ModelInfo {
    pub path: PathBuf,
    /// Graph inputs a caller feeds (initializer-backed inputs left out).
    pub inputs: Vec<ValueInfo>,
    pub outputs: Vec<ValueInfo>,
    pub metadata: Vec<(String, String)>,
    /// inswapper's emap (initializer `buff2fs`, else the last one), read when the model has a
    /// (1, 512) input and such an initializer; `Err` says why it could not be decoded.
    pub emap: Option<Result<Arc<Emap>, String>>,
    /// Whether an initializer named `buff2fs` exists.
    pub has_buff2fs: bool,
}

type CacheKey = (PathBuf, u64, Option<SystemTime>);

fn cache() -> &'static Mutex<HashMap<CacheKey, Arc<ModelInfo>>> {
    static CACHE: OnceLock<Mutex<HashMap<CacheKey, Arc<ModelInfo>>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Cached entries kept at most; the cache is emptied when it grows past this.
const CACHE_LIMIT: usize = 32;

/// Reads and indexes a model file, or returns the cached index of the same unchanged file.
pub fn analyse(path: &Path) -> Result<Arc<ModelInfo>, IdentityError> {
    let meta = std::fs::metadata(path).map_err(|e| IdentityError::io(path, e))?;
    if meta.is_dir() {
        return Err(IdentityError::model(path, "is a folder, not a model file"));
    }
    let key = (path.to_path_buf(), meta.len(), meta.modified().ok());
    if let Some(info) = cache().lock().get(&key) {
        return Ok(info.clone());
    }
    let bytes = std::fs::read(path).map_err(|e| IdentityError::io(path, e))?;
    let model = OnnxModel::from_vec(bytes).map_err(|error| IdentityError::Onnx {
        path: path.to_path_buf(),
        error,
    })?;
    let info = Arc::new(ModelInfo::from_model(path, &model));
    let mut cache = cache().lock();
    if cache.len() >= CACHE_LIMIT {
        cache.clear();
    }
    cache.insert(key, info.clone());
    Ok(info)
}

impl ModelInfo {
    /// Indexes a parsed model (no file access).
    pub fn from_model(path: &Path, model: &OnnxModel) -> ModelInfo {
        let inputs: Vec<ValueInfo> = model.data_inputs().into_iter().cloned().collect();
        let has_buff2fs = model.initializer("buff2fs").is_some();
        let takes_vector = inputs
            .iter()
            .any(|v| fixed_dims(v).as_deref() == Some(&[1, EMBEDDING_LEN][..]));
        let square_last = model
            .last_initializer()
            .is_some_and(|i| i.dims == [EMBEDDING_LEN as i64, EMBEDDING_LEN as i64]);
        let emap = (takes_vector && (has_buff2fs || square_last))
            .then(|| Emap::from_model(model).map(Arc::new));
        ModelInfo {
            path: path.to_path_buf(),
            inputs,
            outputs: model.outputs().to_vec(),
            metadata: model.metadata().to_vec(),
            emap,
            has_buff2fs,
        }
    }

    pub fn input(&self, name: &str) -> Option<&ValueInfo> {
        self.inputs.iter().find(|v| v.name == name)
    }

    pub fn output(&self, name: &str) -> Option<&ValueInfo> {
        self.outputs.iter().find(|v| v.name == name)
    }

    /// The value of a metadata key (the last one if repeated).
    pub fn metadata_value(&self, key: &str) -> Option<&str> {
        self.metadata
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the metadata declares conventions (`doppel.template`, `doppel.layout`, ...);
    /// `doppel.person` or `doppel.licence` alone do not make a per-identity export.
    pub fn has_doppel_conventions(&self) -> bool {
        const KEYS: [&str; 6] = [
            "doppel.template",
            "doppel.crop_size",
            "doppel.layout",
            "doppel.channels",
            "doppel.normalisation",
            "doppel.output_range",
        ];
        self.metadata
            .iter()
            .any(|(k, _)| KEYS.contains(&k.as_str()))
    }

    /// For messages: `inputs target (1,3,128,128) FLOAT, source (1,512) FLOAT; outputs output
    /// (1,3,128,128) FLOAT`.
    pub fn describe(&self) -> String {
        let list = |values: &[ValueInfo]| {
            if values.is_empty() {
                "(none)".to_owned()
            } else {
                values
                    .iter()
                    .map(describe_value)
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        format!(
            "inputs {}; outputs {}",
            list(&self.inputs),
            list(&self.outputs)
        )
    }
}

/// `name (d0,d1,...) TYPE`, with `?` or the parameter name for dynamic dimensions.
pub fn describe_value(v: &ValueInfo) -> String {
    let shape = match &v.shape {
        Some(dims) => format!(
            "({})",
            dims.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(",")
        ),
        None => "(shape unknown)".to_owned(),
    };
    match v.elem_type {
        Some(t) => format!("{} {shape} {t}", v.name),
        None => format!("{} {shape}", v.name),
    }
}

/// The dims when all are fixed and non-negative.
pub fn fixed_dims(v: &ValueInfo) -> Option<Vec<usize>> {
    v.shape
        .as_ref()?
        .iter()
        .map(|d| match d {
            Dim::Fixed(x) => usize::try_from(*x).ok(),
            _ => None,
        })
        .collect()
}

/// One dimension: `Some(n)` when fixed, `None` when dynamic.
fn dim(d: &Dim) -> Option<usize> {
    match d {
        Dim::Fixed(x) => usize::try_from(*x).ok(),
        _ => None,
    }
}

/// An image-like tensor: rank 4 with `channels` at position 1 (NCHW) or 3 (NHWC).
/// Returns the layout's channel axis and the square side when fixed (`Some(None)` = dynamic side).
pub fn image_side(v: &ValueInfo, channels: usize, nhwc: bool) -> Option<Option<usize>> {
    let dims = v.shape.as_ref()?;
    if dims.len() != 4 || matches!(dims[0], Dim::Fixed(b) if b != 1) {
        return None;
    }
    let (c, h, w) = if nhwc {
        (&dims[3], &dims[1], &dims[2])
    } else {
        (&dims[1], &dims[2], &dims[3])
    };
    if dim(c) != Some(channels) {
        return None;
    }
    Some(match (dim(h), dim(w)) {
        (Some(h), Some(w)) if h == w => Some(h),
        (Some(_), Some(_)) => return None,
        _ => None,
    })
}

/// Whether `v` is a (1, 512) (or (N, 512)) vector input.
pub fn is_vector(v: &ValueInfo) -> bool {
    match v.shape.as_deref() {
        Some([first, last]) => {
            dim(last) == Some(EMBEDDING_LEN) && !matches!(first, Dim::Fixed(b) if *b != 1)
        }
        _ => false,
    }
}
