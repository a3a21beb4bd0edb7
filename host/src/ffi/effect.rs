//! The image effect suite: effect, clip and image handles, and image memory.

use std::ffi::{c_char, c_int, c_void};
use std::sync::Arc;

use openfx::sys::generic::core::{OfxPropertySetHandle, OfxRectD, OfxTime};
use openfx::sys::image_effect_v1::image_effect::{
    OfxImageClipHandle, OfxImageEffectHandle, OfxImageEffectSuiteV1, OfxImageMemoryHandle,
};
use openfx::sys::image_effect_v1::param::OfxParamSetHandle;

use super::misc::MemBlock;
use super::{c_str, guard, handle, key, put};
use crate::consts::*;
use crate::model::{Clip, Effect};
use crate::registry::{self, Obj};
use crate::runtime;

pub(crate) const SUITE: OfxImageEffectSuiteV1 = OfxImageEffectSuiteV1 {
    getPropertySet: Some(get_property_set),
    getParamSet: Some(get_param_set),
    clipDefine: Some(clip_define),
    clipGetHandle: Some(clip_get_handle),
    clipGetPropertySet: Some(clip_get_property_set),
    clipGetImage: Some(clip_get_image),
    clipReleaseImage: Some(clip_release_image),
    clipGetRegionOfDefinition: Some(clip_get_rod),
    abort: Some(abort),
    imageMemoryAlloc: Some(memory_alloc),
    imageMemoryFree: Some(memory_free),
    imageMemoryLock: Some(memory_lock),
    imageMemoryUnlock: Some(memory_unlock),
};

fn effect(h: OfxImageEffectHandle, func: &str) -> Result<Arc<Effect>, OfxStatus> {
    match registry::get(key(h)) {
        Some(Obj::Effect(e)) => Ok(e),
        other => {
            let what = other.map_or("unknown handle", |o| o.describe());
            runtime::violation(format!("{func}: not an image effect handle ({what})"));
            Err(kOfxStatErrBadHandle)
        }
    }
}

fn clip(h: OfxImageClipHandle, func: &str) -> Result<Arc<Clip>, OfxStatus> {
    match registry::get(key(h)) {
        Some(Obj::Clip(c)) => Ok(c),
        other => {
            let what = other.map_or("unknown handle", |o| o.describe());
            runtime::violation(format!("{func}: not a clip handle ({what})"));
            Err(kOfxStatErrBadHandle)
        }
    }
}

/// Runs `f`, turning an Err status into the return value.
fn run(f: impl FnOnce() -> Result<(), OfxStatus>) -> OfxStatus {
    guard(|| match f() {
        Ok(()) => kOfxStatOK,
        Err(s) => s,
    })
}

unsafe extern "C" fn get_property_set(
    h: OfxImageEffectHandle,
    out: *mut OfxPropertySetHandle,
) -> OfxStatus {
    run(|| {
        let e = effect(h, "getPropertySet")?;
        put(out, handle(e.props_handle));
        Ok(())
    })
}

unsafe extern "C" fn get_param_set(
    h: OfxImageEffectHandle,
    out: *mut OfxParamSetHandle,
) -> OfxStatus {
    run(|| {
        let e = effect(h, "getParamSet")?;
        put(out, handle(e.param_set_handle));
        Ok(())
    })
}

unsafe extern "C" fn clip_define(
    h: OfxImageEffectHandle,
    name: *const c_char,
    out: *mut OfxPropertySetHandle,
) -> OfxStatus {
    run(|| {
        let e = effect(h, "clipDefine")?;
        let Some(name) = c_str(name) else {
            e.log.violation("clipDefine: NULL clip name");
            return Err(kOfxStatErrValue);
        };
        if !e.is_descriptor() {
            e.log
                .violation(format!("clipDefine('{name}') on an effect instance"));
            return Err(kOfxStatErrBadHandle);
        }
        if let Some(c) = e.clip(name) {
            put(out, handle(c.props_handle));
            return Ok(());
        }
        let props = crate::schema::clip_descriptor(name);
        let c = Clip::new(name, props, e.log.clone(), None, None);
        put(out, handle(c.props_handle));
        e.add_clip(c);
        Ok(())
    })
}

unsafe extern "C" fn clip_get_handle(
    h: OfxImageEffectHandle,
    name: *const c_char,
    out: *mut OfxImageClipHandle,
    props: *mut OfxPropertySetHandle,
) -> OfxStatus {
    run(|| {
        let e = effect(h, "clipGetHandle")?;
        let c = c_str(name)
            .and_then(|n| e.clip(n))
            .ok_or(kOfxStatErrUnknown)?;
        put(out, handle(c.handle));
        put(props, handle(c.props_handle));
        Ok(())
    })
}

unsafe extern "C" fn clip_get_property_set(
    h: OfxImageClipHandle,
    out: *mut OfxPropertySetHandle,
) -> OfxStatus {
    run(|| {
        let c = clip(h, "clipGetPropertySet")?;
        put(out, handle(c.props_handle));
        Ok(())
    })
}

unsafe extern "C" fn clip_get_image(
    h: OfxImageClipHandle,
    time: OfxTime,
    _region: *const OfxRectD,
    out: *mut OfxPropertySetHandle,
) -> OfxStatus {
    put(out, std::ptr::null_mut());
    run(|| {
        let c = clip(h, "clipGetImage")?;
        let img = crate::fetch::get_image(&c, time)?;
        put(out, handle(img));
        Ok(())
    })
}

unsafe extern "C" fn clip_release_image(h: OfxPropertySetHandle) -> OfxStatus {
    guard(|| crate::fetch::release_image(key(h)))
}

unsafe extern "C" fn clip_get_rod(
    h: OfxImageClipHandle,
    time: OfxTime,
    out: *mut OfxRectD,
) -> OfxStatus {
    run(|| {
        let c = clip(h, "clipGetRegionOfDefinition")?;
        let r = crate::fetch::clip_rod(&c, time).ok_or(kOfxStatFailed)?;
        put(
            out,
            OfxRectD {
                x1: r[0],
                y1: r[1],
                x2: r[2],
                y2: r[3],
            },
        );
        Ok(())
    })
}

unsafe extern "C" fn abort(_h: OfxImageEffectHandle) -> c_int {
    0
}

unsafe extern "C" fn memory_alloc(
    _h: OfxImageEffectHandle,
    n_bytes: usize,
    out: *mut OfxImageMemoryHandle,
) -> OfxStatus {
    run(|| {
        let block = MemBlock::new(n_bytes).ok_or(kOfxStatErrMemory)?;
        let h = registry::register(Obj::Memory(Arc::new(block)));
        put(out, handle(h));
        Ok(())
    })
}

fn memory(h: OfxImageMemoryHandle, func: &str) -> Result<Arc<MemBlock>, OfxStatus> {
    match registry::get(key(h)) {
        Some(Obj::Memory(m)) => Ok(m),
        _ => {
            runtime::violation(format!("{func}: not an image memory handle"));
            Err(kOfxStatErrBadHandle)
        }
    }
}

unsafe extern "C" fn memory_free(h: OfxImageMemoryHandle) -> OfxStatus {
    run(|| {
        memory(h, "imageMemoryFree")?;
        registry::remove(key(h));
        Ok(())
    })
}

unsafe extern "C" fn memory_lock(h: OfxImageMemoryHandle, out: *mut *mut c_void) -> OfxStatus {
    run(|| {
        let m = memory(h, "imageMemoryLock")?;
        put(out, m.ptr() as *mut c_void);
        Ok(())
    })
}

unsafe extern "C" fn memory_unlock(h: OfxImageMemoryHandle) -> OfxStatus {
    run(|| memory(h, "imageMemoryUnlock").map(|_| ()))
}
