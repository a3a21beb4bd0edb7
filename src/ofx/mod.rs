//! The OFX C ABI: the one module where `unsafe` lives. Exports, the plugin table, the action
//! trampoline, and the host suites wrapped into safe calls for the rest of the crate.

mod actions;
mod describe;
mod dispatch;
mod image;
mod instance;
mod message;
mod props;
mod render;
mod sequence;
mod suites;

use std::ffi::{c_int, CString};
use std::fmt;
use std::sync::OnceLock;

use openfx::sys::generic::core::{
    kOfxStatErrBadHandle, kOfxStatErrMissingHostFeature, kOfxStatErrUnknown, kOfxStatFailed,
    kOfxStatOK, OfxHost, OfxPlugin, OfxStatus,
};
use openfx::sys::image_effect_v1::image_effect::kOfxImageEffectPluginApi;

use crate::effects::face_blend::FaceBlend;
use crate::effects::face_swap::FaceSwap;
use crate::effects::Effect;

/// Why an action failed; each maps to the OFX status the host receives.
#[derive(Debug, Clone)]
pub enum OfxError {
    BadHandle(&'static str),
    MissingHostFeature(&'static str),
    Property {
        what: &'static str,
        name: String,
        status: OfxStatus,
    },
    Suite {
        call: &'static str,
        status: OfxStatus,
    },
    /// A problem the user can act on (unsupported image format, bad input); shown in the host.
    User(String),
    Panic(String),
}

impl OfxError {
    pub fn status(&self) -> OfxStatus {
        match self {
            OfxError::BadHandle(_) => kOfxStatErrBadHandle,
            OfxError::MissingHostFeature(_) => kOfxStatErrMissingHostFeature,
            OfxError::Property { .. } | OfxError::Suite { .. } => kOfxStatErrUnknown,
            OfxError::User(_) | OfxError::Panic(_) => kOfxStatFailed,
        }
    }
}

impl fmt::Display for OfxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OfxError::BadHandle(what) => write!(f, "bad handle: {what}"),
            OfxError::MissingHostFeature(what) => write!(f, "the host lacks {what}"),
            OfxError::Property { what, name, status } => {
                write!(f, "property {what} '{name}' failed with status {status}")
            }
            OfxError::Suite { call, status } => write!(f, "{call} failed with status {status}"),
            OfxError::User(message) => f.write_str(message),
            OfxError::Panic(message) => write!(f, "internal error: {message}"),
        }
    }
}

/// Turns a suite call's status into a Result.
pub(crate) fn check(status: OfxStatus, call: &'static str) -> Result<(), OfxError> {
    if status == kOfxStatOK {
        Ok(())
    } else {
        Err(OfxError::Suite { call, status })
    }
}

struct PluginTable(Vec<OfxPlugin>);
// SAFETY: the table is built once and never mutated; its pointers are to leaked static strings.
unsafe impl Send for PluginTable {}
// SAFETY: as above.
unsafe impl Sync for PluginTable {}

fn plugin<E: Effect>() -> OfxPlugin {
    let decl = E::declaration();
    let id = CString::new(decl.id).expect("plugin ids have no NUL");
    OfxPlugin {
        pluginApi: kOfxImageEffectPluginApi.as_ptr(),
        apiVersion: 1,
        pluginIdentifier: Box::leak(id.into_boxed_c_str()).as_ptr(),
        pluginVersionMajor: decl.version.0,
        pluginVersionMinor: decl.version.1,
        setHost: Some(dispatch::set_host_v1),
        mainEntry: Some(dispatch::main_entry::<E>),
    }
}

/// Every effect the bundle registers: only effects that work are listed.
fn plugins() -> &'static [OfxPlugin] {
    static TABLE: OnceLock<PluginTable> = OnceLock::new();
    &TABLE
        .get_or_init(|| PluginTable(vec![plugin::<FaceSwap>(), plugin::<FaceBlend>()]))
        .0
}

#[no_mangle]
pub extern "C" fn OfxGetNumberOfPlugins() -> c_int {
    dispatch::guard("OfxGetNumberOfPlugins", 0, || plugins().len() as c_int)
}

#[no_mangle]
pub extern "C" fn OfxGetPlugin(nth: c_int) -> *mut OfxPlugin {
    dispatch::guard("OfxGetPlugin", std::ptr::null_mut(), || {
        usize::try_from(nth)
            .ok()
            .and_then(|i| plugins().get(i))
            .map_or(std::ptr::null_mut(), |p| {
                p as *const OfxPlugin as *mut OfxPlugin
            })
    })
}

/// OFX 1.5's whole-binary host setter; returns a status, unlike the per-plugin `setHost`.
#[no_mangle]
pub extern "C" fn OfxSetHost(host: *const OfxHost) -> OfxStatus {
    dispatch::guard("OfxSetHost", kOfxStatFailed, || {
        match suites::set_host(host as *mut OfxHost) {
            Ok(()) => kOfxStatOK,
            Err(e) => {
                log::error!("OfxSetHost: {e}");
                e.status()
            }
        }
    })
}
