//! Face Swap's temporal window through the test host: GetFramesNeeded declares t − k − 1 …
//! t + k + 1 and the render stays inside it, any render order (and a second instance) gives
//! bit-identical frames, radius 0 is the per-frame swap, and thumbnails read only their frame.
//! Four threads and render-farm chunks (fresh processes) give the same frames too. The clip is
//! the astronaut moving 1 px per frame, swapped by the committed stand-in model.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::moving::*;
use common::*;
use doppel_host::{ClipSource, Clips, HostImage, HostProfile, Instance, ParamValue, RenderOptions};

const FACE_SWAP: &str = "com.doppel.FaceSwap";
const FILTER: &str = "OfxImageEffectContextFilter";

fn instance(source: Arc<dyn ClipSource>, radius: i32) -> Instance {
    instance_in(HostProfile::Generic, source, radius)
}

fn instance_in(profile: HostProfile, source: Arc<dyn ClipSource>, radius: i32) -> Instance {
    let instance = host(profile)
        .create_instance(FACE_SWAP, FILTER, Clips::new().with_arc("Source", source))
        .expect("create a Face Swap instance");
    let identity = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/models/per_identity/per_identity_128.onnx");
    for (id, value) in [
        (
            "identity",
            ParamValue::String(identity.display().to_string()),
        ),
        ("colourSpace", ParamValue::Choice(1)),
        ("colourMatch", ParamValue::Choice(0)),
        ("pixelBoost", ParamValue::Choice(0)),
        ("temporalRadius", ParamValue::Int(radius)),
    ] {
        instance
            .set_value(id, value)
            .unwrap_or_else(|e| panic!("set {id}: {e}"));
    }
    instance
}

#[test]
fn the_window_is_declared_and_read_without_violations() {
    let clip = Recorded::moving();
    let swap = instance(clip.clone(), 6);
    assert_eq!(
        swap.value_at("temporalRadius", 0.0).unwrap(),
        ParamValue::Int(6)
    );
    let out = render(&swap, 5, &plain());
    // Exactly the declared 5 − 7 … 5 + 7 (the host has no image outside 0 … 11).
    assert_eq!(clip.take(), (-2..=12).collect::<Vec<_>>());
    assert!(host(HostProfile::Generic).violations().is_empty());
    assert!(
        out.max_abs_diff(&frame(5)) > 0.01,
        "the face was swapped at frame 5"
    );
    // Near the clip's start the missing frames only shorten the window.
    let first = render(&swap, 0, &plain());
    assert_eq!(clip.take(), (-7..=7).collect::<Vec<_>>());
    assert!(first.max_abs_diff(&frame(0)) > 0.01, "frame 0 was swapped");
}

#[test]
fn any_render_order_and_instance_gives_bit_identical_frames() {
    let clip = Recorded::moving();
    let swap = instance(clip.clone(), 6);
    let forward = render_all(&swap);
    assert_clean(&swap);
    for (t, out) in forward.iter().enumerate() {
        assert!(out.max_abs_diff(&frame(t)) > 0.01, "frame {t} was swapped");
    }
    let reverse: Vec<usize> = (0..FRAMES).rev().collect();
    let shuffled = [7, 2, 11, 0, 5, 9, 3, 10, 1, 8, 6, 4];
    let other = instance(Recorded::moving(), 6);
    for (name, instance, order) in [
        ("reverse", &swap, &reverse[..]),
        ("shuffled", &swap, &shuffled[..]),
        ("second instance", &other, &shuffled[..]),
    ] {
        for &t in order {
            let out = render(instance, t, &plain());
            assert!(
                out.pixels == forward[t].pixels,
                "{name}: frame {t} differs from the sequential render"
            );
        }
    }
}

#[test]
fn radius_zero_is_the_per_frame_swap() {
    let clip = Recorded::moving();
    let swap = instance(clip.clone(), 0);
    let out = render(&swap, 5, &plain());
    assert_eq!(clip.take(), vec![5], "only the rendered frame is read");
    // The same frame alone, as a still: exactly the per-frame result.
    let still = instance(Arc::new(frame(5)), 0);
    assert!(out.pixels == render(&still, 0, &plain()).pixels);
    // The temporal swap of a moving face is close to it, but not the same computation.
    let temporal = render(&instance(Recorded::moving(), 6), 5, &plain());
    assert!(out.max_abs_diff(&frame(5)) > 0.01);
    assert!(
        temporal.pixels != out.pixels,
        "radius 6 smooths the detections"
    );
    assert!(temporal.max_abs_diff(&out) < 0.5);
}

#[test]
fn thumbnails_read_only_their_own_frame() {
    let clip = Recorded::moving();
    let swap = instance(clip.clone(), 6);
    render(&swap, 5, &RenderOptions::thumbnail(0.25));
    assert_eq!(clip.take(), vec![5]);
    assert!(host(HostProfile::Generic).violations().is_empty());
    // Resolve flags thumbnails on the clips (kOfxImageClipPropThumbnail), not in the arguments.
    let clip = Recorded::moving();
    let swap = instance_in(HostProfile::Resolve, clip.clone(), 6);
    render(&swap, 5, &RenderOptions::thumbnail(0.25));
    assert_eq!(
        clip.take(),
        vec![5],
        "a Resolve thumbnail must not pay for the window"
    );
    assert!(host(HostProfile::Resolve).violations().is_empty());
}

/// Four instances rendering interleaved frames on four threads at once (sharing the plugin's
/// process-wide caches) give the sequential frames bit for bit.
#[test]
fn four_threads_give_the_sequential_frames() {
    let sequential = render_all(&instance(Recorded::moving(), 6));
    let clip: Arc<dyn ClipSource> = Recorded::moving();
    let threaded: Vec<(usize, HostImage)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|worker| {
                let clip = clip.clone();
                scope.spawn(move || {
                    let swap = instance(clip, 6);
                    (worker..FRAMES)
                        .step_by(4)
                        .map(|t| (t, render(&swap, t, &plain())))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("render thread"))
            .collect()
    });
    assert_eq!(threaded.len(), FRAMES);
    for (t, out) in threaded {
        assert!(
            out.pixels == sequential[t].pixels,
            "frame {t} rendered on a thread differs from the sequential render"
        );
    }
}

/// Environment of [`chunk_worker`]: the frames to render ("first,last") and where to write them.
const CHUNK_RANGE: &str = "DOPPEL_TEST_CHUNK_RANGE";
const CHUNK_OUT: &str = "DOPPEL_TEST_CHUNK_OUT";

/// Not a test on its own: a render-farm node. Run by
/// [`chunks_rendered_by_fresh_processes_give_the_sequential_frames`] in a fresh process (cold
/// plugin caches), it renders its range as one batch and writes each frame's raw bits.
#[test]
#[ignore = "a worker process of another test"]
fn chunk_worker() {
    let (Ok(range), Ok(out)) = (std::env::var(CHUNK_RANGE), std::env::var(CHUNK_OUT)) else {
        return;
    };
    let (first, last) = range.split_once(',').expect("first,last");
    let (first, last): (usize, usize) = (first.parse().unwrap(), last.parse().unwrap());
    let swap = instance(Recorded::moving(), 6);
    let times: Vec<f64> = (first..=last).map(|t| t as f64).collect();
    for (t, result) in (first..=last).zip(swap.render_sequence(&times, &plain())) {
        let image = result.expect("render");
        let bytes: Vec<u8> = image
            .pixels
            .iter()
            .flat_map(|p| p.iter().flat_map(|v| v.to_le_bytes()))
            .collect();
        std::fs::write(Path::new(&out).join(format!("{t}.f32")), bytes).expect("write");
    }
    assert_clean(&swap);
}

#[test]
fn chunks_rendered_by_fresh_processes_give_the_sequential_frames() {
    let sequential = render_all(&instance(Recorded::moving(), 6));
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("temporal_chunks");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("output folder");
    // Three farm nodes at once, each a fresh process with its own plugin caches.
    let nodes: Vec<_> = [(0, 4), (5, 8), (9, 11)]
        .iter()
        .map(|(first, last)| {
            std::process::Command::new(std::env::current_exe().expect("test binary"))
                .args(["--exact", "chunk_worker", "--ignored", "--test-threads=1"])
                .env(CHUNK_RANGE, format!("{first},{last}"))
                .env(CHUNK_OUT, &out)
                .env(BUNDLE_ENV, bundle())
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("start a worker process")
        })
        .collect();
    for mut node in nodes {
        assert!(
            node.wait().expect("worker").success(),
            "a worker process failed"
        );
    }
    for (t, expected) in sequential.iter().enumerate() {
        let bytes = std::fs::read(out.join(format!("{t}.f32")))
            .unwrap_or_else(|e| panic!("frame {t} was not rendered by a worker: {e}"));
        let pixels: Vec<u32> = bytes
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let want: Vec<u32> = expected
            .pixels
            .iter()
            .flat_map(|p| p.iter().map(|v| v.to_bits()))
            .collect();
        assert!(
            pixels == want,
            "frame {t} from its chunk differs from the sequential render"
        );
    }
}
