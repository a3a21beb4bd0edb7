//! The host's checks, seen firing: a small C plugin (tests/probe/probe.c, built here with the
//! system C compiler) misbehaves in one chosen way per value of its "mode" parameter.

mod common;

use common::bundle;
use doppel_host::*;

const ID: &str = "org.doppel.test.Probe";

fn plate(t: usize) -> HostImage {
    HostImage::from_fn(8, 4, |x, y| {
        [x as f32 * 0.1, y as f32 * 0.1, t as f32 * 0.1, 1.0]
    })
}

fn instance(host: &Host) -> Instance {
    let frames: Vec<HostImage> = (0..10).map(plate).collect();
    host.create_instance(ID, "filter", Clips::new().with("Source", frames))
        .unwrap()
}

/// Renders frame 3 in `mode`; returns the result and the instance's violations.
fn run(
    profile: HostProfile,
    mode: i32,
) -> (
    Result<HostImage, RenderFailure>,
    Vec<String>,
    Instance,
    Host,
) {
    let host = Host::load(bundle(), profile).unwrap();
    let inst = instance(&host);
    inst.set_value("mode", ParamValue::Int(mode)).unwrap();
    let r = inst.render(3.0, &RenderOptions::default());
    let v = inst.violations();
    (r, v, inst, host)
}

fn has(violations: &[String], needle: &str) -> bool {
    violations.iter().any(|v| v.contains(needle))
}

#[test]
fn clean_renders_are_clean_in_every_profile() {
    for profile in [
        HostProfile::Generic,
        HostProfile::Nuke,
        HostProfile::Resolve,
    ] {
        let (r, v, inst, host) = run(profile, 0);
        let img = r.unwrap();
        assert_eq!(img, plate(3), "{profile:?}");
        assert!(v.is_empty(), "{profile:?}: {v:?}");
        inst.set_value("gain", ParamValue::Double(2.0)).unwrap();
        let layout = ImageLayout {
            row_order: RowOrder::TopDown,
            row_padding_bytes: 20,
            origin: (3, -2),
        };
        let opts = RenderOptions {
            layout,
            ..RenderOptions::default()
        };
        let img = inst.render(3.0, &opts).unwrap();
        let expect = HostImage::from_fn(8, 4, |x, y| {
            let p = plate(3).get(x, y);
            [p[0] * 2.0, p[1] * 2.0, p[2] * 2.0, 1.0]
        });
        assert!(
            img.max_abs_diff(&expect) < 1e-6,
            "{profile:?} {img:?} {:?}",
            inst.violations()
        );
        assert!(inst.violations().is_empty() && host.violations().is_empty());
    }
}

#[test]
fn defaults_follow_coordinate_systems_and_profiles() {
    for profile in [
        HostProfile::Generic,
        HostProfile::Nuke,
        HostProfile::Resolve,
    ] {
        let host = Host::load(bundle(), profile).unwrap();
        let inst = instance(&host);
        // normalised XYAbsolute: times the project size (8 x 4); Resolve then clamps it to
        // (-1, 1) as the parameter declares no range
        let centre = inst.value_at("centre", 0.0).unwrap();
        match profile {
            HostProfile::Resolve => assert_eq!(centre, ParamValue::Double2D(1.0, 1.0)),
            _ => assert_eq!(centre, ParamValue::Double2D(4.0, 1.0)),
        }
        let corner = inst.value_at("corner", 0.0).unwrap();
        let unranged = inst.value_at("unranged", 0.0).unwrap();
        match profile {
            // Nuke: XY defaults normalised unless the plugin says otherwise
            HostProfile::Nuke => assert_eq!(corner, ParamValue::Double2D(4.0, 2.0)),
            _ => assert_eq!(corner, ParamValue::Double2D(0.5, 0.5)),
        }
        match profile {
            // Resolve: no range and display range declared: clamped to (-1, 1)
            HostProfile::Resolve => assert_eq!(unranged, ParamValue::Double(1.0)),
            _ => assert_eq!(unranged, ParamValue::Double(5.0)),
        }
    }
}

#[test]
fn leaked_and_double_released_images() {
    let (_, v, ..) = run(HostProfile::Generic, 1);
    assert!(has(&v, "not released by the end"), "{v:?}");
    let (_, v, ..) = run(HostProfile::Generic, 2);
    assert!(has(&v, "released twice"), "{v:?}");
}

#[test]
fn frames_outside_frames_needed() {
    let (r, v, ..) = run(HostProfile::Nuke, 3);
    assert!(r.is_ok());
    assert!(
        has(&v, "outside the frames declared in GetFramesNeeded"),
        "{v:?}"
    );
    let (_, v, ..) = run(HostProfile::Nuke, 10);
    assert!(v.is_empty(), "t + 1 is declared: {v:?}");
}

#[test]
fn wrong_property_types_and_stray_writes() {
    let (_, v, ..) = run(HostProfile::Generic, 4);
    assert!(
        has(&v, "int property 'OfxImagePropRowBytes' as double"),
        "{v:?}"
    );
    let (_, v, ..) = run(HostProfile::Generic, 6);
    assert!(has(&v, "guard words"), "{v:?}");
}

#[test]
fn failures_carry_the_plugins_message() {
    let (r, _, inst, _h) = run(HostProfile::Nuke, 5);
    let f = r.unwrap_err();
    assert_eq!(f.status, 1);
    assert_eq!(f.message.unwrap().1, "probe failed on purpose");
    assert!(inst.persistent_message().is_some());
    // Resolve: V2 has no persistent messages, the plugin falls back to V1; the failure still
    // carries the error it posted.
    let (r, _, inst, _h) = run(HostProfile::Resolve, 5);
    assert_eq!(r.unwrap_err().message.unwrap().1, "probe failed on purpose");
    assert!(inst.persistent_message().is_none());
}

#[test]
fn stale_error_messages_after_good_renders() {
    let (r, v, ..) = run(HostProfile::Nuke, 7);
    assert!(r.is_ok());
    assert!(has(&v, "Nuke shows the node in error"), "{v:?}");
    let (_, v, ..) = run(HostProfile::Resolve, 7);
    assert!(v.is_empty(), "{v:?}");
}

#[test]
fn parameters_during_render() {
    let (_, v, ..) = run(HostProfile::Generic, 8);
    assert!(has(&v, "may not change while rendering"), "{v:?}");
    let host = Host::load(bundle(), HostProfile::Generic).unwrap();
    let inst = instance(&host);
    inst.set_value("mode", ParamValue::Int(12)).unwrap();
    inst.set_key("gain", 0.0, ParamValue::Double(1.0)).unwrap();
    inst.set_key("gain", 9.0, ParamValue::Double(2.0)).unwrap();
    inst.render(3.0, &RenderOptions::default()).unwrap();
    assert!(
        has(&inst.violations(), "use paramGetValueAtTime"),
        "{:?}",
        inst.violations()
    );
}

#[test]
fn printf_messages_and_plugin_edits() {
    let (r, v, inst, _h) = run(HostProfile::Resolve, 9);
    assert!(r.is_ok() && v.is_empty(), "{v:?}");
    let m = inst.messages();
    assert!(
        m.contains(&("OfxMessageWarning".into(), "label start, mode 9".into())),
        "{m:?}"
    );
    inst.set_value("flag", ParamValue::Bool(true)).unwrap();
    assert_eq!(
        inst.value_at("label", 0.0).unwrap(),
        ParamValue::String("flagged".into())
    );
}

#[test]
fn optional_clips_without_media() {
    // Resolve reports the clip connected, then gives no image; elsewhere it is not connected.
    for profile in [HostProfile::Resolve, HostProfile::Generic] {
        let (r, v, ..) = run(profile, 11);
        let f = r.unwrap_err();
        assert_eq!(f.message.unwrap().1, "Aux gave no image", "{profile:?}");
        assert!(v.is_empty(), "{v:?}");
    }
}

#[test]
fn thumbnails_and_sequences() {
    let host = Host::load(bundle(), HostProfile::Resolve).unwrap();
    let inst = instance(&host);
    let thumb = inst.render(2.0, &RenderOptions::thumbnail(0.5)).unwrap();
    assert_eq!((thumb.width, thumb.height), (4, 2));
    let frames = inst.render_sequence(&[4.0, 1.0, 7.0], &RenderOptions::default());
    for (f, t) in frames.into_iter().zip([4, 1, 7]) {
        assert_eq!(f.unwrap(), plate(t));
    }
    assert!(inst.violations().is_empty(), "{:?}", inst.violations());
}
