//! Describe and DescribeInContext: writes an effect's declaration into the host's descriptors.

use std::ffi::{CStr, CString};

use openfx::sys::generic::core::*;
use openfx::sys::image_effect_v1::image_effect::*;
use openfx::sys::image_effect_v1::param::*;

use super::instance::{effect_props, param_set};
use super::props::PropSet;
use super::suites::Suites;
use super::{check, OfxError};
use crate::effects::{ClipDecl, Context, DoubleKind, Effect, ParamDecl, ParamKind, PointKind};

pub fn context_name(context: Context) -> &'static CStr {
    match context {
        Context::Filter => kOfxImageEffectContextFilter,
        Context::General => kOfxImageEffectContextGeneral,
    }
}

pub fn parse_context(name: &str) -> Option<Context> {
    [Context::Filter, Context::General]
        .into_iter()
        .find(|c| context_name(*c).to_bytes() == name.as_bytes())
}

/// Describe: the effect's identity and the host behaviours it needs.
pub fn describe<E: Effect>(suites: &Suites, effect: OfxImageEffectHandle) -> Result<(), OfxError> {
    let decl = E::declaration();
    let props = effect_props(suites, effect)?;
    props.set_string(kOfxPropLabel, 0, decl.label)?;
    props.set_string(kOfxPropShortLabel, 0, decl.label)?;
    props.set_string(kOfxPropLongLabel, 0, decl.label)?;
    props.set_string(kOfxPropPluginDescription, 0, decl.description)?;
    props.set_string(kOfxImageEffectPluginPropGrouping, 0, decl.grouping)?;
    props.set_ints(
        kOfxPropVersion,
        &[decl.version.0 as i32, decl.version.1 as i32],
    )?;
    props.set_string(
        kOfxPropVersionLabel,
        0,
        &format!("{}.{}", decl.version.0, decl.version.1),
    )?;
    for (i, c) in decl.contexts.iter().enumerate() {
        props.set_cstr(
            kOfxImageEffectPropSupportedContexts,
            i as i32,
            context_name(*c),
        )?;
    }
    props.set_cstr(
        kOfxImageEffectPropSupportedPixelDepths,
        0,
        kOfxBitDepthFloat,
    )?;
    props.set_cstr(
        kOfxImageEffectPluginRenderThreadSafety,
        0,
        kOfxImageEffectRenderInstanceSafe,
    )?;
    props.set_int(kOfxImageEffectPluginPropHostFrameThreading, 0, 0)?;
    props.set_int(kOfxImageEffectPluginPropSingleInstance, 0, 0)?;
    // Face detection needs the whole frame; without this Nuke tiles and splits frames.
    props.set_int(kOfxImageEffectPropSupportsTiles, 0, 0)?;
    // Bounds that do not start at the origin and proxy scales are handled in the image layer.
    props.set_int(kOfxImageEffectPropSupportsMultiResolution, 0, 1)?;
    props.set_int(kOfxImageEffectPropSupportsMultipleClipDepths, 0, 0)?;
    props.set_int(
        kOfxImageEffectPropTemporalClipAccess,
        0,
        i32::from(decl.temporal_clip_access()),
    )?;
    // "Better in order, correct in any order" for temporal effects; order-free otherwise.
    let sequential = if decl.temporal_clip_access() { 2 } else { 0 };
    props.set_int(kOfxImageEffectInstancePropSequentialRender, 0, sequential)?;
    // Where the bundle is: ONNX Runtime and the default models load from there on first render.
    if let Ok(path) = props.string(kOfxPluginPropFilePath, 0) {
        crate::resources::set_bundle_path(std::path::Path::new(&path));
    }
    Ok(())
}

/// DescribeInContext: clips and parameters.
pub fn describe_in_context<E: Effect>(
    suites: &Suites,
    effect: OfxImageEffectHandle,
    in_args: PropSet,
) -> Result<(), OfxError> {
    let decl = E::declaration();
    let name = in_args.string(kOfxImageEffectPropContext, 0)?;
    let context = parse_context(&name)
        .filter(|c| decl.contexts.contains(c))
        .ok_or_else(|| {
            OfxError::User(format!(
                "{} does not support the context {name}",
                decl.label
            ))
        })?;
    let output = ClipDecl {
        name: "Output",
        label: "Output",
        optional: false,
        temporal: false,
        contexts: &[],
    };
    define_clip(suites, effect, &output)?;
    for clip in decl.clips_in(context) {
        define_clip(suites, effect, clip)?;
    }
    let set = param_set(suites, effect)?;
    for param in decl.params {
        define_param(suites, set, param)?;
    }
    Ok(())
}

fn define_clip(
    suites: &Suites,
    effect: OfxImageEffectHandle,
    clip: &ClipDecl,
) -> Result<(), OfxError> {
    let f = suites
        .effect
        .clipDefine
        .ok_or(OfxError::MissingHostFeature("clipDefine"))?;
    let name = CString::new(clip.name).expect("clip names have no NUL");
    let mut handle = std::ptr::null_mut();
    // SAFETY: valid descriptor handle and NUL-terminated name; the host writes one handle.
    let status = unsafe { f(effect, name.as_ptr(), &mut handle) };
    check(status, "clipDefine")?;
    let props = PropSet::new(handle, suites.prop);
    props.set_string(kOfxPropLabel, 0, clip.label)?;
    props.set_cstr(
        kOfxImageEffectPropSupportedComponents,
        0,
        kOfxImageComponentRGBA,
    )?;
    props.set_int(kOfxImageEffectPropSupportsTiles, 0, 0)?;
    props.set_int(kOfxImageClipPropOptional, 0, i32::from(clip.optional))?;
    props.set_int(
        kOfxImageEffectPropTemporalClipAccess,
        0,
        i32::from(clip.temporal),
    )?;
    Ok(())
}

fn define_param(
    suites: &Suites,
    set: OfxParamSetHandle,
    param: &ParamDecl,
) -> Result<(), OfxError> {
    let f = suites
        .param
        .paramDefine
        .ok_or(OfxError::MissingHostFeature("paramDefine"))?;
    let param_type = match param.kind {
        ParamKind::Double { .. } => kOfxParamTypeDouble,
        ParamKind::Int { .. } => kOfxParamTypeInteger,
        ParamKind::Bool { .. } => kOfxParamTypeBoolean,
        ParamKind::Choice { .. } => kOfxParamTypeChoice,
        ParamKind::Point { .. } => kOfxParamTypeDouble2D,
        ParamKind::Path { .. } | ParamKind::Label => kOfxParamTypeString,
    };
    let name = CString::new(param.id).expect("param ids have no NUL");
    let mut handle = std::ptr::null_mut();
    // SAFETY: valid param set, NUL-terminated type and name; the host writes one handle.
    let status = unsafe { f(set, param_type.as_ptr(), name.as_ptr(), &mut handle) };
    check(status, "paramDefine")?;
    let props = PropSet::new(handle, suites.prop);
    props.set_string(kOfxPropLabel, 0, param.label)?;
    props.set_string(kOfxParamPropHint, 0, param.hint)?;
    props.set_string(kOfxParamPropScriptName, 0, param.id)?;
    props.set_int(kOfxParamPropAnimates, 0, i32::from(param.animates))?;
    match param.kind {
        ParamKind::Path { directory } => {
            let mode = if directory {
                kOfxParamStringIsDirectoryPath
            } else {
                kOfxParamStringIsFilePath
            };
            props.set_cstr(kOfxParamPropStringMode, 0, mode)?;
            props.set_string(kOfxParamPropDefault, 0, "")?;
        }
        ParamKind::Label => {
            props.set_cstr(kOfxParamPropStringMode, 0, kOfxParamStringIsLabel)?;
            props.set_string(kOfxParamPropDefault, 0, "")?;
            // Written by the plugin, not the user; saved with the project so it shows on reload.
            props.set_int(kOfxParamPropEvaluateOnChange, 0, 0)?;
        }
        ParamKind::Double {
            default,
            range,
            kind,
        } => {
            props.set_double(kOfxParamPropDefault, 0, default)?;
            props.set_double(kOfxParamPropMin, 0, range.min)?;
            props.set_double(kOfxParamPropMax, 0, range.max)?;
            props.set_double(kOfxParamPropDisplayMin, 0, range.display_min)?;
            props.set_double(kOfxParamPropDisplayMax, 0, range.display_max)?;
            let double_type = match kind {
                DoubleKind::Plain => kOfxParamDoubleTypePlain,
                DoubleKind::Angle => kOfxParamDoubleTypeAngle,
                DoubleKind::Length => kOfxParamDoubleTypeX,
            };
            props.set_cstr(kOfxParamPropDoubleType, 0, double_type)?;
        }
        ParamKind::Int { default, range } => {
            props.set_int(kOfxParamPropDefault, 0, default)?;
            props.set_int(kOfxParamPropMin, 0, range.min)?;
            props.set_int(kOfxParamPropMax, 0, range.max)?;
            props.set_int(kOfxParamPropDisplayMin, 0, range.display_min)?;
            props.set_int(kOfxParamPropDisplayMax, 0, range.display_max)?;
        }
        ParamKind::Bool { default } => {
            props.set_int(kOfxParamPropDefault, 0, i32::from(default))?
        }
        ParamKind::Choice { options, default } => {
            for (i, option) in options.iter().enumerate() {
                props.set_string(kOfxParamPropChoiceOption, i as i32, option)?;
            }
            props.set_int(kOfxParamPropDefault, 0, default as i32)?;
        }
        ParamKind::Point { default, kind } => {
            props.set_doubles(kOfxParamPropDefault, &[default.0, default.1])?;
            let double_type = match kind {
                PointKind::Position => kOfxParamDoubleTypeXYAbsolute,
                PointKind::Size => kOfxParamDoubleTypeXY,
            };
            props.set_cstr(kOfxParamPropDoubleType, 0, double_type)?;
            // Defaults are fractions of the project, so they fit any resolution.
            props.set_cstr(
                kOfxParamPropDefaultCoordinateSystem,
                0,
                kOfxParamCoordinatesNormalised,
            )?;
            let (lo, hi, dlo, dhi) = match kind {
                PointKind::Position => (-1e6, 1e6, 0.0, 4096.0),
                PointKind::Size => (0.0, 1e6, 0.0, 2048.0),
            };
            props.set_doubles(kOfxParamPropMin, &[lo, lo])?;
            props.set_doubles(kOfxParamPropMax, &[hi, hi])?;
            props.set_doubles(kOfxParamPropDisplayMin, &[dlo, dlo])?;
            props.set_doubles(kOfxParamPropDisplayMax, &[dhi, dhi])?;
        }
    }
    Ok(())
}
