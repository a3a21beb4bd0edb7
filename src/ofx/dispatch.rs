//! The single trampoline every host call enters through: null checks, action matching (the only
//! place OFX action strings are compared), panic containment and status mapping.

use std::any::Any;
use std::ffi::{c_char, c_void, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

use openfx::sys::generic::core::*;
use openfx::sys::image_effect_v1::image_effect::*;

use super::actions::{self, Reply};
use super::props::PropSet;
use super::{suites, OfxError};
use crate::effects::Effect;

/// The actions Doppel handles; anything else is answered "default".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Load,
    Unload,
    Describe,
    DescribeInContext,
    CreateInstance,
    DestroyInstance,
    BeginInstanceChanged,
    InstanceChanged,
    EndInstanceChanged,
    PurgeCaches,
    SyncPrivateData,
    GetClipPreferences,
    GetRegionOfDefinition,
    GetRegionsOfInterest,
    GetFramesNeeded,
    GetTimeDomain,
    IsIdentity,
    BeginSequenceRender,
    Render,
    EndSequenceRender,
    Other,
}

impl Action {
    fn parse(name: &CStr) -> Action {
        const TABLE: &[(&CStr, Action)] = &[
            (kOfxActionLoad, Action::Load),
            (kOfxActionUnload, Action::Unload),
            (kOfxActionDescribe, Action::Describe),
            (
                kOfxImageEffectActionDescribeInContext,
                Action::DescribeInContext,
            ),
            (kOfxActionCreateInstance, Action::CreateInstance),
            (kOfxActionDestroyInstance, Action::DestroyInstance),
            (kOfxActionBeginInstanceChanged, Action::BeginInstanceChanged),
            (kOfxActionInstanceChanged, Action::InstanceChanged),
            (kOfxActionEndInstanceChanged, Action::EndInstanceChanged),
            (kOfxActionPurgeCaches, Action::PurgeCaches),
            (kOfxActionSyncPrivateData, Action::SyncPrivateData),
            (
                kOfxImageEffectActionGetClipPreferences,
                Action::GetClipPreferences,
            ),
            (
                kOfxImageEffectActionGetRegionOfDefinition,
                Action::GetRegionOfDefinition,
            ),
            (
                kOfxImageEffectActionGetRegionsOfInterest,
                Action::GetRegionsOfInterest,
            ),
            (
                kOfxImageEffectActionGetFramesNeeded,
                Action::GetFramesNeeded,
            ),
            (kOfxImageEffectActionGetTimeDomain, Action::GetTimeDomain),
            (kOfxImageEffectActionIsIdentity, Action::IsIdentity),
            (
                kOfxImageEffectActionBeginSequenceRender,
                Action::BeginSequenceRender,
            ),
            (kOfxImageEffectActionRender, Action::Render),
            (
                kOfxImageEffectActionEndSequenceRender,
                Action::EndSequenceRender,
            ),
        ];
        TABLE
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(Action::Other, |(_, a)| *a)
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Runs `f`, returning `fallback` if it panics: no unwind ever reaches the host.
pub fn guard<T>(what: &str, fallback: T, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(value) => value,
        Err(payload) => {
            log::error!(
                "{what}: panic contained: {}",
                panic_message(payload.as_ref())
            );
            fallback
        }
    }
}

/// The per-plugin `setHost` of OFX 1.4 hosts (no status returned).
pub extern "C" fn set_host_v1(host: *mut OfxHost) {
    guard("setHost", (), || {
        if let Err(e) = suites::set_host(host) {
            log::error!("setHost: {e}");
        }
    })
}

/// Debug builds only: lets the tests force a panic inside a chosen action to prove containment.
fn injected_panic(action: &CStr) {
    if cfg!(debug_assertions) {
        if let Ok(target) = std::env::var("DOPPEL_TEST_PANIC_IN") {
            if action.to_bytes() == target.as_bytes() {
                panic!("panic injected by DOPPEL_TEST_PANIC_IN in {target}");
            }
        }
    }
}

/// The `mainEntry` of effect `E`.
pub extern "C" fn main_entry<E: Effect>(
    action: *const c_char,
    handle: *const c_void,
    in_args: OfxPropertySetHandle,
    out_args: OfxPropertySetHandle,
) -> OfxStatus {
    if action.is_null() {
        return kOfxStatErrBadHandle;
    }
    // SAFETY: non-null, and the host passes a NUL-terminated action name.
    let name = unsafe { CStr::from_ptr(action) };
    let action = Action::parse(name);
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        injected_panic(name);
        run::<E>(action, handle, in_args, out_args)
    }));
    let id = E::declaration().id;
    match outcome {
        Ok(Ok(Reply::Ok)) => kOfxStatOK,
        Ok(Ok(Reply::Default)) => kOfxStatReplyDefault,
        Ok(Err(e)) => {
            log::error!("{id} {action:?}: {e}");
            e.status()
        }
        Err(payload) => {
            let e = OfxError::Panic(panic_message(payload.as_ref()));
            log::error!("{id} {action:?}: {e}");
            if is_instance_action(action) && !handle.is_null() {
                // A panic is a bug, but the user still deserves to see why the frame failed.
                let _ = catch_unwind(AssertUnwindSafe(|| {
                    super::message::set_persistent(
                        handle as OfxImageEffectHandle,
                        super::message::Severity::Error,
                        &e.to_string(),
                    )
                }));
            }
            e.status()
        }
    }
}

fn is_instance_action(action: Action) -> bool {
    !matches!(
        action,
        Action::Load
            | Action::Unload
            | Action::Describe
            | Action::DescribeInContext
            | Action::Other
    )
}

fn run<E: Effect>(
    action: Action,
    handle: *const c_void,
    in_args: OfxPropertySetHandle,
    out_args: OfxPropertySetHandle,
) -> Result<Reply, OfxError> {
    match action {
        Action::Load => {
            crate::logging::init();
            suites::load()?;
            log::info!(
                "{} loaded by host '{}'",
                E::declaration().id,
                suites::host_name()
            );
            Ok(Reply::Ok)
        }
        Action::Unload => {
            suites::unload();
            Ok(Reply::Ok)
        }
        Action::Other => Ok(Reply::Default),
        _ => {
            let suites = suites::get()?;
            if handle.is_null() {
                return Err(OfxError::BadHandle("null effect handle"));
            }
            let effect = handle as OfxImageEffectHandle;
            let in_args = PropSet::new(in_args, suites.prop);
            let out_args = PropSet::new(out_args, suites.prop);
            actions::handle::<E>(action, &suites, effect, in_args, out_args)
        }
    }
}
