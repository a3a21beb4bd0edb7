//! The GPU path against the CPU path, side by side in one run: Face Swap's time per frame and
//! overhead ratio R = (T_frame − T_model) / T_model (T_model = time inside ONNX Runtime, median
//! of 20 frames after 3 warm-ups, one face, the 0.96 GFLOP stand-in swapper), and Face Blend's
//! time per frame (Reinhard + feather, and with Poisson), at 1080p and 4K.
//!
//! Run with `cargo bench --bench gpu` after `scripts/assets.sh`; the adapter is named in the
//! output (lavapipe, the software Vulkan driver, is far slower than a GPU: it measures that the
//! path runs, not its speed). `DOPPEL_GPU=off` shows the CPU columns only.

use std::path::PathBuf;
use std::time::Instant;

use doppel::blend::{blend, BlendSettings, ColourMatch, Ellipse, MaskSource};
use doppel::colour::ColourSpace;
use doppel::gpu::ops::GpuOps;
use doppel::quality::synthetic_plate;
use doppel::swap::engine::{EngineConfig, SwapEngine};
use doppel::swap::mask::BoxMask;
use doppel::swap::paste::{CpuOps, PasteSettings, PixelOps};
use doppel::swap::select::FaceSelection;
use doppel::swap::{swap_frame, PixelBoost, SwapOutput, SwapSettings};
use doppel::Frame;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The astronaut's photo in the middle of a textured plate of the given size.
fn plate(width: usize, height: usize, photo: &Frame) -> Frame {
    let mut frame = synthetic_plate(width, height, 1);
    let (x0, y0) = ((width - photo.width()) / 2, (height - photo.height()) / 2);
    for y in 0..photo.height() {
        frame.row_mut(y0 + y)[x0..x0 + photo.width()].copy_from_slice(photo.row(y));
    }
    frame
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Median (seconds per frame, seconds in ONNX Runtime) of 20 frames after 3 warm-ups.
fn swap_time(frame: &Frame, engine: &SwapEngine, ops: &dyn PixelOps) -> (f64, f64) {
    let settings = SwapSettings {
        selection: FaceSelection::Largest,
        pixel_boost: PixelBoost::Off,
        box_mask: BoxMask::default(),
        learned_masks: true,
        paste: PasteSettings {
            colour_match: ColourMatch::Reinhard,
            strength: 1.0,
            colour_space: ColourSpace::Srgb,
        },
        output: SwapOutput::Composite,
    };
    let finder = engine.finder(engine.detect_settings(0.5, 0.0));
    let swapper = engine.swapper(0.5, 0.75);
    let mut samples = Vec::new();
    for i in 0..23 {
        doppel::runtime::take_model_time();
        let start = Instant::now();
        let (_, report) = swap_frame(frame, &finder, &swapper, ops, &settings).expect("swap");
        let total = start.elapsed().as_secs_f64();
        let model = doppel::runtime::take_model_time().as_secs_f64();
        assert_eq!(report.faces_swapped, 1, "the benchmark face must be found");
        if i >= 3 {
            samples.push((total, model));
        }
    }
    samples.sort_by(|a, b| a.0.total_cmp(&b.0));
    samples[samples.len() / 2]
}

fn blend_time(f: impl Fn() -> Frame) -> f64 {
    f();
    median(
        (0..7)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed().as_secs_f64()
            })
            .collect(),
    )
}

fn main() {
    let assets = root().join(".cache/assets");
    doppel::runtime::set_library_path(&assets.join("libonnxruntime.so.1.31.1"));
    let image = image::open(assets.join("astronaut.png"))
        .expect("run scripts/assets.sh")
        .to_rgba32f();
    let photo = Frame::from_pixels(512, 512, image.pixels().map(|p| p.0).collect()).unwrap();
    let gpu = doppel::gpu::context();
    println!(
        "GPU: {}",
        gpu.map_or("none (CPU columns only)".to_owned(), |g| g.adapter.clone())
    );
    let config = EngineConfig {
        identity: Some(root().join("tests/models/cost/per_identity_128_1gf.onnx")),
        detector: Some(assets.join("centerface.onnx")),
        cpu_only: true,
        ..EngineConfig::default()
    };
    let engine = SwapEngine::get(&config).expect("engine");
    println!("| frame | step | CPU ms | GPU ms | CPU R | GPU R |");
    println!("|---|---|---|---|---|---|");
    for (name, w, h) in [("1080p", 1920, 1080), ("4K", 3840, 2160)] {
        let frame = plate(w, h, &photo);
        let (cpu, cpu_model) = swap_time(&frame, &engine, &CpuOps);
        let r = |t: f64, m: f64| (t - m) / m;
        let gpu_cells = gpu.map(|g| swap_time(&frame, &engine, &GpuOps::new(g, &frame)));
        let (gpu_ms, gpu_r) = gpu_cells.map_or(("–".into(), "–".into()), |(t, m)| {
            (format!("{:.1}", t * 1e3), format!("{:.2}", r(t, m)))
        });
        println!(
            "| {name} | Face Swap | {:.1} | {gpu_ms} | {:.2} | {gpu_r} |",
            cpu * 1e3,
            r(cpu, cpu_model)
        );
        let face = Frame::from_fn(w, h, |x, y| {
            let p = frame.pixel(x, y);
            [p[0] * 1.12 + 0.03, p[1] * 0.96, p[2] * 0.88 + 0.01, p[3]]
        });
        for (step, seamless) in [
            ("Face Blend, Reinhard", false),
            ("Face Blend, Poisson", true),
        ] {
            let settings = BlendSettings {
                mask: MaskSource::Ellipse(Ellipse {
                    centre: (w as f32 / 2.0, h as f32 / 2.0),
                    radii: (110.0, 150.0),
                    angle_deg: 0.0,
                }),
                feather_px: 12.0,
                colour_match: ColourMatch::Reinhard,
                seamless,
                ..BlendSettings::default()
            };
            let cpu = blend_time(|| blend(&frame, &face, None, &settings).unwrap());
            let on_gpu = gpu.map(|g| {
                blend_time(|| {
                    doppel::gpu::blend::blend_towards(g, &frame, &face, None, &settings, None)
                        .unwrap()
                })
            });
            println!(
                "| {name} | {step} | {:.1} | {} | | |",
                cpu * 1e3,
                on_gpu.map_or("–".into(), |t| format!("{:.1}", t * 1e3))
            );
        }
    }
}
