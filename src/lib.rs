//! Doppel: per-identity face replacement as an OpenFX plugin bundle.
//!
//! The face pipeline is plain Rust on plain [`Frame`]s; the OFX C ABI lives in [`ofx`] alone,
//! the only module where `unsafe_code` is allowed.

#![deny(unsafe_code)]

pub mod blend;
pub mod colour;
pub mod detect;
pub mod effects;
pub mod face;
pub mod frame;
pub mod gpu;
pub mod identity;
pub mod logging;
#[allow(unsafe_code)]
pub mod ofx;
pub mod onnx;
pub mod quality;
pub mod resources;
pub mod runtime;
pub mod stamp;
pub mod swap;
pub mod temporal;

pub use frame::{Frame, Rgba};
