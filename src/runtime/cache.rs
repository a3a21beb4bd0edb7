//! Loading models: read and check the file with `crate::onnx`, apply fixes, choose an execution
//! provider, build the session, and share it process-wide through a cache keyed by file
//! identity (canonical path, modification time, size), device and fix tag.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::SystemTime;

use ort::ep::{self, ExecutionProvider, ExecutionProviderDispatch};
use ort::session::builder::{AutoDevicePolicy, GraphOptimizationLevel};
use ort::session::Session;
use parking_lot::Mutex;

use super::env::{environment, panic_message};
use super::{Device, Model, ModelError, ModelErrorKind};
use crate::onnx::{OnnxError, OnnxModel};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    path: PathBuf,
    modified: Option<SystemTime>,
    size: u64,
    device: Device,
    tag: String,
}

impl Key {
    /// Same model slot (file, device, fix) whatever the file's current contents.
    fn same_slot(&self, other: &Key) -> bool {
        self.path == other.path && self.device == other.device && self.tag == other.tag
    }
}

static CACHE: LazyLock<Mutex<HashMap<Key, Model>>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// Loads the model at `path` (cached: the same file, unchanged, on the same device gives the
/// same session). Graph inputs that are initializers are dropped before the session is built.
pub fn load_model(path: &Path, device: Device) -> Result<Model, ModelError> {
    load(
        path,
        device,
        "",
        None::<fn(&OnnxModel) -> Result<Vec<u8>, OnnxError>>,
    )
}

/// Like [`load_model`], with the model's bytes rewritten by `fix` before the session is built
/// (e.g. fixed input dims). `fix_tag` names the rewrite: it is part of the cache key, so two
/// different fixes of one file must use different tags.
pub fn load_model_with(
    path: &Path,
    device: Device,
    fix_tag: &str,
    fix: impl FnOnce(&OnnxModel) -> Result<Vec<u8>, OnnxError>,
) -> Result<Model, ModelError> {
    load(path, device, fix_tag, Some(fix))
}

/// Drops every cached session not in use elsewhere (e.g. when the last plugin instance goes).
pub fn clear_cache() {
    CACHE.lock().clear();
}

fn load<F>(path: &Path, device: Device, tag: &str, fix: Option<F>) -> Result<Model, ModelError>
where
    F: FnOnce(&OnnxModel) -> Result<Vec<u8>, OnnxError>,
{
    let err = |kind, message: String| ModelError::new(path, kind, message);
    let meta = std::fs::metadata(path).map_err(|e| err(ModelErrorKind::Unreadable, io_text(&e)))?;
    if !meta.is_file() {
        return Err(err(
            ModelErrorKind::Unreadable,
            "this is a folder, not a model file".into(),
        ));
    }
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let key = Key {
        path: canonical,
        modified: meta.modified().ok(),
        size: meta.len(),
        device,
        tag: tag.to_owned(),
    };
    if let Some(model) = CACHE.lock().get(&key) {
        return Ok(model.clone());
    }

    let bytes = std::fs::read(path).map_err(|e| err(ModelErrorKind::Unreadable, io_text(&e)))?;
    let model =
        OnnxModel::from_vec(bytes).map_err(|e| err(ModelErrorKind::Invalid, e.to_string()))?;
    let model = match fix {
        None => model,
        Some(fix) => {
            let fixed = fix(&model).map_err(|e| {
                err(
                    ModelErrorKind::Unsupported,
                    format!("it could not be prepared: {e}"),
                )
            })?;
            OnnxModel::from_vec(fixed).map_err(|e| {
                err(
                    ModelErrorKind::Invalid,
                    format!("the prepared model is damaged: {e}"),
                )
            })?
        }
    };
    let bytes = if model.data_inputs().len() < model.inputs().len() {
        model
            .without_initializer_inputs()
            .map_err(|e| err(ModelErrorKind::Invalid, e.to_string()))?
    } else {
        model.into_bytes()
    };

    let env = environment().map_err(|e| err(ModelErrorKind::Runtime, e))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let built = catch_unwind(AssertUnwindSafe(|| {
        build_session(&env, &bytes, dir, device)
    }));
    let (session, provider) = match built {
        Ok(result) => result.map_err(|e| err(ModelErrorKind::Rejected, e))?,
        Err(panic) => {
            return Err(err(
                ModelErrorKind::Rejected,
                format!(
                    "ONNX Runtime panicked while loading it: {}",
                    panic_message(&panic)
                ),
            ))
        }
    };
    log::info!("loaded {} on {provider}", path.display());
    let model = Model::new(session, provider, path.to_path_buf());

    let mut cache = CACHE.lock();
    if let Some(raced) = cache.get(&key) {
        return Ok(raced.clone());
    }
    cache.retain(|k, _| !k.same_slot(&key));
    cache.insert(key, model.clone());
    Ok(model)
}

fn io_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "the file does not exist".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    }
}

/// The session on the first execution provider that takes the model, CPU last.
fn build_session(
    env: &ort::environment::Environment,
    bytes: &[u8],
    dir: &Path,
    device: Device,
) -> Result<(Session, &'static str), String> {
    let candidates = if device == Device::Auto {
        accelerators()
    } else {
        Vec::new()
    };
    first_that_builds(env, bytes, dir, candidates)
}

/// The session on the first of `candidates` that registers and builds (a GPU build of ONNX
/// Runtime lists CUDA and TensorRT even where their NVIDIA libraries are missing: registering
/// them then fails, and the next entry is tried, with a log line), CPU last.
pub(super) fn first_that_builds(
    env: &ort::environment::Environment,
    bytes: &[u8],
    dir: &Path,
    candidates: Vec<(&'static str, Vec<ExecutionProviderDispatch>)>,
) -> Result<(Session, &'static str), String> {
    for (name, providers) in candidates {
        match commit(env, bytes, dir, &providers) {
            Ok(session) => return Ok((session, name)),
            Err(e) => log::info!("{name} execution provider not used, trying the next: {e}"),
        }
    }
    commit(env, bytes, dir, &[]).map(|s| (s, "CPU"))
}

/// The accelerated providers this library was built with, in order of preference; each entry
/// is what to register together (TensorRT leaves what it cannot take to CUDA).
fn accelerators() -> Vec<(&'static str, Vec<ExecutionProviderDispatch>)> {
    let mut list = Vec::new();
    let skip_trt = std::env::var("DOPPEL_NO_TENSORRT").is_ok_and(|v| !v.is_empty() && v != "0");
    let cuda = ep::CUDA::is_available().unwrap_or(false);
    if !skip_trt && ep::TensorRT::is_available().unwrap_or(false) {
        let cache = trt_cache_dir();
        let _ = std::fs::create_dir_all(&cache);
        let cache = cache.to_string_lossy().into_owned();
        let trt = ep::TensorRT::default()
            .with_engine_cache(true)
            .with_engine_cache_path(&cache)
            .with_timing_cache(true)
            .with_timing_cache_path(&cache)
            .build()
            .error_on_failure();
        let mut providers = vec![trt];
        if cuda {
            providers.push(ep::CUDA::default().build().error_on_failure());
        }
        list.push(("TensorRT", providers));
    }
    if cuda {
        list.push(("CUDA", vec![ep::CUDA::default().build().error_on_failure()]));
    }
    if ep::CoreML::is_available().unwrap_or(false) {
        list.push((
            "CoreML",
            vec![ep::CoreML::default().build().error_on_failure()],
        ));
    }
    if ep::DirectML::is_available().unwrap_or(false) {
        list.push((
            "DirectML",
            vec![ep::DirectML::default().build().error_on_failure()],
        ));
    }
    list
}

/// `$XDG_CACHE_HOME/doppel/trt`, else `~/.cache/doppel/trt` (`%LOCALAPPDATA%` on Windows).
fn trt_cache_dir() -> PathBuf {
    let var = |name| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let base = var("XDG_CACHE_HOME")
        .or_else(|| var("LOCALAPPDATA"))
        .or_else(|| var("HOME").map(|h| h.join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("doppel").join("trt")
}

fn commit(
    env: &ort::environment::Environment,
    bytes: &[u8],
    dir: &Path,
    providers: &[ExecutionProviderDispatch],
) -> Result<Session, String> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let text = |e: ort::Error<_>| e.to_string();
    let mut builder = Session::builder(env)
        .map_err(|e| e.to_string())?
        .with_auto_device(AutoDevicePolicy::PreferCPU)
        .map_err(text)?
        .with_optimization_level(GraphOptimizationLevel::All)
        .map_err(text)?
        .with_intra_threads(threads)
        .map_err(text)?
        .with_config_entry(
            "session.model_external_initializers_file_folder_path",
            dir.to_string_lossy(),
        )
        .map_err(text)?;
    if !providers.is_empty() {
        builder = builder.with_execution_providers(providers).map_err(text)?;
    }
    builder.commit_from_memory(bytes).map_err(|e| e.to_string())
}
