//! doppel-host: an OpenFX test host that `dlopen`s a built bundle and drives it through the C ABI
//! the way DaVinci Resolve and Nuke do, recording every misuse it sees as a violation.
//!
//! ```no_run
//! use doppel_host::*;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let host = Host::load("target/Doppel.ofx.bundle".as_ref(), HostProfile::Resolve)?;
//! let id = &host.plugin_ids()[0];
//! let plate = HostImage::filled(64, 32, [0.5, 0.5, 0.5, 1.0]);
//! let inst = host.create_instance(id, "filter", Clips::new().with("Source", plate))?;
//! inst.set_value("mix", ParamValue::Double(0.8))?;
//! let out = inst.render(0.0, &RenderOptions::default())?;
//! assert!(inst.violations().is_empty() && host.violations().is_empty());
//! # let _ = out; Ok(()) }
//! ```
//!
//! The crate is a C host, so it needs `unsafe`: it is allowed in the private `ffi` module only, where pointers
//! from the plugin are read and written and the plugin's functions are called. Everything else
//! (property store, parameters, render logic) is safe Rust over opaque handle numbers.

// OFX names (kOfxStatOK...) keep their C spelling, also as match patterns.
#![allow(non_upper_case_globals)]

mod action;
mod consts;
mod dump;
mod error;
mod fetch;
mod frame_cache;
// The C host: pointers from the plugin, calls into it, raw image memory. Nowhere else.
#[allow(unsafe_code)]
mod ffi;
mod host;
mod image;
mod instance;
mod model;
mod negotiate;
mod paramops;
mod params;
mod prefs;
mod profile;
mod props;
mod registry;
mod render;
mod runtime;
mod schema;
mod setup;
mod source;

pub use dump::{DumpValue, EffectDescription, ParamDescription, PropertyDump};
pub use error::{HostError, RenderFailure};
pub use host::Host;
pub use image::HostImage;
pub use instance::Instance;
pub use params::ParamValue;
pub use profile::{context_name, HostProfile};
pub use render::{ImageLayout, RenderOptions, RowOrder};
pub use source::{source_fn, ClipSource, Clips, FnSource};

/// OFX status names, for messages (`status_name(1) == "kOfxStatFailed"`).
pub use consts::status_name;

#[cfg(test)]
mod tests {
    fn send_sync<T: Send + Sync>() {}

    #[test]
    fn hosts_and_instances_cross_threads() {
        send_sync::<super::Host>();
        send_sync::<super::Instance>();
        send_sync::<super::Clips>();
    }
}
