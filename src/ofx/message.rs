//! Messages shown in the host: persistent errors on failed renders, cleared by the next good one.

use std::ffi::{c_void, CString};

use openfx::sys::image_effect_v1::image_effect::OfxImageEffectHandle;
use openfx::sys::image_effect_v1::message::{kOfxMessageError, kOfxMessageWarning};

use super::suites;

fn text(message: &str) -> CString {
    CString::new(message.replace('\0', " ")).unwrap_or_default()
}

/// How grave a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The frame rendered as the untouched Source; the user should fix an input.
    Warning,
    /// The frame failed.
    Error,
}

/// Shows `message` as a persistent message on the instance; falls back to a one-off message where
/// the host's V2 suite is missing or its functions are null (Resolve 14).
pub fn set_persistent(effect: OfxImageEffectHandle, severity: Severity, message: &str) {
    let kind = match severity {
        Severity::Warning => kOfxMessageWarning,
        Severity::Error => kOfxMessageError,
    };
    let Ok(suites) = suites::get() else { return };
    let id = c"doppel";
    let body = text(message);
    let handle = effect as *mut c_void;
    if let Some(set) = suites.message_v2.and_then(|s| s.setPersistentMessage) {
        // SAFETY: valid instance handle; the format "%s" consumes exactly the one string passed.
        unsafe {
            set(
                handle,
                kind.as_ptr(),
                id.as_ptr(),
                c"%s".as_ptr(),
                body.as_ptr(),
            )
        };
        return;
    }
    let post = suites
        .message_v2
        .and_then(|s| s.message)
        .or_else(|| suites.message_v1.and_then(|s| s.message));
    if let Some(post) = post {
        // SAFETY: as above.
        unsafe {
            post(
                handle,
                kind.as_ptr(),
                id.as_ptr(),
                c"%s".as_ptr(),
                body.as_ptr(),
            )
        };
    }
}

/// Clears a persistent message (Nuke stops rendering until it is cleared).
pub fn clear_persistent(effect: OfxImageEffectHandle) {
    let Ok(suites) = suites::get() else { return };
    if let Some(clear) = suites.message_v2.and_then(|s| s.clearPersistentMessage) {
        // SAFETY: valid instance handle.
        unsafe { clear(effect as *mut c_void) };
    }
}
