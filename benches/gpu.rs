//! The GPU path against the CPU path, side by side in one run: Face Swap's time per frame and
//! overhead ratio R = (T_frame − T_model) / T_model (T_model = time inside ONNX Runtime, median
//! of 20 frames after 3 warm-ups, one face, the 0.96 GFLOP stand-in swapper), and Face Blend's
//! time per frame (Reinhard + feather, and with Poisson), at 1080p and 4K.
//!
//! Run with `cargo bench --bench gpu` after `scripts/assets.sh`; the adapter is named in the
//! output (lavapipe, the software Vulkan driver, is far slower than a GPU: it measures that the
//! path runs, not its speed). `DOPPEL_GPU=off` shows the CPU columns only.

mod common;

use common::{engine, median_seconds, photo, plate, swap_time};
use doppel::blend::{blend, BlendSettings, ColourMatch, Ellipse, MaskSource};
use doppel::gpu::ops::GpuOps;
use doppel::swap::paste::CpuOps;
use doppel::Frame;

fn main() {
    let photo = photo();
    let gpu = doppel::gpu::context();
    println!(
        "GPU: {}",
        gpu.map_or("none (CPU columns only)".to_owned(), |g| g.adapter.clone())
    );
    let engine = engine("per_identity_128_1gf.onnx");
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
            let cpu = median_seconds(7, || {
                blend(&frame, &face, None, &settings).unwrap();
            });
            let on_gpu = gpu.map(|g| {
                median_seconds(7, || {
                    doppel::gpu::blend::blend_towards(g, &frame, &face, None, &settings, None)
                        .unwrap();
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
