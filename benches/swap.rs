//! Face Swap overhead benchmark: R = (T_frame − T_model) / T_model at 1080p and 4K, where
//! T_model is the time spent inside ONNX Runtime (detector and swapper) during the frame, with
//! stand-in swappers of known cost (tests/models/cost: 0.96 and 3.85 GFLOPs).
//!
//! Run with `cargo bench --bench swap` after `scripts/assets.sh`. Median of 20 frames after 3
//! warm-ups, as quality.md defines it; ratios, not absolute times, are what to compare.

use std::path::{Path, PathBuf};
use std::time::Instant;

use doppel::blend::ColourMatch;
use doppel::colour::ColourSpace;
use doppel::quality::synthetic_plate;
use doppel::swap::engine::{EngineConfig, SwapEngine};
use doppel::swap::mask::BoxMask;
use doppel::swap::paste::{CpuOps, PasteSettings};
use doppel::swap::select::FaceSelection;
use doppel::swap::{swap_frame, PixelBoost, SwapOutput, SwapSettings};
use doppel::Frame;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The astronaut's 512 px photo in the middle of a textured plate of the given size.
fn plate(width: usize, height: usize, photo: &Frame) -> Frame {
    let mut frame = synthetic_plate(width, height, 1);
    let (x0, y0) = ((width - photo.width()) / 2, (height - photo.height()) / 2);
    for y in 0..photo.height() {
        frame.row_mut(y0 + y)[x0..x0 + photo.width()].copy_from_slice(photo.row(y));
    }
    frame
}

fn load_png(path: &Path) -> Frame {
    let image = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e} (run scripts/assets.sh)", path.display()))
        .to_rgba32f();
    let (w, h) = image.dimensions();
    let pixels = image.pixels().map(|p| p.0).collect();
    Frame::from_pixels(w as usize, h as usize, pixels).expect("size")
}

fn main() {
    let assets = root().join(".cache/assets");
    doppel::runtime::set_library_path(&assets.join("libonnxruntime.so.1.31.1"));
    let photo = load_png(&assets.join("astronaut.png"));
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
    println!("| frame | stand-in swapper | T_frame ms | T_model ms | R |");
    println!("|---|---|---|---|---|");
    for model in ["per_identity_128_1gf.onnx", "per_identity_256_4gf.onnx"] {
        let config = EngineConfig {
            identity: Some(root().join("tests/models/cost").join(model)),
            detector: Some(assets.join("centerface.onnx")),
            cpu_only: true,
            ..EngineConfig::default()
        };
        let engine = SwapEngine::get(&config).expect("engine");
        let finder = engine.finder(engine.detect_settings(0.5, 0.0));
        let swapper = engine.swapper(0.5, 0.75);
        for (name, w, h) in [("1080p", 1920, 1080), ("4K", 3840, 2160)] {
            let frame = plate(w, h, &photo);
            let mut samples = Vec::new();
            for i in 0..23 {
                doppel::runtime::take_model_time();
                let start = Instant::now();
                let (_, report) =
                    swap_frame(&frame, &finder, &swapper, &CpuOps, &settings).expect("swap");
                let total = start.elapsed().as_secs_f64();
                let model_time = doppel::runtime::take_model_time().as_secs_f64();
                assert_eq!(report.faces_swapped, 1, "the benchmark face must be found");
                if i >= 3 {
                    samples.push((total, model_time));
                }
            }
            samples.sort_by(|a, b| a.0.total_cmp(&b.0));
            let (total, model_time) = samples[samples.len() / 2];
            let ratio = (total - model_time) / model_time;
            println!(
                "| {name} | {model} | {:.1} | {:.1} | {ratio:.2} |",
                total * 1e3,
                model_time * 1e3
            );
        }
    }
}
