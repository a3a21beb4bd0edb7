//! Shared by the benchmarks: the astronaut plate, the stand-in swap engine and its settings, the
//! timing of a swapped frame (median of 20 after 3 warm-ups, as quality.md defines it), and the
//! median time of any step.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use doppel::blend::ColourMatch;
use doppel::colour::ColourSpace;
use doppel::quality::synthetic_plate;
use doppel::swap::engine::{EngineConfig, SwapEngine};
use doppel::swap::mask::BoxMask;
use doppel::swap::paste::{PasteSettings, PixelOps};
use doppel::swap::select::FaceSelection;
use doppel::swap::{swap_frame, PixelBoost, SwapOutput, SwapSettings};
use doppel::Frame;

/// The repository (`DOPPEL_ROOT` where the binary runs from a copy elsewhere, as on the device
/// machine of `scripts/device_check.sh`).
pub fn root() -> PathBuf {
    std::env::var_os("DOPPEL_ROOT")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
}

/// Where `scripts/assets.sh` puts ONNX Runtime, the detector and the astronaut's photo
/// (`DOPPEL_ASSETS` for another folder: `scripts/assets_gpu.sh`'s, for the CUDA provider).
pub fn assets() -> PathBuf {
    std::env::var_os("DOPPEL_ASSETS").map_or_else(|| root().join(".cache/assets"), PathBuf::from)
}

/// The CPU engine of a stand-in swapper of known cost (`model` in tests/models/cost) with the
/// bundled CenterFace detector; ONNX Runtime is the one in [`assets`], on the CPU unless
/// `DOPPEL_BENCH_PROVIDERS=auto` lets it take a GPU provider (CUDA, TensorRT) it has.
pub fn engine(model: &str) -> Arc<SwapEngine> {
    doppel::runtime::set_library_path(&assets().join("libonnxruntime.so.1.31.1"));
    let config = EngineConfig {
        identity: Some(root().join("tests/models/cost").join(model)),
        detector: Some(assets().join("centerface.onnx")),
        cpu_only: std::env::var("DOPPEL_BENCH_PROVIDERS").as_deref() != Ok("auto"),
        ..EngineConfig::default()
    };
    SwapEngine::get(&config).expect("engine")
}

/// The astronaut's 512 px photo.
pub fn photo() -> Frame {
    load_png(&assets().join("astronaut.png"))
}

pub fn load_png(path: &Path) -> Frame {
    let image = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e} (run scripts/assets.sh)", path.display()))
        .to_rgba32f();
    let (w, h) = image.dimensions();
    let pixels = image.pixels().map(|p| p.0).collect();
    Frame::from_pixels(w as usize, h as usize, pixels).expect("size")
}

/// The astronaut's 512 px photo in the middle of a textured plate of the given size.
pub fn plate(width: usize, height: usize, photo: &Frame) -> Frame {
    let mut frame = synthetic_plate(width, height, 1);
    let (x0, y0) = ((width - photo.width()) / 2, (height - photo.height()) / 2);
    for y in 0..photo.height() {
        frame.row_mut(y0 + y)[x0..x0 + photo.width()].copy_from_slice(photo.row(y));
    }
    frame
}

/// The swap the benchmarks time: the largest face, Reinhard in sRGB, learned masks, no boost.
pub fn swap_settings() -> SwapSettings {
    SwapSettings {
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
    }
}

/// Median (seconds per frame, seconds in ONNX Runtime) of 20 swaps of `frame` after 3 warm-ups.
pub fn swap_time(frame: &Frame, engine: &SwapEngine, ops: &dyn PixelOps) -> (f64, f64) {
    let settings = swap_settings();
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

/// Median seconds of `runs` calls of `f`, after one warm-up call.
pub fn median_seconds(runs: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}
