//! The ONNX Runtime library and the one process-wide environment: where the library lives, a
//! check that it is a loadable file, and lazy, panic-free initialisation.

use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ort::environment::Environment;
use ort::logging::LogLevel;
use parking_lot::{Mutex, RwLock};

/// The ONNX Runtime release Doppel ships and is built against.
pub const ORT_VERSION: &str = "1.31.1";

/// The library's file name inside the bundle, next to the plugin binary.
pub fn library_file_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "libonnxruntime.1.31.1.dylib"
    } else if cfg!(target_os = "windows") {
        "onnxruntime.dll"
    } else {
        "libonnxruntime.so.1.31.1"
    }
}

/// Where the bundle keeps ONNX Runtime: next to the plugin binary.
pub fn library_path_in_bundle(plugin_binary_dir: &Path) -> PathBuf {
    plugin_binary_dir.join(library_file_name())
}

static LIBRARY_PATH: RwLock<Option<PathBuf>> = RwLock::new(None);
static ENVIRONMENT: Mutex<Option<Environment>> = Mutex::new(None);

/// Sets where the ONNX Runtime library lives. Takes effect if called before the first model is
/// loaded; afterwards the library already loaded stays (a process loads it once).
pub fn set_library_path(path: &Path) {
    if ENVIRONMENT.lock().is_some() {
        log::debug!(
            "ONNX Runtime is already loaded; ignoring the new library path {}",
            path.display()
        );
        return;
    }
    *LIBRARY_PATH.write() = Some(path.to_path_buf());
}

/// The library path in effect: the one set, else `DOPPEL_ORT_LIB`.
fn library_path() -> Option<PathBuf> {
    LIBRARY_PATH.read().clone().or_else(|| {
        std::env::var_os("DOPPEL_ORT_LIB")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    })
}

/// Checks that `path` is a file that looks like a shared library (ELF, Mach-O or PE), without
/// loading it. The message says what is wrong.
pub fn check_library(path: &Path) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "the file does not exist".to_owned(),
        _ => format!("the file cannot be read ({e})"),
    })?;
    if !meta.is_file() {
        return Err("this is a folder, not the library file".to_owned());
    }
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .map_err(|e| format!("the file cannot be read ({e})"))?;
    let elf = magic == *b"\x7fELF";
    let mach_o = matches!(
        u32::from_be_bytes(magic),
        0xfeed_face | 0xfeed_facf | 0xcefa_edfe | 0xcffa_edfe | 0xcafe_babe
    );
    let pe = magic[..2] == *b"MZ";
    if !(elf || mach_o || pe) {
        return Err(format!(
            "the file is not a shared library ({} bytes, starts with {magic:02x?})",
            meta.len()
        ));
    }
    Ok(())
}

/// The process's environment, creating it (and loading the library) on first use. The error
/// reads "ONNX Runtime could not be loaded from …: …". A failure is not remembered: a later call,
/// after the library path was fixed, tries again.
pub(crate) fn environment() -> Result<Environment, String> {
    let mut env = ENVIRONMENT.lock();
    if let Some(env) = env.as_ref() {
        return Ok(env.clone());
    }
    let path = library_path().ok_or_else(|| {
        "ONNX Runtime could not be loaded: its location was not set (the plugin sets it to the \
         copy inside Doppel.ofx.bundle; elsewhere set DOPPEL_ORT_LIB)"
            .to_owned()
    })?;
    let created = open_environment(&path).map_err(|e| {
        format!(
            "ONNX Runtime could not be loaded from {}: {e}",
            path.display()
        )
    })?;
    log::info!("ONNX Runtime loaded from {}", path.display());
    *env = Some(created.clone());
    Ok(created)
}

/// Loads the library at `path` and builds the environment; panics inside ort become errors.
fn open_environment(path: &Path) -> Result<Environment, String> {
    check_library(path)?;
    let built = catch_unwind(AssertUnwindSafe(|| -> Result<Environment, String> {
        let builder = ort::init_from(path).map_err(|e| e.to_string())?;
        let env = builder
            .with_name("doppel")
            .with_telemetry(false)
            .with_logger(Arc::new(forward_log))
            .build()
            .map_err(|e| e.to_string())?;
        env.set_log_level(match log::max_level() {
            log::LevelFilter::Trace => LogLevel::Verbose,
            log::LevelFilter::Debug => LogLevel::Info,
            _ => LogLevel::Warning,
        });
        Ok(env)
    }))
    .map_err(|panic| format!("the library failed to start ({})", panic_message(&panic)))??;
    Ok(built)
}

/// ONNX Runtime's own messages, into the plugin's log one level quieter (its warnings are
/// mostly advice about graph partitioning; its errors also come back as returned errors).
fn forward_log(level: LogLevel, category: &str, _id: &str, location: &str, message: &str) {
    let level = match level {
        LogLevel::Fatal | LogLevel::Error => log::Level::Warn,
        LogLevel::Warning => log::Level::Info,
        LogLevel::Info => log::Level::Debug,
        LogLevel::Verbose => log::Level::Trace,
    };
    log::log!(level, "onnxruntime [{category}] {message} ({location})");
}

/// The text of a caught panic.
pub(crate) fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}
