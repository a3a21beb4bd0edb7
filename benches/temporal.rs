//! Face Swap's temporal window, on versus off, through the test host: the cost per frame of a
//! 1080p clip with the window off (radius 0), on (default radius) in sequential order, and on in
//! shuffled order. The host serves frames from its frame cache (as Resolve and Nuke do), so the
//! figures are the plugin's own cost; detection is CenterFace and the swapper the 0.96 GFLOP
//! stand-in (the cheapest model: the window's overhead shows most).
//!
//! Run with `cargo bench --bench temporal` after `scripts/assets.sh`. Ratios, not absolute times,
//! are what to compare (quality.md): target in sequential order ≤ 1.2× of off.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use doppel_host::{Clips, HostImage, HostProfile, Instance, ParamValue, RenderOptions};

const FRAMES: usize = 40;
const RADIUS: i32 = 6;

/// Frame t: the astronaut's photo on a grey-blue plate, moving 1 px right per frame, with
/// per-pixel noise so that every frame differs.
fn frame(photo: &HostImage, t: usize) -> HostImage {
    let (x0, y0) = (600 + t, 300);
    HostImage::from_fn(1920, 1080, |x, y| {
        let n = ((x * 7919 + y * 104_729 + t * 1_299_709) % 1013) as f32 / 1013.0 - 0.5;
        let base = if (x0..x0 + photo.width).contains(&x) && (y0..y0 + photo.height).contains(&y) {
            photo.get(x - x0, y - y0)
        } else {
            [0.35, 0.4, 0.45, 1.0]
        };
        [
            base[0] + n * 0.01,
            base[1] + n * 0.01,
            base[2] + n * 0.01,
            1.0,
        ]
    })
}

fn swap(frames: Arc<Vec<HostImage>>) -> Instance {
    let host = common::host(HostProfile::Generic);
    let clips = Clips::new().with_cached("Source", frames, 4 << 30);
    let instance = host
        .create_instance("com.doppel.FaceSwap", "OfxImageEffectContextFilter", clips)
        .expect("create Face Swap");
    let model =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/models/cost/per_identity_128_1gf.onnx");
    for (id, value) in [
        ("identity", ParamValue::String(model.display().to_string())),
        ("colourSpace", ParamValue::Choice(1)),
        ("pixelBoost", ParamValue::Choice(0)),
        ("device", ParamValue::Choice(1)),
    ] {
        instance.set_value(id, value).expect("set a parameter");
    }
    instance
}

/// Renders `order` with the given radius and detection threshold (a threshold not used before
/// gives analyses the plugin has not cached) as one batch render; seconds per frame.
fn pass(instance: &Instance, order: &[usize], radius: i32, threshold: f64) -> Vec<f64> {
    instance
        .set_value("temporalRadius", ParamValue::Int(radius))
        .expect("radius");
    instance
        .set_value("detectThreshold", ParamValue::Double(threshold))
        .expect("threshold");
    // One batch sequence, as a render queue sends it; each frame timed from the previous one.
    let times: Vec<f64> = order.iter().map(|&t| t as f64).collect();
    let mut out = Vec::with_capacity(order.len());
    let mut last = Instant::now();
    instance.render_sequence_each(&times, &RenderOptions::default(), |_, result| {
        result.expect("render");
        out.push(last.elapsed().as_secs_f64());
        last = Instant::now();
        true
    });
    out
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s[s.len() / 2]
}

fn main() {
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/assets");
    let photo = HostImage::load(&assets.join("astronaut.png")).expect("run scripts/assets.sh");
    let frames = Arc::new((0..FRAMES).map(|t| frame(&photo, t)).collect::<Vec<_>>());
    let instance = swap(frames);
    let sequential: Vec<usize> = (0..FRAMES).collect();
    // A fixed shuffle (LCG), so runs compare.
    let mut shuffled = sequential.clone();
    let mut state = 12_345u64;
    for i in (1..shuffled.len()).rev() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        shuffled.swap(i, (state >> 33) as usize % (i + 1));
    }
    // Warm-up: loads the models and fills the host's frame cache (other analysis settings).
    pass(&instance, &sequential, RADIUS, 0.51);
    let off = pass(&instance, &sequential, 0, 0.5);
    let on = pass(&instance, &sequential, RADIUS, 0.5);
    let random = pass(&instance, &shuffled, RADIUS, 0.49);
    let base = mean(&off);
    println!("1080p, {FRAMES} frames, radius {RADIUS}, CenterFace + 0.96 GFLOP stand-in, CPU");
    println!("| window | order | mean ms/frame | median ms/frame | × off (mean) |");
    println!("|---|---|---|---|---|");
    for (name, order, times) in [
        ("off", "sequential", &off),
        ("on", "sequential", &on),
        ("on", "shuffled", &random),
    ] {
        println!(
            "| {name} | {order} | {:.1} | {:.1} | {:.2} |",
            mean(times) * 1e3,
            median(times) * 1e3,
            mean(times) / base
        );
    }
}
