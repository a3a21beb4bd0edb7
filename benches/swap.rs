//! Face Swap overhead benchmark: R = (T_frame − T_model) / T_model at 1080p and 4K, where
//! T_model is the time spent inside ONNX Runtime (detector and swapper) during the frame, with
//! stand-in swappers of known cost (tests/models/cost: 0.96 and 3.85 GFLOPs).
//!
//! Run with `cargo bench --bench swap` after `scripts/assets.sh`. Median of 20 frames after 3
//! warm-ups, as quality.md defines it; ratios, not absolute times, are what to compare.

mod common;

use common::{engine, photo, plate, swap_time};
use doppel::swap::paste::CpuOps;

fn main() {
    let photo = photo();
    println!("| frame | stand-in swapper | T_frame ms | T_model ms | R |");
    println!("|---|---|---|---|---|");
    for model in ["per_identity_128_1gf.onnx", "per_identity_256_4gf.onnx"] {
        let engine = engine(model);
        for (name, w, h) in [("1080p", 1920, 1080), ("4K", 3840, 2160)] {
            let frame = plate(w, h, &photo);
            let (total, model_time) = swap_time(&frame, &engine, &CpuOps);
            let ratio = (total - model_time) / model_time;
            println!(
                "| {name} | {model} | {:.1} | {:.1} | {ratio:.2} |",
                total * 1e3,
                model_time * 1e3
            );
        }
    }
}
