//! Opening the `.ofx` binary, its exported entry points, and calls into a plugin's mainEntry.

use std::collections::HashMap;
use std::ffi::{c_char, c_int, c_uint, c_void, CStr};
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use openfx::sys::generic::core::{OfxHost, OfxPlugin, OfxPluginEntryPoint};

use super::{c_str, handle, host_ptr};
use crate::consts::*;
use crate::error::HostError;
use crate::profile::HostProfile;
use crate::registry::lock;

type SetHostFn = unsafe extern "C" fn(*mut OfxHost) -> OfxStatus;
type CountFn = unsafe extern "C" fn() -> c_int;
type GetPluginFn = unsafe extern "C" fn(c_int) -> *mut OfxPlugin;
type PluginSetHost = unsafe extern "C" fn(*mut OfxHost);

/// Open binaries per canonical path, to give a second concurrent host its own copy.
static OPEN: LazyLock<Mutex<HashMap<PathBuf, usize>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// A loaded `.ofx` binary.
pub(crate) struct Binary {
    lib: Option<libloading::Library>,
    canonical: PathBuf,
    /// A private copy (deleted once mapped), when another host in this process already has the
    /// binary open: each host gets its own plugin globals, as separate processes would.
    copy: Option<PathBuf>,
}

/// What OfxGetPlugin returned, copied out.
pub(crate) struct RawPlugin {
    pub api: String,
    pub api_version: i32,
    pub id: String,
    pub version: (u32, u32),
    pub set_host: Option<PluginSetHost>,
    pub entry: Entry,
}

/// A plugin's mainEntry.
#[derive(Clone, Copy)]
pub(crate) struct Entry(OfxPluginEntryPoint);

impl Entry {
    /// Calls mainEntry with registry handles (0 = NULL).
    pub(crate) fn call(
        &self,
        action: &CStr,
        handle_key: usize,
        in_args: usize,
        out_args: usize,
    ) -> OfxStatus {
        let Some(f) = self.0 else {
            return kOfxStatErrMissingHostFeature;
        };
        // SAFETY: calling the plugin's entry point with a NUL-terminated action name and opaque
        // handles, as the OFX ABI defines; the plugin must not unwind across it.
        unsafe {
            f(
                action.as_ptr(),
                handle::<c_void>(handle_key).cast_const(),
                handle(in_args),
                handle(out_args),
            )
        }
    }
}

impl Binary {
    /// Opens `path` (copying it first if this process already has it open).
    pub(crate) fn open(path: &Path) -> Result<Binary, HostError> {
        let canonical = path
            .canonicalize()
            .map_err(|e| HostError::Bundle(format!("{}: {e}", path.display())))?;
        let copy = {
            let mut open = lock(&OPEN);
            let count = open.entry(canonical.clone()).or_insert(0);
            *count += 1;
            *count > 1
        };
        let mut bin = Binary {
            lib: None,
            canonical: canonical.clone(),
            copy: None,
        };
        let load_path = if copy {
            let p = private_copy(&canonical)?;
            bin.copy = Some(p.clone());
            p
        } else {
            canonical
        };
        // SAFETY: loading the plugin runs its initialisers; that is what a host does.
        let lib = unsafe { libloading::Library::new(&load_path) };
        if let Some(p) = &bin.copy {
            // Mapped now: the file can go (a host kept alive until exit would leave it behind).
            let _ = std::fs::remove_file(p);
            if let Some(dir) = p.parent() {
                let _ = std::fs::remove_dir(dir);
            }
        }
        let lib =
            lib.map_err(|e| HostError::Bundle(format!("dlopen {}: {e}", load_path.display())))?;
        bin.lib = Some(lib);
        Ok(bin)
    }

    fn symbol<T: Copy>(&self, name: &str) -> Option<T> {
        let lib = self.lib.as_ref()?;
        // SAFETY: the caller names the C type of the exported symbol (OFX defines them).
        unsafe { lib.get::<T>(name.as_bytes()) }.ok().map(|s| *s)
    }

    /// Calls OfxSetHost when exported; it must answer kOfxStatOK.
    pub(crate) fn set_host(&self, profile: HostProfile) -> Result<(), HostError> {
        let Some(f) = self.symbol::<SetHostFn>("OfxSetHost") else {
            return Ok(());
        };
        // SAFETY: OfxSetHost(OfxHost*) -> OfxStatus, with a host struct that lives forever.
        let status = unsafe { f(host_ptr(profile)) };
        if status != kOfxStatOK {
            return Err(HostError::Action {
                action: "OfxSetHost".into(),
                status,
                message: Some(
                    "OfxSetHost must return kOfxStatOK (does it return a status?)".into(),
                ),
            });
        }
        Ok(())
    }

    /// OfxGetNumberOfPlugins and OfxGetPlugin(i) for each.
    pub(crate) fn plugins(&self) -> Result<Vec<RawPlugin>, HostError> {
        let count = self
            .symbol::<CountFn>("OfxGetNumberOfPlugins")
            .ok_or_else(|| HostError::Bundle("OfxGetNumberOfPlugins not exported".into()))?;
        let get = self
            .symbol::<GetPluginFn>("OfxGetPlugin")
            .ok_or_else(|| HostError::Bundle("OfxGetPlugin not exported".into()))?;
        // SAFETY: OFX entry points with the signatures OFX defines.
        let n = unsafe { count() };
        let mut out = Vec::new();
        for i in 0..n.max(0) {
            // SAFETY: as above; the plugin returns a pointer to a static OfxPlugin or NULL.
            let p = unsafe { get(i) };
            if p.is_null() {
                return Err(HostError::Bundle(format!(
                    "OfxGetPlugin({i}) returned NULL"
                )));
            }
            // SAFETY: non-NULL pointer to the plugin's OfxPlugin, valid while loaded.
            let p = unsafe { *p };
            let text = |s: *const c_char| c_str(s).unwrap_or("").to_owned();
            out.push(RawPlugin {
                api: text(p.pluginApi),
                api_version: p.apiVersion,
                id: text(p.pluginIdentifier),
                version: (
                    p.pluginVersionMajor as c_uint,
                    p.pluginVersionMinor as c_uint,
                ),
                set_host: p.setHost,
                entry: Entry(p.mainEntry),
            });
        }
        Ok(out)
    }
}

/// Calls a plugin's setHost with the profile's OfxHost.
pub(crate) fn plugin_set_host(f: Option<PluginSetHost>, profile: HostProfile) {
    if let Some(f) = f {
        // SAFETY: setHost(OfxHost*) as OFX defines it; the host struct lives forever.
        unsafe { f(host_ptr(profile)) };
    }
}

fn private_copy(src: &Path) -> Result<PathBuf, HostError> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "doppel-host-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir)
        .map_err(|e| HostError::Bundle(format!("{}: {e}", dir.display())))?;
    let dst = dir.join(src.file_name().unwrap_or_default());
    std::fs::copy(src, &dst)
        .map_err(|e| HostError::Bundle(format!("copy to {}: {e}", dst.display())))?;
    Ok(dst)
}

impl Drop for Binary {
    fn drop(&mut self) {
        if let Some(lib) = self.lib.take() {
            let _ = lib.close();
        }
        let mut open = lock(&OPEN);
        if let Some(c) = open.get_mut(&self.canonical) {
            *c -= 1;
            if *c == 0 {
                open.remove(&self.canonical);
            }
        }
    }
}
