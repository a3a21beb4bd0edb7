//! GPU path tests: every shader, as its pipeline composes it, validates with naga (no adapter
//! needed), and each pipeline matches its CPU twin on the adapter the machine has (lavapipe in
//! CI). Without an adapter the GPU comparisons are skipped with a note, unless
//! `DOPPEL_REQUIRE_GPU=1` (CI sets it), where a missing adapter fails. Also the fixtures the
//! `tests_*` files share.

use super::colour_convert::{self, Direction};
use super::{context, Gpu, GpuFrame, Uniforms};
use crate::blend::{Ellipse, MaskSource};
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

/// A deterministic hash of `(x, y, salt)` in [0, 1).
pub(crate) fn hash(x: usize, y: usize, salt: u64) -> f32 {
    let mut h = (x as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (y as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
        ^ salt.wrapping_mul(0x1656_67B1_9E37_79F9);
    h ^= h >> 29;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^= h >> 32;
    (h >> 40) as f32 / (1u64 << 24) as f32
}

/// A rotated ellipse mask over most of a `w × h` frame.
pub(crate) fn ellipse(w: usize, h: usize) -> MaskSource {
    MaskSource::Ellipse(Ellipse {
        centre: (w as f32 * 0.48, h as f32 * 0.52),
        radii: (w as f32 * 0.3, h as f32 * 0.36),
        angle_deg: 20.0,
    })
}

/// Records `record` on a fresh encoder and submits it; returns what `record` made.
pub(crate) fn run<T>(gpu: &Gpu, record: impl FnOnce(&mut wgpu::CommandEncoder) -> T) -> T {
    let mut encoder = gpu.encoder();
    let out = record(&mut encoder);
    gpu.submit(encoder);
    out
}

/// Largest absolute difference of two planes of one size.
pub(crate) fn plane_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
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

/// Every pipeline's composed shader source (see the module doc of `gpu`), by shader name.
const SOURCES: [(&str, &str); 17] = [
    ("blur", super::blur::SOURCE),
    ("boost", super::boost::SOURCE),
    ("colour_apply", super::colour_apply::SOURCE),
    ("colour_convert", super::colour_convert::SOURCE),
    ("colour_stats", super::colour_stats::SOURCE),
    ("composite", super::composite::SOURCE),
    ("face_outline", super::face_outline::SOURCE),
    ("mask_box", super::mask_box::SOURCE),
    ("mask_shapes", super::mask_shapes::SOURCE),
    ("morphology", super::morphology::SOURCE),
    ("multigrid", super::multigrid::SOURCE),
    ("poisson", super::poisson::SOURCE),
    ("quantiles", super::quantiles::SOURCE),
    ("reduce", super::reduce::SOURCE),
    ("region", super::region::SOURCE),
    ("tensor", super::tensor::SOURCE),
    ("warp", super::warp::SOURCE),
];

/// The libraries a shader's `// uses: lib/a.wgsl, lib/b.wgsl` line names, in order.
fn uses(shader: &str) -> Vec<&str> {
    shader
        .lines()
        .take_while(|l| l.starts_with("//"))
        .filter_map(|l| l.strip_prefix("// uses:"))
        .flat_map(|l| l.split(','))
        .map(str::trim)
        .collect()
}

#[test]
fn every_shader_validates_with_naga() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("shaders/{name}: {e}"))
    };
    let mut checked = 0;
    let mut used = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("shaders/") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "wgsl") {
            continue;
        }
        // One shader, one pipeline file of the same name, whose source is the libraries the
        // shader says it uses, then the shader.
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let own = read(&format!("{stem}.wgsl"));
        let source = SOURCES
            .iter()
            .find(|(name, _)| *name == stem)
            .unwrap_or_else(|| panic!("{stem}.wgsl has no src/gpu/{stem}.rs in SOURCES"))
            .1;
        let libs = uses(&own);
        let composed: String = libs
            .iter()
            .map(|lib| read(lib))
            .chain([own.clone()])
            .collect();
        assert!(
            source == composed,
            "src/gpu/{stem}.rs's SOURCE is not {libs:?} + {stem}.wgsl"
        );
        used.extend(libs.iter().map(|l| l.to_string()));
        let module = naga::front::wgsl::parse_str(source)
            .unwrap_or_else(|e| panic!("{stem}: {}", e.emit_to_string(source)));
        naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::default(),
        )
        .validate(&module)
        .unwrap_or_else(|e| panic!("{stem}: {}", e.emit_to_string(source)));
        checked += 1;
    }
    assert_eq!(checked, SOURCES.len(), "a SOURCES entry without its shader");
    // Libraries are not shaders on their own: each is validated as part of its users.
    for entry in std::fs::read_dir(dir.join("lib")).expect("shaders/lib/") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        assert!(
            used.contains(&format!("lib/{name}")),
            "shaders/lib/{name} is used by no shader"
        );
    }
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

#[test]
fn bind_groups_are_reused_for_the_same_bindings() {
    let Some(gpu) = gpu_or_skip("bind_groups_are_reused_for_the_same_bindings") else {
        return;
    };
    let kernel = gpu.kernel(colour_convert::SOURCE, "convert");
    let frame = GpuFrame::new(gpu, 16, 16);
    let other = GpuFrame::new(gpu, 16, 16);
    let uniforms = |n| Uniforms::new().u32(n).u32(0);
    let first = gpu.bind_group(&kernel, &uniforms(256), &[frame.buffer()]);
    assert!(first == gpu.bind_group(&kernel, &uniforms(256), &[frame.buffer()]));
    assert!(first != gpu.bind_group(&kernel, &uniforms(255), &[frame.buffer()]));
    assert!(first != gpu.bind_group(&kernel, &uniforms(256), &[other.buffer()]));
}
