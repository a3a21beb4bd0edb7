//! The C side of the host: suite tables, `OfxHost`, the loaded binary and calls into the plugin.
//!
//! This is the only part of the crate that uses `unsafe`: a C host has to read and write through
//! pointers the plugin hands over, call the plugin's function pointers and hand out raw memory.
//! Handles themselves are never dereferenced (see [`crate::registry`]). `unsafe_code` is allowed
//! for this module in `lib.rs`.

pub(crate) mod effect;
pub(crate) mod imagebuf;
pub(crate) mod misc;
pub(crate) mod param;
pub(crate) mod plugin;
pub(crate) mod property;

use std::ffi::{c_char, c_int, c_void, CStr};
use std::sync::{Arc, LazyLock};

use openfx::sys::generic::core::{OfxHost, OfxPropertySetHandle};
use openfx::sys::generic::property::OfxPropertySuiteV1;
use openfx::sys::image_effect_v1::image_effect::OfxImageEffectSuiteV1;
use openfx::sys::image_effect_v1::memory::OfxMemorySuiteV1;
use openfx::sys::image_effect_v1::message::{OfxMessageSuiteV1, OfxMessageSuiteV2};
use openfx::sys::image_effect_v1::multi_thread::OfxMultiThreadSuiteV1;
use openfx::sys::image_effect_v1::param::OfxParameterSuiteV1;

use crate::consts::*;
use crate::model::PropCell;
use crate::profile::HostProfile;
use crate::registry::{self, Obj};
use crate::runtime::Log;

/// Runs a suite function body; a panic in the host becomes kOfxStatErrFatal instead of unwinding
/// into the plugin (which would abort the process).
pub(crate) fn guard(f: impl FnOnce() -> OfxStatus) -> OfxStatus {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or(kOfxStatErrFatal)
}

/// Reads a C string argument (None for NULL or invalid UTF-8).
pub(crate) fn c_str<'a>(p: *const c_char) -> Option<&'a str> {
    if p.is_null() {
        return None;
    }
    // SAFETY: the plugin passes NUL-terminated strings that outlive the call (OFX contract).
    unsafe { CStr::from_ptr(p) }.to_str().ok()
}

/// Writes `value` through an out-pointer the plugin passed, if it is not NULL.
pub(crate) fn put<T>(out: *mut T, value: T) {
    if !out.is_null() {
        // SAFETY: the plugin passes a valid, writable pointer to T for out-parameters.
        unsafe { out.write(value) };
    }
}

/// A handle as a number (handles are opaque registry keys, never dereferenced).
pub(crate) fn key<T>(h: *mut T) -> usize {
    h as usize
}

/// A registry key as a C handle type.
pub(crate) fn handle<T>(k: usize) -> *mut T {
    k as *mut T
}

static PROPERTY_SUITE: OfxPropertySuiteV1 = property::SUITE;
static EFFECT_SUITE: OfxImageEffectSuiteV1 = effect::SUITE;
static PARAM_SUITE: OfxParameterSuiteV1 = param::SUITE;
static MEMORY_SUITE: OfxMemorySuiteV1 = misc::MEMORY_SUITE;
static THREAD_SUITE: OfxMultiThreadSuiteV1 = misc::THREAD_SUITE;
static MESSAGE_V1: OfxMessageSuiteV1 = misc::MESSAGE_V1;
static MESSAGE_V2: OfxMessageSuiteV2 = misc::MESSAGE_V2;
/// Resolve 14: a V2 message suite whose persistent-message functions are NULL.
static MESSAGE_V2_NULL: OfxMessageSuiteV2 = OfxMessageSuiteV2 {
    setPersistentMessage: None,
    clearPersistentMessage: None,
    ..misc::MESSAGE_V2
};

/// One `OfxHost` per profile, alive for the whole process: a plugin may keep the pointer.
struct HostStruct {
    ptr: usize,
    props_handle: usize,
}

static HOSTS: LazyLock<Vec<(HostProfile, HostStruct)>> = LazyLock::new(|| {
    [
        HostProfile::Resolve,
        HostProfile::Nuke,
        HostProfile::Generic,
    ]
    .into_iter()
    .map(|p| {
        let cell = PropCell::new(crate::schema::host(p), Arc::new(Log::default()));
        let props_handle = registry::register(Obj::Props(cell));
        let host = Box::new(OfxHost {
            host: handle(props_handle),
            fetchSuite: Some(fetch_suite),
        });
        let ptr = Box::into_raw(host) as usize;
        (p, HostStruct { ptr, props_handle })
    })
    .collect()
});

/// The `OfxHost*` given to the plugin for `profile`.
pub(crate) fn host_ptr(profile: HostProfile) -> *mut OfxHost {
    let ptr = HOSTS
        .iter()
        .find(|(p, _)| *p == profile)
        .map_or(0, |(_, h)| h.ptr);
    ptr as *mut OfxHost
}

fn profile_of(host_props: usize) -> Option<HostProfile> {
    HOSTS
        .iter()
        .find(|(_, h)| h.props_handle == host_props)
        .map(|(p, _)| *p)
}

unsafe extern "C" fn fetch_suite(
    host: OfxPropertySetHandle,
    name: *const c_char,
    version: c_int,
) -> *const c_void {
    let Some(profile) = profile_of(key(host)) else {
        crate::runtime::violation("fetchSuite called with a property set that is not the host's");
        return std::ptr::null();
    };
    let name = c_str(name).unwrap_or("");
    let suite: *const c_void = match (name, version) {
        (s, 1) if s == n(kOfxPropertySuite) => std::ptr::from_ref(&PROPERTY_SUITE).cast(),
        (s, 1) if s == n(kOfxImageEffectSuite) => std::ptr::from_ref(&EFFECT_SUITE).cast(),
        (s, 1) if s == n(kOfxParameterSuite) => std::ptr::from_ref(&PARAM_SUITE).cast(),
        (s, 1) if s == n(kOfxMemorySuite) => std::ptr::from_ref(&MEMORY_SUITE).cast(),
        (s, 1) if s == n(kOfxMultiThreadSuite) => std::ptr::from_ref(&THREAD_SUITE).cast(),
        (s, 1) if s == n(kOfxMessageSuite) => std::ptr::from_ref(&MESSAGE_V1).cast(),
        (s, 2) if s == n(kOfxMessageSuite) => {
            if profile.persistent_messages() {
                std::ptr::from_ref(&MESSAGE_V2).cast()
            } else {
                std::ptr::from_ref(&MESSAGE_V2_NULL).cast()
            }
        }
        _ => std::ptr::null(),
    };
    suite
}
