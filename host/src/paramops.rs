//! Parameter get/set as the plugin calls them, with the host's checks.

use std::collections::BTreeSet;
use std::ffi::{c_char, CString};
use std::sync::{Arc, LazyLock, Mutex};

use crate::consts::*;
use crate::model::Param;
use crate::params::Raw;
use crate::registry::{self, lock, Obj};
use crate::runtime::{self, Runtime};

/// Actions in which the plugin must not change parameters.
pub(crate) const RENDER_ACTIONS: [&str; 8] = [
    "OfxImageEffectActionRender",
    "OfxImageEffectActionBeginSequenceRender",
    "OfxImageEffectActionEndSequenceRender",
    "OfxImageEffectActionGetRegionOfDefinition",
    "OfxImageEffectActionGetRegionsOfInterest",
    "OfxImageEffectActionGetFramesNeeded",
    "OfxImageEffectActionIsIdentity",
    "OfxImageEffectActionGetClipPreferences",
];

/// The parameter behind a handle, recording misuse.
pub(crate) fn param(h: usize, func: &str) -> Option<Arc<Param>> {
    match registry::get(h) {
        Some(Obj::Param(p)) => Some(p),
        Some(other) => {
            runtime::violation(format!(
                "{func}: handle is a {}, not a parameter",
                other.describe()
            ));
            None
        }
        None => {
            runtime::violation(format!("{func}: unknown parameter handle"));
            None
        }
    }
}

/// The instance runtime of a parameter; values of descriptors are misuse.
pub(crate) fn runtime_of(p: &Param, func: &str) -> Option<Arc<Runtime>> {
    if p.runtime.is_none() {
        p.props.log.violation(format!(
            "{func} on parameter descriptor '{}' (values exist on instances only)",
            p.name
        ));
    }
    p.runtime.clone()
}

/// The value at `time`, or at the host's timeline time when None.
pub(crate) fn get(p: &Param, time: Option<f64>, func: &str) -> Result<Raw, OfxStatus> {
    let rt = runtime_of(p, func).ok_or(kOfxStatErrBadHandle)?;
    let curve = lock(&p.curve);
    let t = match time {
        Some(t) => t,
        None => {
            if curve.is_animated() {
                if let Some(action) = rt.in_action_on_thread(&["OfxImageEffectActionRender"]) {
                    rt.log.violation(format!(
                        "paramGetValue on animated parameter '{}' in {action}: it reads the \
                         timeline time, not the render time (use paramGetValueAtTime)",
                        p.name
                    ));
                }
            }
            *lock(&rt.timeline_time)
        }
    };
    Ok(curve.at(t))
}

/// Sets a value from the plugin (a key when `time` is given).
pub(crate) fn set(p: &Param, time: Option<f64>, v: Raw, func: &str) -> OfxStatus {
    let Some(rt) = runtime_of(p, func) else {
        return kOfxStatErrBadHandle;
    };
    if let Some(action) = rt.in_action_on_thread(&RENDER_ACTIONS) {
        rt.log.violation(format!(
            "{func} on '{}' during {action}: parameters may not change while rendering",
            p.name
        ));
    }
    let animates = p.props.lock().int(n(kOfxParamPropAnimates), 0) != Some(0);
    {
        let mut curve = lock(&p.curve);
        match time {
            Some(t) if animates => curve.set_key(t, v),
            Some(_) => {
                rt.log
                    .violation(format!("{func} on '{}', which does not animate", p.name));
                return kOfxStatErrUnsupported;
            }
            None => curve.set(*lock(&rt.timeline_time), v),
        }
    }
    p.sync_animating();
    let mut edits = lock(&rt.plugin_edits);
    if !edits.contains(&p.name) {
        edits.push(p.name.clone());
    }
    kOfxStatOK
}

/// Strings handed to the plugin stay valid as long as the process: interned here.
static STRINGS: LazyLock<Mutex<BTreeSet<CString>>> = LazyLock::new(|| Mutex::new(BTreeSet::new()));

/// A stable C pointer to `s`.
pub(crate) fn intern(s: &CString) -> *const c_char {
    let mut set = lock(&STRINGS);
    if let Some(existing) = set.get(s) {
        return existing.as_ptr();
    }
    let p = s.as_ptr();
    set.insert(s.clone());
    set.get(s).map_or(p, |e| e.as_ptr())
}

/// Copies the curve of `from` into `to`, offsetting key times and limited to `range`.
pub(crate) fn copy(to: &Param, from: &Param, offset: f64, range: Option<(f64, f64)>) -> OfxStatus {
    if to.kind != from.kind {
        to.props.log.violation(format!(
            "paramCopy from '{}' to '{}', which differ in type",
            from.name, to.name
        ));
        return kOfxStatErrValue;
    }
    let src = lock(&from.curve).clone();
    {
        let mut dst = lock(&to.curve);
        if src.keys.is_empty() {
            dst.value = src.value.clone();
        }
        for (t, v) in src.keys {
            if range.is_none_or(|(a, b)| t >= a && t <= b) {
                dst.set_key(t + offset, v);
            }
        }
    }
    to.sync_animating();
    kOfxStatOK
}
