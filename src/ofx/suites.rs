//! The host's suites, fetched once on Load and shared by every action.

use std::ffi::CStr;
use std::ptr::NonNull;

use openfx::sys::generic::core::OfxHost;
use openfx::sys::generic::property::{kOfxPropertySuite, OfxPropertySuiteV1};
use openfx::sys::image_effect_v1::image_effect::{kOfxImageEffectSuite, OfxImageEffectSuiteV1};
use openfx::sys::image_effect_v1::message::{
    kOfxMessageSuite, OfxMessageSuiteV1, OfxMessageSuiteV2,
};
use openfx::sys::image_effect_v1::param::{kOfxParameterSuite, OfxParameterSuiteV1};
use parking_lot::RwLock;

use super::props::PropSet;
use super::OfxError;

/// The suites Doppel uses. References live as long as the host keeps the binary loaded.
#[derive(Clone, Copy)]
pub struct Suites {
    pub host: PropSet,
    pub prop: &'static OfxPropertySuiteV1,
    pub effect: &'static OfxImageEffectSuiteV1,
    pub param: &'static OfxParameterSuiteV1,
    pub message_v2: Option<&'static OfxMessageSuiteV2>,
    pub message_v1: Option<&'static OfxMessageSuiteV1>,
}

// SAFETY: suites are tables of function pointers the host guarantees callable from any thread (OFX requires hosts to accept suite calls from render threads).
unsafe impl Send for Suites {}
// SAFETY: as above; the tables are never written through these references.
unsafe impl Sync for Suites {}

#[derive(Clone, Copy)]
struct HostPtr(NonNull<OfxHost>);
// SAFETY: the OfxHost struct is owned by the host and valid while the binary is loaded.
unsafe impl Send for HostPtr {}
// SAFETY: only read.
unsafe impl Sync for HostPtr {}

static HOST: RwLock<Option<HostPtr>> = RwLock::new(None);
static SUITES: RwLock<Option<Suites>> = RwLock::new(None);

/// Remembers the host given by `OfxSetHost`; suites are fetched on Load.
pub fn set_host(host: *mut OfxHost) -> Result<(), OfxError> {
    let host = NonNull::new(host).ok_or(OfxError::BadHandle("OfxSetHost got a null host"))?;
    *HOST.write() = Some(HostPtr(host));
    Ok(())
}

fn fetch<T>(host: &OfxHost, name: &CStr, version: i32) -> Option<&'static T> {
    let fetch_suite = host.fetchSuite?;
    // SAFETY: `fetchSuite` is the host's function; it returns a pointer to a static suite table of the layout named by (name, version), or null.
    let ptr = unsafe { fetch_suite(host.host, name.as_ptr(), version) } as *const T;
    // SAFETY: non-null suite pointers stay valid while the binary is loaded.
    unsafe { ptr.as_ref() }
}

/// Fetches every suite; fails if a required one is missing.
pub fn load() -> Result<(), OfxError> {
    let host = HOST.read().ok_or(OfxError::MissingHostFeature(
        "the host never called OfxSetHost",
    ))?;
    // SAFETY: the host pointer came from OfxSetHost and is valid while we are loaded.
    let host = unsafe { host.0.as_ref() };
    let prop: &'static OfxPropertySuiteV1 =
        fetch(host, kOfxPropertySuite, 1).ok_or(OfxError::MissingHostFeature("property suite"))?;
    let suites = Suites {
        host: PropSet::new(host.host, prop),
        prop,
        effect: fetch(host, kOfxImageEffectSuite, 1)
            .ok_or(OfxError::MissingHostFeature("image effect suite"))?,
        param: fetch(host, kOfxParameterSuite, 1)
            .ok_or(OfxError::MissingHostFeature("parameter suite"))?,
        message_v2: fetch(host, kOfxMessageSuite, 2),
        message_v1: fetch(host, kOfxMessageSuite, 1),
    };
    *SUITES.write() = Some(suites);
    Ok(())
}

pub fn unload() {
    *SUITES.write() = None;
}

/// The suites, or an error when an action arrives before Load.
pub fn get() -> Result<Suites, OfxError> {
    SUITES.read().ok_or(OfxError::MissingHostFeature(
        "an action arrived before Load",
    ))
}

/// The host's name (e.g. "DaVinciResolve"), for logs and host-specific workarounds.
pub fn host_name() -> String {
    get()
        .ok()
        .and_then(|s| {
            s.host
                .string(openfx::sys::generic::core::kOfxPropName, 0)
                .ok()
        })
        .unwrap_or_default()
}
