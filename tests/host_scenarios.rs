//! Face Blend through the test host the way Resolve and Nuke drive it: image layouts, proxy
//! scale, render order, threads, instances, thumbnails and optional clips without images.

mod common;

use std::sync::Arc;

use common::*;
use doppel::Frame;
use doppel_host::{Clips, HostImage, HostProfile, Instance, ParamValue, RenderOptions, RowOrder};

const W: usize = 96;
const H: usize = 64;
const FRAMES: usize = 8;

/// A face plate per frame whose alpha is a soft disc: the mask then moves with the pixels.
fn faces() -> Vec<HostImage> {
    (0..FRAMES)
        .map(|t| {
            let mut face = graded(&plate(W, H, t));
            for (i, p) in face.pixels_mut().iter_mut().enumerate() {
                let (x, y) = ((i % W) as f32 - 40.0 - t as f32, (i / W) as f32 - 30.0);
                p[3] = (1.0 - ((x * x + y * y).sqrt() - 18.0) / 6.0).clamp(0.0, 1.0);
            }
            to_host(&face)
        })
        .collect()
}

fn sources() -> Vec<HostImage> {
    (0..FRAMES).map(|t| to_host(&plate(W, H, t))).collect()
}

fn instance(profile: HostProfile) -> Instance {
    let i = face_blend(
        profile,
        Clips::new().with("Source", sources()).with("Face", faces()),
    );
    i.set_value("maskFeather", ParamValue::Double(4.0)).unwrap();
    i.set_value("colourMatch", ParamValue::Choice(1)).unwrap();
    i
}

fn render_all(instance: &Instance, order: &[usize], options: &RenderOptions) -> Vec<HostImage> {
    let mut out = vec![HostImage::new(0, 0); FRAMES];
    for &t in order {
        out[t] = instance.render(t as f64, options).expect("render");
    }
    out
}

#[test]
fn every_row_layout_and_origin_gives_the_same_pixels() {
    let instance = instance(HostProfile::Resolve);
    let reference = render_all(&instance, &[0, 1, 2], &plain());
    for options in [
        layout(RowOrder::TopDown, 0, (0, 0)),
        layout(RowOrder::BottomUp, 48, (0, 0)),
        layout(RowOrder::TopDown, 16, (0, 0)),
        layout(RowOrder::BottomUp, 0, (37, -21)),
        layout(RowOrder::TopDown, 32, (-5, 12)),
    ] {
        let got = render_all(&instance, &[0, 1, 2], &options);
        for t in 0..3 {
            assert_eq!(
                got[t].pixels, reference[t].pixels,
                "frame {t} differs with {options:?}"
            );
        }
    }
    assert_clean(&instance);
}

#[test]
fn each_frame_gets_its_own_image() {
    let instance = instance(HostProfile::Nuke);
    let out = render_all(&instance, &[0, 1], &plain());
    assert!(
        max_abs_diff(&out[0], &out[1]) > 0.01,
        "frames 0 and 1 rendered alike"
    );
    // Outside the face, the output is that frame's own source.
    let src = sources();
    for t in 0..2 {
        assert_eq!(out[t].get(2, 2), src[t].get(2, 2));
    }
}

#[test]
fn order_threads_and_instances_do_not_change_frames() {
    let sequential = render_all(
        &instance(HostProfile::Resolve),
        &(0..FRAMES).collect::<Vec<_>>(),
        &plain(),
    );
    let reversed = render_all(
        &instance(HostProfile::Resolve),
        &(0..FRAMES).rev().collect::<Vec<_>>(),
        &plain(),
    );
    let shuffled = render_all(
        &instance(HostProfile::Nuke),
        &[5, 2, 7, 0, 3, 6, 1, 4],
        &plain(),
    );
    assert_eq!(sequential, reversed);
    assert_eq!(sequential, shuffled);

    let shared = Arc::new(instance(HostProfile::Resolve));
    let threads: Vec<_> = (0..4)
        .map(|k| {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || {
                (0..FRAMES)
                    .filter(|t| t % 4 == k)
                    .map(|t| {
                        (
                            t,
                            shared.render(t as f64, &plain()).expect("threaded render"),
                        )
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for handle in threads {
        for (t, image) in handle.join().expect("render thread") {
            assert_eq!(
                image, sequential[t],
                "frame {t} differs when rendered on threads"
            );
        }
    }
    assert_clean(&shared);
}

#[test]
fn half_render_scale_matches_the_full_render_downscaled() {
    let instance = face_blend(
        HostProfile::Resolve,
        Clips::new()
            .with("Source", to_host(&plate(W, H, 0)))
            .with("Face", to_host(&graded(&plate(W, H, 0)))),
    );
    // An ellipse placed in canonical coordinates must land at the same place at proxy scale.
    instance
        .set_value("maskSource", ParamValue::Choice(2))
        .unwrap();
    instance
        .set_value("ellipseCentre", ParamValue::Double2D(40.0, 34.0))
        .unwrap();
    instance
        .set_value("ellipseSize", ParamValue::Double2D(20.0, 14.0))
        .unwrap();
    instance
        .set_value("maskFeather", ParamValue::Double(6.0))
        .unwrap();
    instance
        .set_value("colourMatch", ParamValue::Choice(0))
        .unwrap();
    let full = instance.render(0.0, &plain()).expect("full");
    let half = instance
        .render(
            0.0,
            &RenderOptions {
                render_scale: 0.5,
                ..plain()
            },
        )
        .expect("half");
    assert_eq!((half.width, half.height), (W / 2, H / 2));
    let (expected, _) = full.downscale(0.5, (0, 0));
    let mean = mean_abs_diff(&to_frame(&half), &to_frame(&expected));
    assert!(
        mean < 0.004,
        "proxy render differs from the downscaled full render by {mean}"
    );
    assert_clean(&instance);
}

#[test]
fn thumbnails_render_without_failing() {
    let instance = instance(HostProfile::Resolve);
    let thumb = instance
        .render(
            3.0,
            &RenderOptions {
                render_scale: 0.25,
                thumbnail: true,
                ..plain()
            },
        )
        .expect("thumbnail");
    assert_eq!((thumb.width, thumb.height), (W / 4, H / 4));
    assert_eq!(instance.persistent_message(), None);
    assert_clean(&instance);
}

#[test]
fn optional_matte_without_image_is_a_message_and_the_untouched_source() {
    // Resolve reports the optional Matte as connected, yet gives no image.
    let source = to_host(&plate(W, H, 0));
    let instance = face_blend(
        HostProfile::Resolve,
        Clips::new()
            .with("Source", source.clone())
            .with("Face", to_host(&graded(&plate(W, H, 0)))),
    );
    instance
        .set_value("maskSource", ParamValue::Choice(1))
        .unwrap();
    let out = instance.render(0.0, &plain()).expect("render");
    assert_eq!(out, source, "the Source must pass through untouched");
    // Resolve has no persistent messages: the plugin falls back to a one-off message.
    assert_eq!(instance.persistent_message(), None);
    let messages = instance.messages();
    let (_, text) = messages.last().expect("a message for the user");
    assert!(
        text.contains("Matte"),
        "message should name the Matte input: {text}"
    );
    assert_clean(&instance);
}

fn mean_abs_diff(a: &Frame, b: &Frame) -> f64 {
    let total: f64 = a
        .pixels()
        .iter()
        .zip(b.pixels())
        .map(|(p, q)| (0..4).map(|c| f64::from((p[c] - q[c]).abs())).sum::<f64>())
        .sum();
    total / (a.pixels().len() * 4) as f64
}

#[test]
fn keyframed_mix_is_interpolated_per_frame() {
    let source = to_host(&plate(W, H, 0));
    let face = graded(&plate(W, H, 0));
    let instance = face_blend(
        HostProfile::Nuke,
        Clips::new()
            .with("Source", source.clone())
            .with("Face", to_host(&face)),
    );
    instance
        .set_value("maskSource", ParamValue::Choice(2))
        .unwrap();
    instance
        .set_value("ellipseCentre", ParamValue::Double2D(48.0, 32.0))
        .unwrap();
    instance
        .set_value("ellipseSize", ParamValue::Double2D(30.0, 20.0))
        .unwrap();
    instance
        .set_value("colourMatch", ParamValue::Choice(0))
        .unwrap();
    instance
        .set_key("mix", 0.0, ParamValue::Double(0.0))
        .unwrap();
    instance
        .set_key("mix", 4.0, ParamValue::Double(1.0))
        .unwrap();
    // At the ellipse centre the mask is 1, so the output there is source + mix·(face − source).
    let (x, y) = (48, 32);
    for (t, mix) in [(0.0, 0.0), (1.0, 0.25), (2.0, 0.5), (4.0, 1.0)] {
        let out = instance.render(t, &plain()).expect("render");
        let (s, f) = (source.get(x, y), face.pixel(x, y));
        for c in 0..3 {
            let want = s[c] + mix * (f[c] - s[c]);
            assert!(
                (out.get(x, y)[c] - want).abs() < 1e-5,
                "t {t}: channel {c} {} vs {want}",
                out.get(x, y)[c]
            );
        }
    }
    assert_clean(&instance);
}
