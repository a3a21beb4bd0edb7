//! The parameter suite: definitions, handles, keys, and the Rust ends of the C shim's variadic
//! value functions.

use std::ffi::{c_char, c_int, c_uint, c_void, CStr};
use std::sync::Arc;

use openfx::sys::generic::core::{OfxPropertySetHandle, OfxRangeD, OfxTime};
use openfx::sys::image_effect_v1::param::{OfxParamHandle, OfxParamSetHandle, OfxParameterSuiteV1};

use super::{c_str, guard, handle, key, put};
use crate::consts::*;
use crate::model::{Effect, Param};
use crate::paramops;
use crate::params::{ParamKind, Raw, ValueType};
use crate::registry::{self, lock, Obj};
use crate::runtime;

extern "C" {
    // Defined in shim/shim.c: read the va_list by the parameter's type, then call doppel_rs_*.
    fn doppel_param_get_value(p: OfxParamHandle, ...) -> OfxStatus;
    fn doppel_param_get_value_at_time(p: OfxParamHandle, t: OfxTime, ...) -> OfxStatus;
    fn doppel_param_get_derivative(p: OfxParamHandle, t: OfxTime, ...) -> OfxStatus;
    fn doppel_param_get_integral(p: OfxParamHandle, t1: OfxTime, t2: OfxTime, ...) -> OfxStatus;
    fn doppel_param_set_value(p: OfxParamHandle, ...) -> OfxStatus;
    fn doppel_param_set_value_at_time(p: OfxParamHandle, t: OfxTime, ...) -> OfxStatus;
}

pub(crate) const SUITE: OfxParameterSuiteV1 = OfxParameterSuiteV1 {
    paramDefine: Some(param_define),
    paramGetHandle: Some(param_get_handle),
    paramSetGetPropertySet: Some(param_set_get_property_set),
    paramGetPropertySet: Some(param_get_property_set),
    paramGetValue: Some(doppel_param_get_value),
    paramGetValueAtTime: Some(doppel_param_get_value_at_time),
    paramGetDerivative: Some(doppel_param_get_derivative),
    paramGetIntegral: Some(doppel_param_get_integral),
    paramSetValue: Some(doppel_param_set_value),
    paramSetValueAtTime: Some(doppel_param_set_value_at_time),
    paramGetNumKeys: Some(get_num_keys),
    paramGetKeyTime: Some(get_key_time),
    paramGetKeyIndex: Some(get_key_index),
    paramDeleteKey: Some(delete_key),
    paramDeleteAllKeys: Some(delete_all_keys),
    paramCopy: Some(param_copy),
    paramEditBegin: Some(edit_begin),
    paramEditEnd: Some(edit_end),
};

fn param_set(h: OfxParamSetHandle, func: &str) -> Result<Arc<Effect>, OfxStatus> {
    match registry::get(key(h)) {
        Some(Obj::ParamSet(e)) => Ok(e),
        other => {
            let what = other.map_or("unknown handle", |o| o.describe());
            runtime::violation(format!("{func}: not a parameter set handle ({what})"));
            Err(kOfxStatErrBadHandle)
        }
    }
}

fn param(h: OfxParamHandle, func: &str) -> Result<Arc<Param>, OfxStatus> {
    paramops::param(key(h), func).ok_or(kOfxStatErrBadHandle)
}

fn run(f: impl FnOnce() -> Result<(), OfxStatus>) -> OfxStatus {
    guard(|| match f() {
        Ok(()) => kOfxStatOK,
        Err(s) => s,
    })
}

unsafe extern "C" fn param_define(
    ps: OfxParamSetHandle,
    param_type: *const c_char,
    name: *const c_char,
    out: *mut OfxPropertySetHandle,
) -> OfxStatus {
    run(|| {
        let e = param_set(ps, "paramDefine")?;
        let (Some(t), Some(name)) = (c_str(param_type), c_str(name)) else {
            e.log.violation("paramDefine: NULL type or name");
            return Err(kOfxStatErrValue);
        };
        if !e.is_descriptor() {
            e.log
                .violation(format!("paramDefine('{name}') on an effect instance"));
            return Err(kOfxStatErrBadHandle);
        }
        if e.param(name).is_some() {
            e.log
                .violation(format!("paramDefine: '{name}' defined twice"));
            return Err(kOfxStatErrExists);
        }
        let (Some(kind), Some(props)) =
            (ParamKind::of(t), crate::schema::param_descriptor(t, name))
        else {
            e.log.violation(format!(
                "paramDefine('{name}'): unknown parameter type '{t}'"
            ));
            return Err(kOfxStatErrUnknown);
        };
        let p = Param::new(name, t, kind, props, e.log.clone(), None, Raw::None);
        put(out, handle(p.props_handle));
        e.add_param(p);
        Ok(())
    })
}

unsafe extern "C" fn param_get_handle(
    ps: OfxParamSetHandle,
    name: *const c_char,
    out: *mut OfxParamHandle,
    props: *mut OfxPropertySetHandle,
) -> OfxStatus {
    run(|| {
        let e = param_set(ps, "paramGetHandle")?;
        let p = c_str(name)
            .and_then(|n| e.param(n))
            .ok_or(kOfxStatErrUnknown)?;
        put(out, handle(p.handle));
        put(props, handle(p.props_handle));
        Ok(())
    })
}

unsafe extern "C" fn param_set_get_property_set(
    ps: OfxParamSetHandle,
    out: *mut OfxPropertySetHandle,
) -> OfxStatus {
    run(|| {
        let e = param_set(ps, "paramSetGetPropertySet")?;
        put(out, handle(e.props_handle));
        Ok(())
    })
}

unsafe extern "C" fn param_get_property_set(
    p: OfxParamHandle,
    out: *mut OfxPropertySetHandle,
) -> OfxStatus {
    run(|| {
        let p = param(p, "paramGetPropertySet")?;
        put(out, handle(p.props_handle));
        Ok(())
    })
}

/// The shim asks what a handle is: 0 bad, 1 int, 2 double, 3 string, 4 no value.
#[no_mangle]
extern "C" fn doppel_rs_param_kind(p: *mut c_void, dim: *mut c_int, func: *const c_char) -> c_int {
    let func = c_str(func).unwrap_or("param function");
    let Some(p) = paramops::param(p as usize, func) else {
        return 0;
    };
    put(dim, c_int::try_from(p.kind.dim).unwrap_or(0));
    match p.kind.value_type {
        ValueType::Int => 1,
        ValueType::Double => 2,
        ValueType::String => 3,
        ValueType::None => {
            p.props
                .log
                .violation(format!("{func} on '{}', which has no value", p.name));
            4
        }
    }
}

fn time_arg(with_time: c_int, t: f64) -> Option<f64> {
    (with_time != 0).then_some(t)
}

#[no_mangle]
extern "C" fn doppel_rs_param_get(
    p: *mut c_void,
    with_time: c_int,
    t: f64,
    out: *mut *mut c_void,
    count: c_int,
) -> OfxStatus {
    run(|| {
        let func = if with_time != 0 {
            "paramGetValueAtTime"
        } else {
            "paramGetValue"
        };
        let p = paramops::param(p as usize, func).ok_or(kOfxStatErrBadHandle)?;
        let v = paramops::get(&p, time_arg(with_time, t), func)?;
        let count = usize::try_from(count).unwrap_or(0);
        // SAFETY: the shim passes an array of `count` pointers read from the va_list.
        let outs = unsafe { std::slice::from_raw_parts(out, count) };
        match v {
            Raw::I(v) => outs
                .iter()
                .zip(v)
                .for_each(|(o, x)| put(o.cast::<c_int>(), x)),
            Raw::D(v) => outs
                .iter()
                .zip(v)
                .for_each(|(o, x)| put(o.cast::<f64>(), x)),
            Raw::S(s) => {
                if let Some(o) = outs.first() {
                    put(o.cast::<*const c_char>(), paramops::intern(&s));
                }
            }
            Raw::None => return Err(kOfxStatErrBadHandle),
        }
        Ok(())
    })
}

#[no_mangle]
extern "C" fn doppel_rs_param_set_ints(
    p: *mut c_void,
    with_time: c_int,
    t: f64,
    v: *const c_int,
    count: c_int,
) -> OfxStatus {
    // SAFETY: the shim passes an array of `count` ints it read from the va_list.
    let v = unsafe { std::slice::from_raw_parts(v, usize::try_from(count).unwrap_or(0)) };
    set_raw(p, with_time, t, Raw::I(v.to_vec()))
}

#[no_mangle]
extern "C" fn doppel_rs_param_set_doubles(
    p: *mut c_void,
    with_time: c_int,
    t: f64,
    v: *const f64,
    count: c_int,
) -> OfxStatus {
    // SAFETY: the shim passes an array of `count` doubles it read from the va_list.
    let v = unsafe { std::slice::from_raw_parts(v, usize::try_from(count).unwrap_or(0)) };
    set_raw(p, with_time, t, Raw::D(v.to_vec()))
}

#[no_mangle]
extern "C" fn doppel_rs_param_set_string(
    p: *mut c_void,
    with_time: c_int,
    t: f64,
    v: *const c_char,
) -> OfxStatus {
    if v.is_null() {
        runtime::violation("paramSetValue: NULL string");
        return kOfxStatErrValue;
    }
    // SAFETY: non-NULL, NUL-terminated string from the plugin, valid for the call.
    let s = unsafe { CStr::from_ptr(v) }.to_owned();
    set_raw(p, with_time, t, Raw::S(s))
}

fn set_raw(p: *mut c_void, with_time: c_int, t: f64, v: Raw) -> OfxStatus {
    guard(|| {
        let func = if with_time != 0 {
            "paramSetValueAtTime"
        } else {
            "paramSetValue"
        };
        match paramops::param(p as usize, func) {
            Some(p) => paramops::set(&p, time_arg(with_time, t), v, func),
            None => kOfxStatErrBadHandle,
        }
    })
}

/// Copies `values` into the shim's output array of `count` doubles.
fn put_doubles(out: *mut f64, count: c_int, values: &[f64]) {
    let count = usize::try_from(count).unwrap_or(0);
    for (i, v) in values.iter().take(count).enumerate() {
        // SAFETY: the shim passes an array of `count` doubles.
        put(unsafe { out.add(i) }, *v);
    }
}

#[no_mangle]
extern "C" fn doppel_rs_param_derivative(
    p: *mut c_void,
    t: f64,
    out: *mut f64,
    count: c_int,
) -> OfxStatus {
    run(|| {
        let p = paramops::param(p as usize, "paramGetDerivative").ok_or(kOfxStatErrBadHandle)?;
        paramops::runtime_of(&p, "paramGetDerivative").ok_or(kOfxStatErrBadHandle)?;
        put_doubles(out, count, &lock(&p.curve).derivative(t, p.kind.dim));
        Ok(())
    })
}

#[no_mangle]
extern "C" fn doppel_rs_param_integral(
    p: *mut c_void,
    t1: f64,
    t2: f64,
    out: *mut f64,
    count: c_int,
) -> OfxStatus {
    run(|| {
        let p = paramops::param(p as usize, "paramGetIntegral").ok_or(kOfxStatErrBadHandle)?;
        paramops::runtime_of(&p, "paramGetIntegral").ok_or(kOfxStatErrBadHandle)?;
        put_doubles(out, count, &lock(&p.curve).integral(t1, t2, p.kind.dim));
        Ok(())
    })
}

unsafe extern "C" fn get_num_keys(p: OfxParamHandle, out: *mut c_uint) -> OfxStatus {
    run(|| {
        let p = param(p, "paramGetNumKeys")?;
        let n = lock(&p.curve).keys.len();
        put(out, c_uint::try_from(n).unwrap_or(c_uint::MAX));
        Ok(())
    })
}

unsafe extern "C" fn get_key_time(p: OfxParamHandle, nth: c_uint, out: *mut OfxTime) -> OfxStatus {
    run(|| {
        let p = param(p, "paramGetKeyTime")?;
        let curve = lock(&p.curve);
        let (t, _) = curve.keys.get(nth as usize).ok_or(kOfxStatErrBadIndex)?;
        put(out, *t);
        Ok(())
    })
}

unsafe extern "C" fn get_key_index(
    p: OfxParamHandle,
    time: OfxTime,
    direction: c_int,
    out: *mut c_int,
) -> OfxStatus {
    run(|| {
        let p = param(p, "paramGetKeyIndex")?;
        let i = lock(&p.curve)
            .key_index(time, direction)
            .ok_or(kOfxStatFailed)?;
        put(out, c_int::try_from(i).unwrap_or(c_int::MAX));
        Ok(())
    })
}

unsafe extern "C" fn delete_key(p: OfxParamHandle, time: OfxTime) -> OfxStatus {
    run(|| {
        let p = param(p, "paramDeleteKey")?;
        let deleted = lock(&p.curve).delete_key(time);
        p.sync_animating();
        if deleted {
            Ok(())
        } else {
            Err(kOfxStatErrBadIndex)
        }
    })
}

unsafe extern "C" fn delete_all_keys(p: OfxParamHandle) -> OfxStatus {
    run(|| {
        let p = param(p, "paramDeleteAllKeys")?;
        let rt = paramops::runtime_of(&p, "paramDeleteAllKeys").ok_or(kOfxStatErrBadHandle)?;
        let t = *lock(&rt.timeline_time);
        lock(&p.curve).delete_all_keys(t);
        p.sync_animating();
        Ok(())
    })
}

unsafe extern "C" fn param_copy(
    to: OfxParamHandle,
    from: OfxParamHandle,
    offset: OfxTime,
    range: *const OfxRangeD,
) -> OfxStatus {
    run(|| {
        let (to, from) = (param(to, "paramCopy")?, param(from, "paramCopy")?);
        let rt = paramops::runtime_of(&to, "paramCopy").ok_or(kOfxStatErrBadHandle)?;
        if !rt.profile.param_copy_works() {
            return Ok(()); // Resolve answers OK and copies nothing.
        }
        // SAFETY: a non-NULL range points at an OfxRangeD the plugin owns for the call.
        let range = (!range.is_null()).then(|| unsafe { *range });
        match paramops::copy(&to, &from, offset, range.map(|r| (r.min, r.max))) {
            kOfxStatOK => Ok(()),
            s => Err(s),
        }
    })
}

unsafe extern "C" fn edit_begin(ps: OfxParamSetHandle, _name: *const c_char) -> OfxStatus {
    run(|| param_set(ps, "paramEditBegin").map(|_| ()))
}

unsafe extern "C" fn edit_end(ps: OfxParamSetHandle) -> OfxStatus {
    run(|| param_set(ps, "paramEditEnd").map(|_| ()))
}
