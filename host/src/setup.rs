//! Building an instance from its context descriptor: instance, clip and parameter property sets,
//! initial values (normalised defaults, Resolve's range clamping).

use std::sync::Arc;

use crate::consts::*;
use crate::model::{Clip, Effect, Param};
use crate::params::{Raw, ValueType};
use crate::profile::HostProfile;
use crate::props::{PropertySet, Values};
use crate::runtime::{Project, Runtime};
use crate::schema::{dbl, int, ptr, string};
use crate::source::Clips;

/// The Source's frame range (else the first connected clip's; a single frame without any).
fn source_range(clips: &Clips) -> (f64, f64) {
    clips
        .map
        .get("Source")
        .or_else(|| clips.map.values().next())
        .map_or((0.0, 0.0), |m| m.source.frame_range())
}

pub(crate) fn instance_props(
    desc: &PropertySet,
    profile: HostProfile,
    context: &str,
    project: Project,
    clips: &Clips,
) -> PropertySet {
    let mut s = PropertySet::closed();
    s.absorb(desc, true);
    string(&mut s, kOfxPropType, profile.instance_type());
    string(&mut s, kOfxImageEffectPropContext, context);
    ptr(&mut s, kOfxPropInstanceData);
    let (w, h) = project.size;
    let (x, y) = project.offset;
    dbl(&mut s, kOfxImageEffectPropProjectSize, &[w, h]);
    dbl(&mut s, kOfxImageEffectPropProjectOffset, &[x, y]);
    dbl(&mut s, kOfxImageEffectPropProjectExtent, &[x + w, y + h]);
    dbl(&mut s, kOfxImageEffectPropProjectPixelAspectRatio, &[1.0]);
    let (first, last) = source_range(clips);
    dbl(
        &mut s,
        kOfxImageEffectInstancePropEffectDuration,
        &[last - first + 1.0],
    );
    dbl(&mut s, kOfxImageEffectPropFrameRate, &[24.0]);
    int(&mut s, kOfxPropIsInteractive, &[0]);
    let seq = desc
        .int(n(kOfxImageEffectInstancePropSequentialRender), 0)
        .unwrap_or(0);
    int(&mut s, kOfxImageEffectInstancePropSequentialRender, &[seq]);
    let tiles = desc
        .int(n(kOfxImageEffectPropSupportsTiles), 0)
        .unwrap_or(1);
    int(&mut s, kOfxImageEffectPropSupportsTiles, &[tiles]);
    if profile == HostProfile::Generic {
        ptr(&mut s, kOfxImageEffectPropPluginHandle);
    }
    if profile.resolve_extensions() {
        let path = clips
            .map
            .get("Source")
            .and_then(|m| m.source.source_path())
            .unwrap_or_default();
        string(&mut s, kOfxImageEffectPropSrcFilePath, &path);
    }
    s.set_read_only_all(true);
    for writable in [
        kOfxPropInstanceData,
        kOfxImageEffectInstancePropSequentialRender,
        kOfxImageEffectPropSupportsTiles,
    ] {
        s.set_read_only(n(writable), false);
    }
    s
}

/// Instance clips for every clip the context declares.
pub(crate) fn clips(ctx: &Effect, effect: &Effect, rt: &Arc<Runtime>, clips: &Clips) {
    let range = source_range(clips);
    for d in ctx.clip_list() {
        let desc = d.props.lock().clone();
        let media = clips.map.get(&d.name).cloned();
        let output = d.is_output();
        let connected = output || media.is_some() || rt.profile.clips_always_connected();
        let mut s = PropertySet::closed();
        s.absorb(&desc, true);
        let rgba = n(kOfxImageComponentRGBA);
        string(&mut s, kOfxImageEffectPropComponents, rgba);
        string(&mut s, kOfxImageClipPropUnmappedComponents, rgba);
        string(&mut s, kOfxImageEffectPropPixelDepth, n(kOfxBitDepthFloat));
        string(
            &mut s,
            kOfxImageClipPropUnmappedPixelDepth,
            n(kOfxBitDepthFloat),
        );
        string(
            &mut s,
            kOfxImageEffectPropPreMultiplication,
            n(kOfxImageUnPreMultiplied),
        );
        dbl(&mut s, kOfxImagePropPixelAspectRatio, &[1.0]);
        dbl(&mut s, kOfxImageEffectPropFrameRate, &[24.0]);
        dbl(&mut s, kOfxImageEffectPropUnmappedFrameRate, &[24.0]);
        let r = media.as_ref().map_or(range, |m| m.source.frame_range());
        dbl(&mut s, kOfxImageEffectPropFrameRange, &[r.0, r.1]);
        dbl(&mut s, kOfxImageEffectPropUnmappedFrameRange, &[r.0, r.1]);
        string(&mut s, kOfxImageClipPropFieldOrder, n(kOfxImageFieldNone));
        int(&mut s, kOfxImageClipPropConnected, &[i32::from(connected)]);
        int(&mut s, kOfxImageClipPropContinuousSamples, &[0]);
        if output {
            int(&mut s, kOfxImageEffectFrameVarying, &[0]);
        }
        if rt.profile.resolve_extensions() {
            int(&mut s, kOfxImageClipPropThumbnail, &[0]);
        }
        s.set_read_only_all(true);
        let clip = Clip::new(&d.name, s, rt.log.clone(), Some(rt.clone()), media);
        effect.add_clip(clip);
    }
}

/// Instance parameters with their default values.
pub(crate) fn params(ctx: &Effect, effect: &Effect, rt: &Arc<Runtime>) {
    let project = *crate::registry::lock(&rt.project);
    for d in ctx.param_list() {
        let mut props = d.props.lock().clone();
        props.set_open(false);
        let raw = Param::default_raw(&props, d.kind);
        let raw = normalise(&props, raw, rt.profile, project);
        let p = Param::new(
            &d.name,
            &d.param_type,
            d.kind,
            props,
            rt.log.clone(),
            Some(rt.clone()),
            raw,
        );
        let clamped = clamp(
            &p,
            crate::registry::lock(&p.curve).value.clone(),
            rt.profile,
        );
        crate::registry::lock(&p.curve).value = clamped;
        effect.add_param(p);
    }
}

/// Normalised spatial defaults to canonical coordinates.
fn normalise(props: &PropertySet, raw: Raw, profile: HostProfile, project: Project) -> Raw {
    let Raw::D(mut v) = raw else {
        return raw;
    };
    let kind = props
        .string(n(kOfxParamPropDoubleType), 0)
        .unwrap_or_default();
    let coords = n(kOfxParamPropDefaultCoordinateSystem);
    let xy = [n(kOfxParamDoubleTypeXY), n(kOfxParamDoubleTypeXYAbsolute)];
    let normalised = props.string(coords, 0).as_deref() == Some(n(kOfxParamCoordinatesNormalised))
        || (profile.xy_defaults_normalised()
            && !props.touched(coords)
            && xy.contains(&kind.as_str()));
    if !normalised {
        return Raw::D(v);
    }
    let (w, h) = project.size;
    let (ox, oy) = project.offset;
    let axes: &[(f64, f64)] = match kind.as_str() {
        k if k == n(kOfxParamDoubleTypeX) => &[(w, 0.0)],
        k if k == n(kOfxParamDoubleTypeXAbsolute) => &[(w, ox)],
        k if k == n(kOfxParamDoubleTypeY) => &[(h, 0.0)],
        k if k == n(kOfxParamDoubleTypeYAbsolute) => &[(h, oy)],
        k if k == n(kOfxParamDoubleTypeXY) => &[(w, 0.0), (h, 0.0)],
        k if k == n(kOfxParamDoubleTypeXYAbsolute) => &[(w, ox), (h, oy)],
        _ => &[],
    };
    for (x, (scale, offset)) in v.iter_mut().zip(axes) {
        *x = *x * scale + offset;
    }
    Raw::D(v)
}

/// Clamps a user value to the parameter's range; in the Resolve profile a numeric parameter
/// without both a range and a display range is clamped to (-1, 1) (doubles) or (0, 0) (ints).
pub(crate) fn clamp(p: &Param, raw: Raw, profile: HostProfile) -> Raw {
    let props = p.props.lock();
    let is_int = p.param_type.starts_with(n(kOfxParamTypeInteger));
    let is_double = p.param_type.starts_with(n(kOfxParamTypeDouble));
    if !(is_int || is_double) || p.kind.value_type == ValueType::None {
        return raw;
    }
    let ranged = [
        kOfxParamPropMin,
        kOfxParamPropMax,
        kOfxParamPropDisplayMin,
        kOfxParamPropDisplayMax,
    ]
    .iter()
    .all(|k| props.touched(n(k)));
    let (lo, hi): (Vec<f64>, Vec<f64>) = if profile.clamps_unranged() && !ranged {
        let r = if is_int { 0.0 } else { 1.0 };
        (vec![-r; p.kind.dim], vec![r; p.kind.dim])
    } else {
        (
            bound(&props, kOfxParamPropMin),
            bound(&props, kOfxParamPropMax),
        )
    };
    let at = |v: &[f64], i: usize, d: f64| v.get(i).copied().unwrap_or(d);
    match raw {
        Raw::D(v) => Raw::D(
            v.iter()
                .enumerate()
                .map(|(i, x)| {
                    x.clamp(
                        at(&lo, i, f64::MIN),
                        at(&hi, i, f64::MAX).max(at(&lo, i, f64::MIN)),
                    )
                })
                .collect(),
        ),
        Raw::I(v) => Raw::I(
            v.iter()
                .enumerate()
                .map(|(i, x)| {
                    let (l, h) = (
                        at(&lo, i, f64::MIN),
                        at(&hi, i, f64::MAX).max(at(&lo, i, f64::MIN)),
                    );
                    f64::from(*x).clamp(l, h) as i32
                })
                .collect(),
        ),
        other => other,
    }
}

fn bound(props: &PropertySet, name: &std::ffi::CStr) -> Vec<f64> {
    match props.values(n(name)) {
        Some(Values::Double(v)) => v.clone(),
        Some(Values::Int(v)) => v.iter().map(|x| f64::from(*x)).collect(),
        _ => Vec::new(),
    }
}
