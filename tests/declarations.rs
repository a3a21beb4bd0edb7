//! What the bundle declares to hosts, read back through the test host: ids, versions, the
//! properties Resolve and Nuke need, and every parameter's ranges.

mod common;

use common::{host, FACE_BLEND, GENERAL};
use doppel_host::HostProfile;

/// Released ids: saved projects hold them, so none may ever disappear or change.
const RELEASED_FACE_BLEND_PARAMS: &[&str] = &[
    "maskSource",
    "ellipseCentre",
    "ellipseSize",
    "ellipseAngle",
    "maskErode",
    "maskFeather",
    "maskInvert",
    "colourMatch",
    "seamless",
    "mix",
    "colourSpace",
    "output",
    "detectorModel",
    "temporalRadius",
    "device",
];

#[test]
fn registers_only_effects_that_work_with_stable_ids_and_versions() {
    let host = host(HostProfile::Generic);
    assert_eq!(
        host.plugin_ids(),
        vec![FACE_SWAP.to_string(), FACE_BLEND.to_string()]
    );
    assert_eq!(host.plugin_version(FACE_BLEND), (1, 0));
    assert_eq!(host.plugin_version(FACE_SWAP), (1, 0));
}

#[test]
fn face_blend_declares_what_hosts_need() {
    let d = host(HostProfile::Generic)
        .describe(FACE_BLEND)
        .expect("describe");
    let p = &d.props;
    assert_eq!(p.string("OfxPropLabel"), Some("Face Blend"));
    assert_eq!(p.string("OfxImageEffectPluginPropGrouping"), Some("Doppel"));
    assert_eq!(
        p.strings("OfxImageEffectPropSupportedContexts"),
        vec![GENERAL.to_string()]
    );
    assert_eq!(
        p.strings("OfxImageEffectPropSupportedPixelDepths"),
        vec!["OfxBitDepthFloat".to_string()]
    );
    assert_eq!(
        p.string("OfxImageEffectPluginRenderThreadSafety"),
        Some("OfxImageEffectRenderInstanceSafe")
    );
    assert_eq!(p.int("OfxImageEffectPluginPropHostFrameThreading"), Some(0));
    assert_eq!(p.int("OfxImageEffectPropSupportsTiles"), Some(0));
    assert_eq!(p.int("OfxImageEffectPropTemporalClipAccess"), Some(1));
    let sequential = p
        .int("OfxImageEffectInstancePropSequentialRender")
        .expect("sequential render declared");
    assert!(
        (0..=2).contains(&sequential),
        "SequentialRender {sequential} is stricter than 2"
    );
    assert_eq!(p.ints("OfxPropVersion"), Some(&[1, 0][..]));

    let clips = d.clips_in(GENERAL).expect("general context clips");
    let names: Vec<&str> = clips.keys().map(String::as_str).collect();
    for clip in ["Output", "Source", "Face", "Matte"] {
        assert!(names.contains(&clip), "clip {clip} missing from {names:?}");
    }
    let source = &clips["Source"];
    assert_eq!(
        source.int("OfxImageEffectPropTemporalClipAccess"),
        Some(1),
        "temporal access on Source"
    );
    assert_eq!(clips["Matte"].int("OfxImageClipPropOptional"), Some(1));
    assert_eq!(clips["Face"].int("OfxImageClipPropOptional"), Some(0));
    for (name, clip) in clips {
        assert_eq!(
            clip.strings("OfxImageEffectPropSupportedComponents"),
            vec!["OfxImageComponentRGBA"],
            "{name}"
        );
    }
}

const FACE_SWAP: &str = "com.doppel.FaceSwap";

/// Face Swap's released ids.
const RELEASED_FACE_SWAP_PARAMS: &[&str] = &[
    "identity",
    "sourcePhotos",
    "identityInfo",
    "identityWeight",
    "recogniserModel",
    "detectorModel",
    "detectThreshold",
    "minFaceSize",
    "faceSelection",
    "faceIndex",
    "referencePhoto",
    "referenceDistance",
    "temporalRadius",
    "device",
    "pixelBoost",
    "morph",
    "maskBlur",
    "maskPaddingTop",
    "maskPaddingRight",
    "maskPaddingBottom",
    "maskPaddingLeft",
    "learnedMasks",
    "occlusionModel",
    "regionModel",
    "colourMatch",
    "strength",
    "colourSpace",
    "output",
    "stampLabel",
];

#[test]
fn every_released_parameter_id_is_still_there() {
    let released = [
        (FACE_BLEND, RELEASED_FACE_BLEND_PARAMS),
        (FACE_SWAP, RELEASED_FACE_SWAP_PARAMS),
    ];
    for (plugin, ids) in released {
        let d = host(HostProfile::Generic)
            .describe(plugin)
            .expect("describe");
        for id in ids {
            assert!(
                d.param(id).is_some(),
                "{plugin}: released parameter {id} is gone: saved projects would break"
            );
        }
    }
}

#[test]
fn face_swap_is_a_filter_with_file_parameters_and_temporal_access() {
    let d = host(HostProfile::Nuke)
        .describe(FACE_SWAP)
        .expect("describe");
    let contexts = d.props.strings("OfxImageEffectPropSupportedContexts");
    assert_eq!(contexts, vec!["OfxImageEffectContextFilter".to_string()]);
    assert_eq!(d.props.int("OfxImageEffectPropSupportsTiles"), Some(0));
    assert_eq!(d.props.int("OfxImageEffectPropTemporalClipAccess"), Some(1));
    let mode = |id: &str| {
        let p = &d.param(id).unwrap_or_else(|| panic!("{id} missing")).props;
        p.string("OfxParamPropStringMode").map(str::to_owned)
    };
    for id in [
        "identity",
        "recogniserModel",
        "detectorModel",
        "referencePhoto",
    ] {
        assert_eq!(
            mode(id).as_deref(),
            Some("OfxParamStringIsFilePath"),
            "{id}"
        );
    }
    assert_eq!(
        mode("sourcePhotos").as_deref(),
        Some("OfxParamStringIsDirectoryPath")
    );
    assert_eq!(
        mode("identityInfo").as_deref(),
        Some("OfxParamStringIsLabel")
    );
}

#[test]
fn parameters_carry_ranges_labels_and_animation_hosts_need() {
    for plugin in [FACE_BLEND, FACE_SWAP] {
        let d = host(HostProfile::Resolve)
            .describe(plugin)
            .expect("describe");
        assert!(!d.params.is_empty());
        for (id, param) in &d.params {
            check_param(id, param);
        }
    }
}

fn check_param(id: &str, param: &doppel_host::ParamDescription) {
    let p = &param.props;
    let label = p.string("OfxPropLabel").unwrap_or_default();
    assert!(
        !label.is_empty() && !label.contains('-'),
        "{id}: label {label:?} (Nuke rejects '-')"
    );
    let kind = param.param_type.as_str();
    if matches!(
        kind,
        "OfxParamTypeDouble" | "OfxParamTypeInteger" | "OfxParamTypeDouble2D"
    ) {
        for bound in [
            "OfxParamPropMin",
            "OfxParamPropMax",
            "OfxParamPropDisplayMin",
            "OfxParamPropDisplayMax",
        ] {
            assert!(
                p.has(bound),
                "{id}: {bound} missing (Resolve clamps to (-1, 1) without it)"
            );
        }
        let (min, max) = (first(p, "OfxParamPropMin"), first(p, "OfxParamPropMax"));
        let (dmin, dmax) = (
            first(p, "OfxParamPropDisplayMin"),
            first(p, "OfxParamPropDisplayMax"),
        );
        assert!(
            min <= dmin && dmin < dmax && dmax <= max,
            "{id}: display range outside range"
        );
        if kind != "OfxParamTypeDouble2D" {
            let default = first(p, "OfxParamPropDefault");
            assert!(
                min <= default && default <= max,
                "{id}: default {default} outside [{min}, {max}]"
            );
        }
    }
    if matches!(kind, "OfxParamTypeChoice" | "OfxParamTypeBoolean") {
        assert_eq!(
            p.int("OfxParamPropAnimates"),
            Some(0),
            "{id}: keyframes make no sense here"
        );
    }
    if kind == "OfxParamTypeChoice" {
        let options = p.strings("OfxParamPropChoiceOption");
        let default = p.int("OfxParamPropDefault").unwrap();
        assert!(
            default >= 0 && (default as usize) < options.len(),
            "{id}: default outside options"
        );
    }
}

fn first(p: &doppel_host::PropertyDump, name: &str) -> f64 {
    p.double(name)
        .or_else(|| p.int(name).map(f64::from))
        .unwrap_or_else(|| panic!("{name} missing"))
}
