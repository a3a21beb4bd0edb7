//! The standard properties of each kind of property set, with their types, dimensions and defaults.

use std::ffi::CStr;

use crate::consts::*;
use crate::profile::HostProfile;
use crate::props::{PropertySet, Values};

pub(crate) fn int(s: &mut PropertySet, name: &CStr, v: &[i32]) {
    s.define(n(name), Values::Int(v.to_vec()), false, false);
}

pub(crate) fn int_var(s: &mut PropertySet, name: &CStr, v: &[i32]) {
    s.define(n(name), Values::Int(v.to_vec()), true, false);
}

pub(crate) fn dbl(s: &mut PropertySet, name: &CStr, v: &[f64]) {
    s.define(n(name), Values::Double(v.to_vec()), false, false);
}

pub(crate) fn string(s: &mut PropertySet, name: &CStr, v: &str) {
    s.define(n(name), Values::strs(&[v]), false, false);
}

pub(crate) fn strings(s: &mut PropertySet, name: &CStr, v: &[&str]) {
    s.define(n(name), Values::strs(v), true, false);
}

pub(crate) fn ptr(s: &mut PropertySet, name: &CStr) {
    s.define(n(name), Values::Ptr(vec![0]), false, false);
}

/// The host descriptor (read-only), as each profile presents itself.
pub(crate) fn host(profile: HostProfile) -> PropertySet {
    let mut s = PropertySet::closed();
    let nuke = profile == HostProfile::Nuke;
    let resolve = profile == HostProfile::Resolve;
    string(&mut s, kOfxPropType, n(kOfxTypeImageEffectHost));
    string(&mut s, kOfxPropName, profile.host_name());
    string(&mut s, kOfxPropLabel, profile.host_label());
    int(&mut s, kOfxPropVersion, profile.host_version());
    string(&mut s, kOfxPropVersionLabel, profile.host_version_label());
    int(&mut s, kOfxPropAPIVersion, &[1, 4]);
    int(&mut s, kOfxImageEffectHostPropIsBackground, &[0]);
    int(&mut s, kOfxImageEffectPropSupportsOverlays, &[1]);
    int(
        &mut s,
        kOfxImageEffectPropSupportsMultiResolution,
        &[i32::from(!resolve)],
    );
    int(&mut s, kOfxImageEffectPropSupportsTiles, &[i32::from(nuke)]);
    int(&mut s, kOfxImageEffectPropTemporalClipAccess, &[1]);
    let comps = [n(kOfxImageComponentRGBA), n(kOfxImageComponentAlpha)];
    strings(&mut s, kOfxImageEffectPropSupportedComponents, &comps);
    strings(
        &mut s,
        kOfxImageEffectPropSupportedContexts,
        &profile.contexts(),
    );
    strings(
        &mut s,
        kOfxImageEffectPropSupportedPixelDepths,
        &[n(kOfxBitDepthFloat)],
    );
    int(&mut s, kOfxImageEffectPropSupportsMultipleClipDepths, &[0]);
    int(&mut s, kOfxImageEffectPropSupportsMultipleClipPARs, &[0]);
    int(&mut s, kOfxImageEffectPropSetableFrameRate, &[0]);
    int(&mut s, kOfxImageEffectPropSetableFielding, &[0]);
    int(
        &mut s,
        kOfxParamHostPropSupportsCustomInteract,
        &[i32::from(nuke)],
    );
    int(&mut s, kOfxParamHostPropSupportsStringAnimation, &[0]);
    int(
        &mut s,
        kOfxParamHostPropSupportsChoiceAnimation,
        &[i32::from(!resolve)],
    );
    int(
        &mut s,
        kOfxParamHostPropSupportsBooleanAnimation,
        &[i32::from(!resolve)],
    );
    int(&mut s, kOfxParamHostPropSupportsCustomAnimation, &[0]);
    int(&mut s, kOfxParamHostPropMaxParameters, &[-1]);
    int(&mut s, kOfxParamHostPropMaxPages, &[0]);
    int(&mut s, kOfxParamHostPropPageRowColumnCount, &[0, 0]);
    string(
        &mut s,
        kOfxImageEffectHostPropNativeOrigin,
        n(kOfxHostNativeOriginBottomLeft),
    );
    string(&mut s, kOfxImageEffectPropOpenGLRenderSupported, "false");
    if !resolve {
        // Resolve lacks both (see the host notes in the README).
        int(&mut s, kOfxImageEffectInstancePropSequentialRender, &[0]);
        ptr(&mut s, kOfxPropHostOSHandle);
    }
    s.set_read_only_all(true);
    s
}

/// The effect descriptor handed to Describe (open: the plugin may add its own properties).
pub(crate) fn effect_descriptor(bundle_path: &str) -> PropertySet {
    let mut s = PropertySet::open();
    string(&mut s, kOfxPropType, n(kOfxTypeImageEffect));
    string(&mut s, kOfxPropLabel, "");
    string(&mut s, kOfxPropShortLabel, "");
    string(&mut s, kOfxPropLongLabel, "");
    int_var(&mut s, kOfxPropVersion, &[]);
    string(&mut s, kOfxPropVersionLabel, "");
    string(&mut s, kOfxPropPluginDescription, "");
    strings(&mut s, kOfxImageEffectPropSupportedContexts, &[]);
    string(&mut s, kOfxImageEffectPluginPropGrouping, "");
    int(&mut s, kOfxImageEffectPluginPropSingleInstance, &[0]);
    let safe = n(kOfxImageEffectRenderInstanceSafe);
    string(&mut s, kOfxImageEffectPluginRenderThreadSafety, safe);
    int(&mut s, kOfxImageEffectPluginPropHostFrameThreading, &[0]);
    ptr(&mut s, kOfxImageEffectPluginPropOverlayInteractV1);
    int(&mut s, kOfxImageEffectPropSupportsMultiResolution, &[1]);
    int(&mut s, kOfxImageEffectPropSupportsTiles, &[1]);
    int(&mut s, kOfxImageEffectPropTemporalClipAccess, &[0]);
    strings(&mut s, kOfxImageEffectPropSupportedPixelDepths, &[]);
    int(
        &mut s,
        kOfxImageEffectPluginPropFieldRenderTwiceAlways,
        &[1],
    );
    int(&mut s, kOfxImageEffectPropSupportsMultipleClipDepths, &[0]);
    int(&mut s, kOfxImageEffectPropSupportsMultipleClipPARs, &[0]);
    strings(&mut s, kOfxImageEffectPropClipPreferencesSlaveParam, &[]);
    int(&mut s, kOfxImageEffectInstancePropSequentialRender, &[0]);
    strings(&mut s, kOfxPropIcon, &["", ""]);
    string(&mut s, kOfxPluginPropFilePath, bundle_path);
    s.set_read_only(n(kOfxPluginPropFilePath), true);
    s.set_read_only(n(kOfxPropType), true);
    s
}

/// A clip descriptor made by clipDefine.
pub(crate) fn clip_descriptor(name: &str) -> PropertySet {
    let mut s = PropertySet::open();
    string(&mut s, kOfxPropType, n(kOfxTypeClip));
    string(&mut s, kOfxPropName, name);
    string(&mut s, kOfxPropLabel, name);
    string(&mut s, kOfxPropShortLabel, name);
    string(&mut s, kOfxPropLongLabel, name);
    strings(&mut s, kOfxImageEffectPropSupportedComponents, &[]);
    int(&mut s, kOfxImageEffectPropTemporalClipAccess, &[0]);
    int(&mut s, kOfxImageClipPropOptional, &[0]);
    string(
        &mut s,
        kOfxImageClipPropFieldExtraction,
        n(kOfxImageFieldDoubled),
    );
    int(&mut s, kOfxImageClipPropIsMask, &[0]);
    int(&mut s, kOfxImageEffectPropSupportsTiles, &[1]);
    s.set_read_only(n(kOfxPropName), true);
    s.set_read_only(n(kOfxPropType), true);
    s
}

/// A parameter descriptor made by paramDefine, or None for a type that is not OFX's.
pub(crate) fn param_descriptor(param_type: &str, name: &str) -> Option<PropertySet> {
    let kind = crate::params::ParamKind::of(param_type)?;
    let mut s = PropertySet::open();
    string(&mut s, kOfxPropType, n(kOfxTypeParameter));
    string(&mut s, kOfxPropName, name);
    string(&mut s, kOfxParamPropType, param_type);
    for label in [kOfxPropLabel, kOfxPropShortLabel, kOfxPropLongLabel] {
        string(&mut s, label, name);
    }
    int(&mut s, kOfxParamPropSecret, &[0]);
    string(&mut s, kOfxParamPropHint, "");
    string(&mut s, kOfxParamPropScriptName, name);
    string(&mut s, kOfxParamPropParent, "");
    int(&mut s, kOfxParamPropEnabled, &[1]);
    ptr(&mut s, kOfxParamPropDataPtr);
    let t = param_type;
    if kind.dim > 0 {
        valued(&mut s);
    }
    let dim = kind.dim;
    if t == n(kOfxParamTypeInteger) || t.starts_with(n(kOfxParamTypeInteger)) {
        int(&mut s, kOfxParamPropDefault, &vec![0; dim]);
        for (p, v) in [
            (kOfxParamPropMin, i32::MIN),
            (kOfxParamPropMax, i32::MAX),
            (kOfxParamPropDisplayMin, i32::MIN),
            (kOfxParamPropDisplayMax, i32::MAX),
        ] {
            int(&mut s, p, &vec![v; dim]);
        }
    } else if t.starts_with(n(kOfxParamTypeDouble)) || t.starts_with(n(kOfxParamTypeRGB)) {
        dbl(&mut s, kOfxParamPropDefault, &vec![0.0; dim]);
        for (p, v) in [
            (kOfxParamPropMin, -f64::MAX),
            (kOfxParamPropMax, f64::MAX),
            (kOfxParamPropDisplayMin, -f64::MAX),
            (kOfxParamPropDisplayMax, f64::MAX),
        ] {
            dbl(&mut s, p, &vec![v; dim]);
        }
        if t.starts_with(n(kOfxParamTypeDouble)) {
            dbl(&mut s, kOfxParamPropIncrement, &[1.0]);
            int(&mut s, kOfxParamPropDigits, &[2]);
            string(&mut s, kOfxParamPropDoubleType, n(kOfxParamDoubleTypePlain));
            let canonical = n(kOfxParamCoordinatesCanonical);
            string(&mut s, kOfxParamPropDefaultCoordinateSystem, canonical);
        }
        if t == n(kOfxParamTypeDouble) {
            int(&mut s, kOfxParamPropShowTimeMarker, &[0]);
        }
        let labels: &[&str] = match dim {
            2 => &["x", "y"],
            3 if t == n(kOfxParamTypeRGB) => &["r", "g", "b"],
            3 => &["x", "y", "z"],
            4 => &["r", "g", "b", "a"],
            _ => &[],
        };
        if !labels.is_empty() {
            s.define(
                n(kOfxParamPropDimensionLabel),
                Values::strs(labels),
                false,
                false,
            );
        }
    } else if t == n(kOfxParamTypeBoolean) {
        int(&mut s, kOfxParamPropDefault, &[0]);
    } else if t == n(kOfxParamTypeChoice) {
        int(&mut s, kOfxParamPropDefault, &[0]);
        strings(&mut s, kOfxParamPropChoiceOption, &[]);
        int_var(&mut s, kOfxParamPropChoiceOrder, &[]);
    } else if t == n(kOfxParamTypeStrChoice) {
        string(&mut s, kOfxParamPropDefault, "");
        strings(&mut s, kOfxParamPropChoiceOption, &[]);
        strings(&mut s, kOfxParamPropChoiceEnum, &[]);
    } else if t == n(kOfxParamTypeString) {
        string(&mut s, kOfxParamPropDefault, "");
        string(
            &mut s,
            kOfxParamPropStringMode,
            n(kOfxParamStringIsSingleLine),
        );
        int(&mut s, kOfxParamPropStringFilePathExists, &[1]);
    } else if t == n(kOfxParamTypeCustom) {
        string(&mut s, kOfxParamPropDefault, "");
        ptr(&mut s, kOfxParamPropCustomInterpCallbackV1);
    } else if t == n(kOfxParamTypeGroup) {
        int(&mut s, kOfxParamPropGroupOpen, &[1]);
    } else if t == n(kOfxParamTypePage) {
        strings(&mut s, kOfxParamPropPageChild, &[]);
    }
    for ro in [kOfxPropName, kOfxPropType, kOfxParamPropType] {
        s.set_read_only(n(ro), true);
    }
    Some(s)
}

/// Properties of every parameter that holds a value.
fn valued(s: &mut PropertySet) {
    int(s, kOfxParamPropAnimates, &[1]);
    int(s, kOfxParamPropPersistant, &[1]);
    int(s, kOfxParamPropEvaluateOnChange, &[1]);
    int(s, kOfxParamPropPluginMayWrite, &[0]);
    int(s, kOfxParamPropCanUndo, &[1]);
    string(
        s,
        kOfxParamPropCacheInvalidation,
        n(kOfxParamInvalidateValueChange),
    );
    int(s, kOfxParamPropIsAnimating, &[0]);
    int(s, kOfxParamPropIsAutoKeying, &[0]);
    ptr(s, kOfxParamPropInteractV1);
    dbl(s, kOfxParamPropInteractSize, &[0.0, 0.0]);
    dbl(s, kOfxParamPropInteractSizeAspect, &[1.0]);
    dbl(s, kOfxParamPropInteractMinimumSize, &[10.0, 10.0]);
    int(s, kOfxParamPropInteractPreferedSize, &[10, 10]);
    int(s, kOfxParamPropHasHostOverlayHandle, &[0]);
    s.set_read_only(n(kOfxParamPropIsAnimating), true);
    s.set_read_only(n(kOfxParamPropIsAutoKeying), true);
    s.set_read_only(n(kOfxParamPropHasHostOverlayHandle), true);
}
