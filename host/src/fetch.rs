//! clipGetImage / clipReleaseImage / clipGetRegionOfDefinition: host-allocated images per call,
//! laid out as the render asks, with the frame and release checks.

use std::sync::Arc;

use crate::consts::*;
use crate::ffi::imagebuf::ImageBuf;
use crate::model::{Clip, ImageTag, PropCell};
use crate::props::{PropertySet, Values};
use crate::registry::{self, lock, Obj};
use crate::runtime::{self, FrameOpts, LiveImage, RenderState, Runtime};
use crate::schema::{dbl, int, ptr, string};

const EPS: f64 = 1e-6;

/// The canonical region of definition of a clip at `time`, as the host knows it.
pub(crate) fn clip_rod(clip: &Clip, time: f64) -> Option<[f64; 4]> {
    let rt = clip.runtime.as_ref()?;
    let current = rt.current_action(None);
    let render = current.as_ref().and_then(|c| c.render.clone());
    if clip.is_output() {
        if let Some(r) = &render {
            let s = r.scale;
            let b = r.bounds.map(f64::from);
            return Some([b[0] / s, b[1] / s, b[2] / s, b[3] / s]);
        }
        let p = *lock(&rt.project);
        return Some([
            p.offset.0,
            p.offset.1,
            p.offset.0 + p.size.0,
            p.offset.1 + p.size.1,
        ]);
    }
    let origin = match current.and_then(|c| c.frame) {
        Some(f) => f.layout.origin,
        None => lock(&rt.idle_layout).origin,
    };
    input_rod(clip, time, origin)
}

/// An input clip's RoD when its images sit at `origin`.
pub(crate) fn input_rod(clip: &Clip, time: f64, origin: (i32, i32)) -> Option<[f64; 4]> {
    let (w, h) = clip.media.as_ref()?.source.size(time)?;
    let (x, y) = (f64::from(origin.0), f64::from(origin.1));
    Some([x, y, x + w as f64, y + h as f64])
}

/// Fetches an image of `clip` at `time`: a new handle each call.
pub(crate) fn get_image(clip: &Arc<Clip>, time: f64) -> Result<usize, OfxStatus> {
    let Some(rt) = clip.runtime.clone() else {
        runtime::violation(format!("clipGetImage on clip descriptor '{}'", clip.name));
        return Err(kOfxStatErrBadHandle);
    };
    let current = rt.current_action(Some(time));
    if lock(&rt.actions).is_empty() {
        rt.log.violation(format!(
            "clipGetImage('{}', {time}) called outside any action",
            clip.name
        ));
        return Err(kOfxStatFailed);
    }
    let (action, render, frame) = match current {
        Some(c) => (Some(c.id), c.render, c.frame),
        None => (None, None, None),
    };
    let (buf, props) = if clip.is_output() {
        output_image(clip, &rt, render.as_deref(), time)?
    } else {
        input_image(clip, &rt, render.as_deref(), frame, time)?
    };
    let cell = Arc::new(PropCell {
        set: std::sync::Mutex::new(props),
        log: rt.log.clone(),
        image: Some(ImageTag {
            runtime: Arc::downgrade(&rt),
            buffer: buf,
        }),
    });
    let h = registry::register(Obj::Props(cell));
    let live = LiveImage {
        action,
        clip: clip.name.clone(),
        time,
    };
    lock(&rt.images).insert(h, live);
    Ok(h)
}

type Fetched = (Arc<ImageBuf>, PropertySet);

fn output_image(
    clip: &Clip,
    rt: &Runtime,
    render: Option<&RenderState>,
    time: f64,
) -> Result<Fetched, OfxStatus> {
    let Some(r) = render else {
        rt.log.violation(format!(
            "clipGetImage('{}', {time}) outside a Render action",
            clip.name
        ));
        return Err(kOfxStatFailed);
    };
    if (time - r.time).abs() > EPS {
        rt.log.violation(format!(
            "output image fetched at time {time} while rendering time {}",
            r.time
        ));
    }
    let id = if rt.profile.constant_unique_id() {
        "0".to_owned()
    } else {
        format!("output:{}:{}:{}", rt.id, r.time, r.scale)
    };
    let props = image_props(rt, &r.output, r.bounds, Some(r), &r.premult, &id);
    Ok((r.output.clone(), props))
}

fn input_image(
    clip: &Clip,
    rt: &Runtime,
    render: Option<&RenderState>,
    frame: Option<FrameOpts>,
    time: f64,
) -> Result<Fetched, OfxStatus> {
    if let Some(r) = render {
        check_frame(clip, rt, r, time);
    }
    let Some(media) = &clip.media else {
        return Err(kOfxStatFailed);
    };
    let (scale, layout) = match (render, frame) {
        (Some(r), _) => (r.scale, r.layout.clone()),
        (None, Some(f)) => (f.scale, f.layout),
        (None, None) => (1.0, lock(&rt.idle_layout).clone()),
    };
    let lay_out = || {
        let img = media.source.image(time)?;
        let (img, origin) = if scale == 1.0 {
            (img, layout.origin)
        } else {
            img.downscale(scale, layout.origin)
        };
        let buf = Arc::new(ImageBuf::new(img.width, img.height, &layout, 0.0));
        buf.write(&img);
        Some((buf, origin))
    };
    let entry = match &media.cache {
        Some(cache) => cache.get_or_insert(time, scale, &layout, lay_out),
        None => lay_out(),
    };
    let Some((buf, origin)) = entry else {
        return Err(kOfxStatFailed);
    };
    let (w, h) = (buf.width as i32, buf.height as i32);
    let bounds = [origin.0, origin.1, origin.0 + w, origin.1 + h];
    let premult = clip
        .props
        .lock()
        .string(n(kOfxImageEffectPropPreMultiplication), 0)
        .unwrap_or_else(|| n(kOfxImageUnPreMultiplied).to_owned());
    let id = if rt.profile.constant_unique_id() {
        "0".to_owned()
    } else {
        format!("{}:{}:{}", media.id, time, scale)
    };
    let props = image_props(rt, &buf, bounds, render, &premult, &id);
    Ok((buf, props))
}

/// Frame checks: only the render time unless the clip is temporal, and only declared frames.
fn check_frame(clip: &Clip, rt: &Runtime, r: &RenderState, time: f64) {
    if (time - r.time).abs() > EPS && !clip.temporal() {
        rt.log.violation(format!(
            "clip '{}' fetched at time {time} while rendering {}, but the clip descriptor does not \
             set kOfxImageEffectPropTemporalClipAccess",
            clip.name, r.time
        ));
        return;
    }
    let ranges = r.allowed.get(&clip.name).cloned().unwrap_or_default();
    if !ranges
        .iter()
        .any(|(a, b)| time >= a - EPS && time <= b + EPS)
    {
        rt.log.violation(format!(
            "clip '{}' fetched at time {time} while rendering {}, outside the frames declared \
             in GetFramesNeeded {ranges:?}",
            clip.name, r.time
        ));
    }
}

fn image_props(
    rt: &Runtime,
    buf: &ImageBuf,
    bounds: [i32; 4],
    render: Option<&RenderState>,
    premult: &str,
    unique_id: &str,
) -> PropertySet {
    let mut s = PropertySet::closed();
    string(&mut s, kOfxPropType, n(kOfxTypeImage));
    string(&mut s, kOfxImageEffectPropPixelDepth, n(kOfxBitDepthFloat));
    string(
        &mut s,
        kOfxImageEffectPropComponents,
        n(kOfxImageComponentRGBA),
    );
    string(&mut s, kOfxImageEffectPropPreMultiplication, premult);
    dbl(&mut s, kOfxImagePropPixelAspectRatio, &[1.0]);
    ptr(&mut s, kOfxImagePropData);
    s.put(n(kOfxImagePropData), Values::Ptr(vec![buf.data()]));
    int(&mut s, kOfxImagePropBounds, &bounds);
    int(&mut s, kOfxImagePropRegionOfDefinition, &bounds);
    int(&mut s, kOfxImagePropRowBytes, &[buf.row_bytes()]);
    string(&mut s, kOfxImagePropUniqueIdentifier, unique_id);
    // Resolve's thumbnail images lack render scale and field (openfx-misc issue 56).
    let thumbnail = render.is_some_and(|r| r.thumbnail);
    if !(thumbnail && rt.profile.resolve_extensions()) {
        let scale = render.map_or(1.0, |r| r.scale);
        dbl(&mut s, kOfxImageEffectPropRenderScale, &[scale, scale]);
        string(&mut s, kOfxImagePropField, n(kOfxImageFieldNone));
    }
    s.set_read_only_all(true);
    s
}

/// Releases an image handle.
pub(crate) fn release_image(h: usize) -> OfxStatus {
    match registry::get(h) {
        Some(Obj::Props(c)) if c.image.is_some() => {
            registry::remove(h);
            if let Some(rt) = c.image.as_ref().and_then(|t| t.runtime.upgrade()) {
                lock(&rt.images).remove(&h);
                if !c.image.as_ref().is_some_and(|t| t.buffer.guards_intact()) {
                    rt.log.violation(
                        "the plugin wrote outside an image's pixels (guard words changed)",
                    );
                }
            }
            kOfxStatOK
        }
        Some(other) => {
            runtime::violation(format!(
                "clipReleaseImage on a {}, not an image",
                other.describe()
            ));
            kOfxStatErrBadHandle
        }
        None if registry::was_live(h) => {
            runtime::violation(
                "clipReleaseImage: image released twice (or after its action ended)",
            );
            kOfxStatErrBadHandle
        }
        None => {
            runtime::violation("clipReleaseImage: unknown image handle");
            kOfxStatErrBadHandle
        }
    }
}
