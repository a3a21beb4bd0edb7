//! Clip preferences, default regions of definition and identity copies.

use std::sync::atomic::Ordering;

use crate::action::{self, d, i, s};
use crate::consts::*;
use crate::error::RenderFailure;
use crate::image::HostImage;
use crate::instance::Instance;
use crate::props::{PropertySet, Values};
use crate::registry::lock;
use crate::render::RenderOptions;

/// kOfxImageEffectActionGetClipPreferences, applied to the clip property sets.
pub(crate) fn clip_preferences(inst: &Instance) -> Result<(), RenderFailure> {
    let clips = inst.effect.clip_list();
    let mut outs = PropertySet::closed();
    let rgba = n(kOfxImageComponentRGBA);
    let float = n(kOfxBitDepthFloat);
    // The spec lists connected inputs and the output; Resolve lists every clip.
    let listed = |c: &&std::sync::Arc<crate::model::Clip>| {
        c.is_output() || c.media.is_some() || inst.core.profile.clip_prefs_for_all_clips()
    };
    for c in clips.iter().filter(listed) {
        outs.define(
            &format!("OfxImageClipPropComponents_{}", c.name),
            s(rgba),
            false,
            false,
        );
        outs.define(
            &format!("OfxImageClipPropDepth_{}", c.name),
            s(float),
            false,
            false,
        );
        outs.define(
            &format!("OfxImageClipPropPAR_{}", c.name),
            d(&[1.0]),
            false,
            false,
        );
    }
    let straight = n(kOfxImageUnPreMultiplied);
    for (name, v) in [
        (kOfxImageEffectPropFrameRate, d(&[24.0])),
        (kOfxImageClipPropFieldOrder, s(n(kOfxImageFieldNone))),
        (kOfxImageEffectPropPreMultiplication, s(straight)),
        (kOfxImageClipPropContinuousSamples, i(&[0])),
        (kOfxImageEffectFrameVarying, i(&[0])),
    ] {
        outs.define(n(name), v, false, false);
    }
    let action = kOfxImageEffectActionGetClipPreferences;
    let reply = action::call(&inst.target(), action, None, Some(outs), None);
    if !reply.ok_or_default() {
        return Err(RenderFailure {
            action: n(action).to_owned(),
            status: reply.status,
            message: lock(&inst.runtime.log.persistent).clone(),
        });
    }
    let out = reply.out;
    for c in clips.iter().filter(listed) {
        let comp = out.string(&format!("OfxImageClipPropComponents_{}", c.name), 0);
        let depth = out.string(&format!("OfxImageClipPropDepth_{}", c.name), 0);
        if comp.as_deref() != Some(rgba) || depth.as_deref() != Some(float) {
            return Err(RenderFailure::host(format!(
                "clip '{}' asked for {comp:?} {depth:?} in GetClipPreferences; \
                 this test host supplies RGBA float only",
                c.name
            )));
        }
        if c.is_output() {
            let mut set = c.props.lock();
            for name in [
                kOfxImageEffectPropPreMultiplication,
                kOfxImageEffectFrameVarying,
            ] {
                if let Some(v) = out.values(n(name)) {
                    set.put(n(name), v.clone());
                }
            }
        }
    }
    inst.prefs_dirty.store(false, Ordering::SeqCst);
    Ok(())
}

/// Resolve: `kOfxImageClipPropThumbnail` on every clip for this render.
pub(crate) fn set_thumbnail_flag(inst: &Instance, on: bool) {
    for c in inst.effect.clip_list() {
        let name = n(kOfxImageClipPropThumbnail);
        c.props.lock().put(name, Values::Int(vec![i32::from(on)]));
    }
}

/// The output clip's premultiplication after clip preferences.
pub(crate) fn output_premult(inst: &Instance) -> String {
    inst.effect
        .clip(n(kOfxImageEffectOutputClipName))
        .and_then(|c| {
            c.props
                .lock()
                .string(n(kOfxImageEffectPropPreMultiplication), 0)
        })
        .unwrap_or_else(|| n(kOfxImageUnPreMultiplied).to_owned())
}

/// The RoD the host assumes: the union of the connected inputs (Source alone for filters),
/// or the project for generators and effects without inputs.
pub(crate) fn default_rod(inst: &Instance, time: f64, origin: (i32, i32)) -> [f64; 4] {
    let p = *lock(&inst.runtime.project);
    let project = [
        p.offset.0,
        p.offset.1,
        p.offset.0 + p.size.0,
        p.offset.1 + p.size.1,
    ];
    if inst.context == n(kOfxImageEffectContextGenerator) {
        return project;
    }
    let filter = inst.context == n(kOfxImageEffectContextFilter);
    let mut rod: Option<[f64; 4]> = None;
    for c in inst.effect.clip_list().iter().filter(|c| !c.is_output()) {
        if filter && c.name != n(kOfxImageEffectSimpleSourceClipName) {
            continue;
        }
        if let Some(r) = crate::fetch::input_rod(c, time, origin) {
            rod = Some(match rod {
                None => r,
                Some(u) => [
                    u[0].min(r[0]),
                    u[1].min(r[1]),
                    u[2].max(r[2]),
                    u[3].max(r[3]),
                ],
            });
        }
    }
    rod.unwrap_or(project)
}

/// The output for an identity answer: clip `name` at `time`, placed in the output bounds.
pub(crate) fn copy_identity(
    inst: &Instance,
    name: &str,
    time: f64,
    opts: &RenderOptions,
    bounds: [i32; 4],
) -> Result<HostImage, RenderFailure> {
    let Some(clip) = inst.effect.clip(name).filter(|c| !c.is_output()) else {
        let text = format!("IsIdentity named '{name}', which is not an input clip");
        inst.runtime.log.violation(text.clone());
        return Err(RenderFailure::host(text));
    };
    let (w, h) = (
        (bounds[2] - bounds[0]) as usize,
        (bounds[3] - bounds[1]) as usize,
    );
    let mut out = HostImage::new(w, h);
    let Some(src) = clip.media.as_ref().and_then(|m| m.source.image(time)) else {
        return Ok(out); // no image: transparent black
    };
    let (src, origin) = src.downscale(opts.render_scale, opts.layout.origin);
    // Pixel (x, y) from the bottom of the output is pixel (x + bx - ox, y + by - oy) of the source.
    for y_up in 0..h {
        let sy_up = y_up as i64 + i64::from(bounds[1]) - i64::from(origin.1);
        if sy_up < 0 || sy_up >= src.height as i64 {
            continue;
        }
        for x in 0..w {
            let sx = x as i64 + i64::from(bounds[0]) - i64::from(origin.0);
            if sx < 0 || sx >= src.width as i64 {
                continue;
            }
            let v = src.get(sx as usize, src.height - 1 - sy_up as usize);
            out.set(x, h - 1 - y_up, v);
        }
    }
    Ok(out)
}
