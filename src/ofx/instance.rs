//! Per-instance state behind `kOfxPropInstanceData`, and reading parameter values at a time.

use std::ffi::{c_char, c_double, c_int, c_void, CStr, CString};

use openfx::sys::generic::core::{kOfxPropInstanceData, OfxTime};
use openfx::sys::image_effect_v1::image_effect::OfxImageEffectHandle;
use openfx::sys::image_effect_v1::param::{OfxParamHandle, OfxParamSetHandle};

use super::props::PropSet;
use super::sequence::SequenceMemo;
use super::suites::Suites;
use super::{check, OfxError};
use crate::effects::{Effect, ParamDecl, ParamKind, ParamValue, ParamValues};

struct ParamSlot {
    decl: &'static ParamDecl,
    handle: OfxParamHandle,
}

/// What Doppel keeps per host instance. Render threads share it, so it holds no per-frame state.
pub struct Instance<E: Effect> {
    pub effect: E,
    params: Vec<ParamSlot>,
    /// Input frames' content hashes, for the length of a batch render.
    pub sequence: SequenceMemo,
}

// SAFETY: parameter handles are host tokens valid for the instance's life and usable from any render thread (the plugin declares InstanceSafe, and hosts allow param reads during renders).
unsafe impl<E: Effect> Send for Instance<E> {}
// SAFETY: as above; the only state mutated after creation is the sequence memo, behind its own lock.
unsafe impl<E: Effect> Sync for Instance<E> {}

pub fn effect_props(suites: &Suites, effect: OfxImageEffectHandle) -> Result<PropSet, OfxError> {
    let f = suites
        .effect
        .getPropertySet
        .ok_or(OfxError::MissingHostFeature("getPropertySet"))?;
    let mut props = std::ptr::null_mut();
    // SAFETY: the handle came from the host for this action; the host writes one handle.
    let status = unsafe { f(effect, &mut props) };
    check(status, "getPropertySet")?;
    if props.is_null() {
        return Err(OfxError::BadHandle("null effect property set"));
    }
    Ok(PropSet::new(props, suites.prop))
}

pub fn param_set(
    suites: &Suites,
    effect: OfxImageEffectHandle,
) -> Result<OfxParamSetHandle, OfxError> {
    let f = suites
        .effect
        .getParamSet
        .ok_or(OfxError::MissingHostFeature("getParamSet"))?;
    let mut set = std::ptr::null_mut();
    // SAFETY: the handle came from the host for this action; the host writes one handle.
    let status = unsafe { f(effect, &mut set) };
    check(status, "getParamSet")?;
    Ok(set)
}

/// CreateInstance: looks up every declared parameter once and stores the instance.
pub fn create<E: Effect>(suites: &Suites, effect: OfxImageEffectHandle) -> Result<(), OfxError> {
    let set = param_set(suites, effect)?;
    let get_handle = suites
        .param
        .paramGetHandle
        .ok_or(OfxError::MissingHostFeature("paramGetHandle"))?;
    let mut params = Vec::new();
    for decl in E::declaration().params {
        let name = CString::new(decl.id).expect("param ids have no NUL");
        let mut handle = std::ptr::null_mut();
        // SAFETY: valid param set handle and NUL-terminated name; the properties out-pointer may be null.
        let status = unsafe { get_handle(set, name.as_ptr(), &mut handle, std::ptr::null_mut()) };
        check(status, "paramGetHandle")?;
        params.push(ParamSlot { decl, handle });
    }
    let instance = Box::new(Instance {
        effect: E::create(),
        params,
        sequence: SequenceMemo::default(),
    });
    effect_props(suites, effect)?.set_pointer(
        kOfxPropInstanceData,
        0,
        Box::into_raw(instance) as *mut c_void,
    )
}

/// DestroyInstance: frees what `create` stored.
pub fn destroy<E: Effect>(suites: &Suites, effect: OfxImageEffectHandle) -> Result<(), OfxError> {
    let props = effect_props(suites, effect)?;
    let ptr = props.pointer(kOfxPropInstanceData, 0)? as *mut Instance<E>;
    if !ptr.is_null() {
        props.set_pointer(kOfxPropInstanceData, 0, std::ptr::null_mut())?;
        // SAFETY: the pointer was made by Box::into_raw in `create` for this effect type, and the host sends no other action to this instance once DestroyInstance starts.
        drop(unsafe { Box::from_raw(ptr) });
    }
    Ok(())
}

/// The instance behind an effect handle.
pub fn get<'a, E: Effect>(
    suites: &Suites,
    effect: OfxImageEffectHandle,
) -> Result<&'a Instance<E>, OfxError> {
    let ptr = effect_props(suites, effect)?.pointer(kOfxPropInstanceData, 0)? as *const Instance<E>;
    // SAFETY: set in `create` for this effect type; valid until DestroyInstance, which the host never sends while another action on the instance runs.
    unsafe { ptr.as_ref() }.ok_or(OfxError::BadHandle(
        "instance has no data (CreateInstance not called?)",
    ))
}

impl<E: Effect> Instance<E> {
    /// Writes values the effect chose (labels); only valid inside InstanceChanged.
    pub fn write_params(
        &self,
        suites: &Suites,
        values: &[(&'static str, ParamValue)],
    ) -> Result<(), OfxError> {
        let set = suites
            .param
            .paramSetValue
            .ok_or(OfxError::MissingHostFeature("paramSetValue"))?;
        for (id, value) in values {
            let Some(slot) = self.params.iter().find(|s| s.decl.id == *id) else {
                continue;
            };
            let h = slot.handle;
            let status = match value {
                ParamValue::Text(text) => {
                    let text = CString::new(text.replace('\0', " ")).unwrap_or_default();
                    // SAFETY: a string parameter takes one C string, copied by the host.
                    unsafe { set(h, text.as_ptr()) }
                }
                ParamValue::Double(v) => {
                    // SAFETY: a double parameter takes one double by value.
                    unsafe { set(h, *v as c_double) }
                }
                ParamValue::Int(v) => {
                    // SAFETY: an int parameter takes one int by value.
                    unsafe { set(h, *v as c_int) }
                }
                ParamValue::Bool(v) => {
                    // SAFETY: a boolean parameter takes one int by value.
                    unsafe { set(h, c_int::from(*v)) }
                }
                ParamValue::Choice(v) => {
                    // SAFETY: a choice parameter takes one int by value.
                    unsafe { set(h, *v as c_int) }
                }
                ParamValue::Point(x, y) => {
                    // SAFETY: a 2D double parameter takes two doubles by value.
                    unsafe { set(h, *x as c_double, *y as c_double) }
                }
            };
            check(status, "paramSetValue")?;
        }
        Ok(())
    }

    /// Every parameter's value at `time` (keyframes interpolated by the host).
    pub fn read_params(&self, suites: &Suites, time: OfxTime) -> Result<ParamValues, OfxError> {
        let get = suites
            .param
            .paramGetValueAtTime
            .ok_or(OfxError::MissingHostFeature("paramGetValueAtTime"))?;
        let mut values = ParamValues::default();
        for slot in &self.params {
            let h = slot.handle;
            let value = match slot.decl.kind {
                ParamKind::Double { .. } => {
                    let mut v: c_double = 0.0;
                    // SAFETY: a double parameter reads one double through the pointer.
                    let status = unsafe { get(h, time, &mut v as *mut c_double) };
                    check(status, "paramGetValueAtTime")?;
                    ParamValue::Double(v)
                }
                ParamKind::Int { .. } | ParamKind::Bool { .. } | ParamKind::Choice { .. } => {
                    let mut v: c_int = 0;
                    // SAFETY: int, boolean and choice parameters read one int through the pointer.
                    let status = unsafe { get(h, time, &mut v as *mut c_int) };
                    check(status, "paramGetValueAtTime")?;
                    match slot.decl.kind {
                        ParamKind::Bool { .. } => ParamValue::Bool(v != 0),
                        ParamKind::Choice { options, .. } => {
                            ParamValue::Choice((v.max(0) as usize).min(options.len() - 1))
                        }
                        _ => ParamValue::Int(v),
                    }
                }
                ParamKind::Path { .. } | ParamKind::Label => {
                    let mut text: *const c_char = std::ptr::null();
                    // SAFETY: a string parameter writes one pointer to a host-owned C string.
                    let status = unsafe { get(h, time, &mut text as *mut *const c_char) };
                    check(status, "paramGetValueAtTime")?;
                    let text = if text.is_null() {
                        String::new()
                    } else {
                        // SAFETY: non-null and NUL-terminated; valid until the next call, copied at once.
                        unsafe { CStr::from_ptr(text) }
                            .to_string_lossy()
                            .into_owned()
                    };
                    ParamValue::Text(text)
                }
                ParamKind::Point { .. } => {
                    let (mut x, mut y): (c_double, c_double) = (0.0, 0.0);
                    let (px, py) = (&mut x as *mut c_double, &mut y as *mut c_double);
                    // SAFETY: a 2D double parameter reads two doubles through the pointers.
                    let status = unsafe { get(h, time, px, py) };
                    check(status, "paramGetValueAtTime")?;
                    ParamValue::Point(x, y)
                }
            };
            values.set(slot.decl.id, value);
        }
        Ok(values)
    }
}
