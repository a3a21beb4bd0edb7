//! Calling one action: argument property sets registered for its duration, the thread's action
//! stack, and the end-of-action checks.

use std::ffi::CStr;
use std::sync::Arc;

use crate::consts::*;
use crate::ffi::plugin::Entry;
use crate::model::PropCell;
use crate::props::{PropertySet, Values};
use crate::registry::{self, Obj};
use crate::runtime::{self, Frame, FrameOpts, Log, RenderState, Runtime};

/// Who an action is for: the instance runtime (None for descriptor actions) and where misuse goes.
pub(crate) struct Target<'a> {
    pub entry: Entry,
    pub handle: usize,
    pub runtime: Option<&'a Arc<Runtime>>,
    pub log: &'a Arc<Log>,
    /// Set for the per-frame actions (RoD, RoI, FramesNeeded, IsIdentity, Render).
    pub frame: Option<FrameOpts>,
}

/// The result of an action: its status and the outArgs as the plugin left them.
pub(crate) struct Reply {
    pub status: OfxStatus,
    pub out: PropertySet,
}

impl Reply {
    pub(crate) fn ok_or_default(&self) -> bool {
        self.status == kOfxStatOK || self.status == kOfxStatReplyDefault
    }
}

/// Calls `action` with optional inArgs (made read-only) and outArgs.
pub(crate) fn call(
    t: &Target<'_>,
    action: &CStr,
    in_args: Option<PropertySet>,
    out_args: Option<PropertySet>,
    render: Option<Arc<RenderState>>,
) -> Reply {
    let register = |set: PropertySet| {
        let cell = PropCell::new(set, t.log.clone());
        (registry::register(Obj::Props(cell.clone())), cell)
    };
    let ins = in_args.map(|mut s| {
        s.set_read_only_all(true);
        register(s)
    });
    let outs = out_args.map(register);
    let name = n(action);
    let action_id = match t.runtime {
        Some(rt) => rt.begin(name, render, t.frame.clone()),
        None => 0,
    };
    runtime::push(Frame {
        runtime: t.runtime.map(|r| r.id),
        action_id,
        log: t.log.clone(),
    });
    let status = t.entry.call(
        action,
        t.handle,
        ins.as_ref().map_or(0, |(h, _)| *h),
        outs.as_ref().map_or(0, |(h, _)| *h),
    );
    runtime::pop();
    if let Some(rt) = t.runtime {
        rt.end(action_id);
    }
    if let Some((h, _)) = &ins {
        registry::remove(*h);
    }
    let out = match outs {
        Some((h, cell)) => {
            registry::remove(h);
            cell.lock().clone()
        }
        None => PropertySet::closed(),
    };
    Reply { status, out }
}

/// A closed argument set built from (name, values) pairs; variable dimension where `var` is set.
pub(crate) fn args(items: Vec<(&CStr, Values)>) -> PropertySet {
    let mut s = PropertySet::closed();
    for (name, v) in items {
        s.define(n(name), v, false, false);
    }
    s
}

pub(crate) fn d(v: &[f64]) -> Values {
    Values::Double(v.to_vec())
}

pub(crate) fn i(v: &[i32]) -> Values {
    Values::Int(v.to_vec())
}

pub(crate) fn s(v: &str) -> Values {
    Values::strs(&[v])
}
