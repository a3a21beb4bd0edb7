//! The property suite: C calls onto [`crate::props::PropertySet`], with misuse recorded.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::sync::Arc;

use openfx::sys::generic::core::OfxPropertySetHandle;
use openfx::sys::generic::property::OfxPropertySuiteV1;

use super::{c_str, guard, key, put};
use crate::consts::*;
use crate::model::PropCell;
use crate::props::{Out, PropErr, PropKind, Scalar};
use crate::registry::{self, Obj};
use crate::runtime;

pub(crate) const SUITE: OfxPropertySuiteV1 = OfxPropertySuiteV1 {
    propSetPointer: Some(set_pointer),
    propSetString: Some(set_string),
    propSetDouble: Some(set_double),
    propSetInt: Some(set_int),
    propSetPointerN: Some(set_pointer_n),
    propSetStringN: Some(set_string_n),
    propSetDoubleN: Some(set_double_n),
    propSetIntN: Some(set_int_n),
    propGetPointer: Some(get_pointer),
    propGetString: Some(get_string),
    propGetDouble: Some(get_double),
    propGetInt: Some(get_int),
    propGetPointerN: Some(get_pointer_n),
    propGetStringN: Some(get_string_n),
    propGetDoubleN: Some(get_double_n),
    propGetIntN: Some(get_int_n),
    propReset: Some(reset),
    propGetDimension: Some(get_dimension),
};

/// The property set behind a handle, or the status to return (the misuse is recorded).
fn cell(h: OfxPropertySetHandle, func: &str) -> Result<Arc<PropCell>, OfxStatus> {
    match registry::get(key(h)) {
        Some(Obj::Props(c)) => Ok(c),
        Some(other) => {
            runtime::violation(format!(
                "{func}: handle is a {}, not a property set",
                other.describe()
            ));
            Err(kOfxStatErrBadHandle)
        }
        None => {
            let what = if h.is_null() {
                "NULL property set".to_owned()
            } else if registry::was_live(key(h)) {
                "property set used after it was released or its action ended".to_owned()
            } else {
                "unknown property set handle".to_owned()
            };
            runtime::violation(format!("{func}: {what}"));
            Err(kOfxStatErrBadHandle)
        }
    }
}

fn report(c: &PropCell, func: &str, e: PropErr) -> OfxStatus {
    if let Some(m) = e.misuse {
        c.log.violation(format!("{func}: {m}"));
    }
    e.status
}

/// Common body: resolve handle and name, run `f` on the locked set.
fn with_set(
    h: OfxPropertySetHandle,
    prop: *const c_char,
    func: &str,
    f: impl FnOnce(&mut crate::props::PropertySet, &str) -> Result<(), PropErr>,
) -> OfxStatus {
    guard(|| {
        let c = match cell(h, func) {
            Ok(c) => c,
            Err(s) => return s,
        };
        let Some(name) = c_str(prop) else {
            runtime::violation(format!("{func}: NULL or invalid property name"));
            return kOfxStatErrUnknown;
        };
        let result = {
            let mut set = c.lock();
            f(&mut set, name)
        };
        match result {
            Ok(()) => kOfxStatOK,
            Err(e) => report(&c, &format!("{func}('{name}')"), e),
        }
    })
}

unsafe extern "C" fn set_pointer(
    h: OfxPropertySetHandle,
    p: *const c_char,
    i: c_int,
    v: *mut c_void,
) -> OfxStatus {
    with_set(h, p, "propSetPointer", |s, n| {
        s.set(n, i, Scalar::Ptr(v as usize))
    })
}

unsafe extern "C" fn set_string(
    h: OfxPropertySetHandle,
    p: *const c_char,
    i: c_int,
    v: *const c_char,
) -> OfxStatus {
    if v.is_null() {
        runtime::violation("propSetString: NULL value");
        return kOfxStatErrValue;
    }
    // SAFETY: non-NULL, NUL-terminated string from the plugin, valid for the call.
    let v = unsafe { CStr::from_ptr(v) };
    with_set(h, p, "propSetString", |s, n| s.set(n, i, Scalar::Str(v)))
}

unsafe extern "C" fn set_double(
    h: OfxPropertySetHandle,
    p: *const c_char,
    i: c_int,
    v: f64,
) -> OfxStatus {
    with_set(h, p, "propSetDouble", |s, n| s.set(n, i, Scalar::Double(v)))
}

unsafe extern "C" fn set_int(
    h: OfxPropertySetHandle,
    p: *const c_char,
    i: c_int,
    v: c_int,
) -> OfxStatus {
    with_set(h, p, "propSetInt", |s, n| s.set(n, i, Scalar::Int(v)))
}

/// Reads `count` items from a plugin array (empty for NULL or non-positive counts).
fn items<'a, T>(v: *const T, count: c_int) -> &'a [T] {
    let len = usize::try_from(count).unwrap_or(0);
    if v.is_null() || len == 0 {
        return &[];
    }
    // SAFETY: the plugin passes an array of at least `count` items (OFX contract for the N calls).
    unsafe { std::slice::from_raw_parts(v, len) }
}

unsafe extern "C" fn set_pointer_n(
    h: OfxPropertySetHandle,
    p: *const c_char,
    count: c_int,
    v: *const *mut c_void,
) -> OfxStatus {
    let vals: Vec<Scalar> = items(v, count)
        .iter()
        .map(|x| Scalar::Ptr(*x as usize))
        .collect();
    with_set(h, p, "propSetPointerN", |s, n| s.set_n(n, &vals))
}

unsafe extern "C" fn set_string_n(
    h: OfxPropertySetHandle,
    p: *const c_char,
    count: c_int,
    v: *const *const c_char,
) -> OfxStatus {
    let raw = items(v, count);
    if raw.iter().any(|x| x.is_null()) {
        runtime::violation("propSetStringN: NULL string in the values");
        return kOfxStatErrValue;
    }
    // SAFETY: each entry is a non-NULL, NUL-terminated string valid for the call.
    let vals: Vec<Scalar> = raw
        .iter()
        .map(|x| Scalar::Str(unsafe { CStr::from_ptr(*x) }))
        .collect();
    with_set(h, p, "propSetStringN", |s, n| s.set_n(n, &vals))
}

unsafe extern "C" fn set_double_n(
    h: OfxPropertySetHandle,
    p: *const c_char,
    count: c_int,
    v: *const f64,
) -> OfxStatus {
    let vals: Vec<Scalar> = items(v, count).iter().map(|x| Scalar::Double(*x)).collect();
    with_set(h, p, "propSetDoubleN", |s, n| s.set_n(n, &vals))
}

unsafe extern "C" fn set_int_n(
    h: OfxPropertySetHandle,
    p: *const c_char,
    count: c_int,
    v: *const c_int,
) -> OfxStatus {
    let vals: Vec<Scalar> = items(v, count).iter().map(|x| Scalar::Int(*x)).collect();
    with_set(h, p, "propSetIntN", |s, n| s.set_n(n, &vals))
}

/// Common body of the getters: `write` stores one value at index `i` of the output.
fn get_n(
    h: OfxPropertySetHandle,
    p: *const c_char,
    index: Option<c_int>,
    count: c_int,
    kind: PropKind,
    func: &str,
    mut write: impl FnMut(usize, Out),
) -> OfxStatus {
    with_set(h, p, func, |s, n| {
        match index {
            Some(i) => write(0, s.get(n, i, kind)?),
            None => {
                for (i, v) in s.get_n(n, count, kind)?.into_iter().enumerate() {
                    write(i, v);
                }
            }
        }
        Ok(())
    })
}

/// Writes item `i` of an output array the plugin passed.
fn put_at<T>(out: *mut T, i: usize, v: T) {
    if !out.is_null() {
        // SAFETY: the plugin's output array holds at least `count` items (OFX contract).
        put(unsafe { out.add(i) }, v);
    }
}

unsafe extern "C" fn get_pointer(
    h: OfxPropertySetHandle,
    p: *const c_char,
    i: c_int,
    out: *mut *mut c_void,
) -> OfxStatus {
    get_n(
        h,
        p,
        Some(i),
        1,
        PropKind::Pointer,
        "propGetPointer",
        |_, v| {
            if let Out::Ptr(x) = v {
                put(out, x as *mut c_void);
            }
        },
    )
}

unsafe extern "C" fn get_string(
    h: OfxPropertySetHandle,
    p: *const c_char,
    i: c_int,
    out: *mut *mut c_char,
) -> OfxStatus {
    get_n(
        h,
        p,
        Some(i),
        1,
        PropKind::String,
        "propGetString",
        |_, v| {
            if let Out::Str(x) = v {
                put(out, x.cast_mut());
            }
        },
    )
}

unsafe extern "C" fn get_double(
    h: OfxPropertySetHandle,
    p: *const c_char,
    i: c_int,
    out: *mut f64,
) -> OfxStatus {
    get_n(
        h,
        p,
        Some(i),
        1,
        PropKind::Double,
        "propGetDouble",
        |_, v| {
            if let Out::Double(x) = v {
                put(out, x);
            }
        },
    )
}

unsafe extern "C" fn get_int(
    h: OfxPropertySetHandle,
    p: *const c_char,
    i: c_int,
    out: *mut c_int,
) -> OfxStatus {
    get_n(h, p, Some(i), 1, PropKind::Int, "propGetInt", |_, v| {
        if let Out::Int(x) = v {
            put(out, x);
        }
    })
}

unsafe extern "C" fn get_pointer_n(
    h: OfxPropertySetHandle,
    p: *const c_char,
    count: c_int,
    out: *mut *mut c_void,
) -> OfxStatus {
    get_n(
        h,
        p,
        None,
        count,
        PropKind::Pointer,
        "propGetPointerN",
        |i, v| {
            if let Out::Ptr(x) = v {
                put_at(out, i, x as *mut c_void);
            }
        },
    )
}

unsafe extern "C" fn get_string_n(
    h: OfxPropertySetHandle,
    p: *const c_char,
    count: c_int,
    out: *mut *mut c_char,
) -> OfxStatus {
    get_n(
        h,
        p,
        None,
        count,
        PropKind::String,
        "propGetStringN",
        |i, v| {
            if let Out::Str(x) = v {
                put_at(out, i, x.cast_mut());
            }
        },
    )
}

unsafe extern "C" fn get_double_n(
    h: OfxPropertySetHandle,
    p: *const c_char,
    count: c_int,
    out: *mut f64,
) -> OfxStatus {
    get_n(
        h,
        p,
        None,
        count,
        PropKind::Double,
        "propGetDoubleN",
        |i, v| {
            if let Out::Double(x) = v {
                put_at(out, i, x);
            }
        },
    )
}

unsafe extern "C" fn get_int_n(
    h: OfxPropertySetHandle,
    p: *const c_char,
    count: c_int,
    out: *mut c_int,
) -> OfxStatus {
    get_n(h, p, None, count, PropKind::Int, "propGetIntN", |i, v| {
        if let Out::Int(x) = v {
            put_at(out, i, x);
        }
    })
}

unsafe extern "C" fn reset(h: OfxPropertySetHandle, p: *const c_char) -> OfxStatus {
    with_set(h, p, "propReset", |s, n| s.reset(n))
}

unsafe extern "C" fn get_dimension(
    h: OfxPropertySetHandle,
    p: *const c_char,
    out: *mut c_int,
) -> OfxStatus {
    with_set(h, p, "propGetDimension", |s, n| {
        let d = s.dimension(n)?;
        put(out, c_int::try_from(d).unwrap_or(c_int::MAX));
        Ok(())
    })
}
