//! GPU path tests: every shader validates with naga (no adapter needed), and each pipeline
//! matches its CPU twin on the adapter the machine has (lavapipe in CI). Without an adapter the
//! GPU comparisons are skipped with a note, unless `DOPPEL_REQUIRE_GPU=1` (CI sets it), where a
//! missing adapter fails.

use super::colour_convert::{self, Direction};
use super::{context, Gpu, GpuFrame};
use crate::colour::{srgb_decode, srgb_encode};
use crate::Frame;

/// The shared context, or `None` (skip) on machines without an adapter.
pub(crate) fn gpu_or_skip(test: &str) -> Option<&'static Gpu> {
    let gpu = context();
    if gpu.is_none() {
        assert!(
            std::env::var("DOPPEL_REQUIRE_GPU").as_deref() != Ok("1"),
            "{test}: DOPPEL_REQUIRE_GPU=1 but no GPU adapter (install mesa-vulkan-drivers)"
        );
        eprintln!("{test}: skipped, no GPU adapter");
    }
    gpu
}

/// Largest absolute channel difference.
pub(crate) fn max_diff(a: &Frame, b: &Frame) -> f32 {
    assert_eq!(a.size(), b.size());
    a.pixels()
        .iter()
        .zip(b.pixels())
        .flat_map(|(p, q)| p.iter().zip(q).map(|(x, y)| (x - y).abs()))
        .fold(0.0, f32::max)
}

#[test]
fn every_shader_validates_with_naga() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("shaders/") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "wgsl") {
            continue;
        }
        let source = std::fs::read_to_string(&path).expect("read");
        let module = naga::front::wgsl::parse_str(&source)
            .unwrap_or_else(|e| panic!("{}: {}", path.display(), e.emit_to_string(&source)));
        naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::default(),
        )
        .validate(&module)
        .unwrap_or_else(|e| panic!("{}: {}", path.display(), e.emit_to_string(&source)));
        // One shader, one pipeline file of the same name.
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let pipeline = dir.join(format!("../src/gpu/{stem}.rs"));
        assert!(pipeline.exists(), "{stem}.wgsl has no src/gpu/{stem}.rs");
        checked += 1;
    }
    assert!(checked > 0, "no shader found in {}", dir.display());
}

/// Values over 0..1 and beyond (HDR, negative), every channel different.
fn ramp(width: usize, height: usize) -> Frame {
    Frame::from_fn(width, height, |x, y| {
        let u = (x + y * width) as f32 / (width * height) as f32;
        [u, 1.0 - u, u * 4.0 - 1.5, 0.25 + u * 0.5]
    })
}

#[test]
fn colour_conversion_matches_the_cpu() {
    let Some(gpu) = gpu_or_skip("colour_conversion_matches_the_cpu") else {
        return;
    };
    let frame = ramp(300, 200);
    for (dir, f) in [
        (Direction::Encode, srgb_encode as fn(f32) -> f32),
        (Direction::Decode, srgb_decode),
    ] {
        let on_gpu = GpuFrame::upload(gpu, &frame);
        let mut encoder = gpu.encoder();
        colour_convert::convert(gpu, &mut encoder, &on_gpu, dir);
        gpu.submit(encoder);
        let got = on_gpu.download();
        let want = Frame::from_fn(300, 200, |x, y| {
            let p = frame.pixel(x, y);
            [f(p[0]), f(p[1]), f(p[2]), p[3]]
        });
        // Relative beyond 1 (values reach 2.5 here).
        let worst = got
            .pixels()
            .iter()
            .zip(want.pixels())
            .flat_map(|(p, q)| {
                p.iter()
                    .zip(q)
                    .map(|(a, b)| (a - b).abs() / b.abs().max(1.0))
            })
            .fold(0.0, f32::max);
        assert!(worst <= 2e-6, "{dir:?}: off by {worst}");
    }
}

#[test]
fn frame_buffers_are_reused() {
    let Some(gpu) = gpu_or_skip("frame_buffers_are_reused") else {
        return;
    };
    let frame = ramp(123, 45);
    let first = GpuFrame::upload(gpu, &frame);
    assert_eq!(
        max_diff(&first.download(), &frame),
        0.0,
        "a bit-exact round trip"
    );
    let buffer = first.buffer().clone();
    drop(first);
    // Not reusable before this thread's next submit (work recorded so far may still read it).
    let waiting = GpuFrame::new(gpu, 123, 45);
    assert!(
        *waiting.buffer() != buffer,
        "a returned buffer waits for a submit"
    );
    gpu.submit(gpu.encoder());
    let second = GpuFrame::upload(gpu, &frame);
    assert!(
        *second.buffer() == buffer,
        "a frame of the same size reuses the pooled buffer"
    );
}
