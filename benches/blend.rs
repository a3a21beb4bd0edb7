//! Face Blend benchmark: time per 1080p and 4K frame, as a ratio to a plain copy of the frame.
//!
//! Run with `cargo bench --bench blend`. Ratios, not absolute times, are what to compare: shared
//! machines drift by 20% or more between runs.

mod common;

use std::hint::black_box;

use common::median_seconds;
use doppel::blend::{blend, BlendSettings, ColourMatch, Ellipse, MaskSource};
use doppel::colour::ColourSpace;
use doppel::Frame;

/// A plate with smooth gradients and texture, and the same plate with a graded "face".
fn plates(width: usize, height: usize) -> (Frame, Frame) {
    let source = Frame::from_fn(width, height, |x, y| {
        let (u, v) = (x as f32 / width as f32, y as f32 / height as f32);
        let texture = ((x * 7 + y * 13) % 17) as f32 / 170.0;
        [
            0.2 + 0.5 * u + texture,
            0.3 + 0.3 * v,
            0.25 + 0.2 * u * v,
            1.0,
        ]
    });
    let mut face = source.clone();
    for p in face.pixels_mut() {
        *p = [p[0] * 1.15 + 0.02, p[1] * 0.95, p[2] * 0.9 + 0.03, p[3]];
    }
    (source, face)
}

fn main() {
    println!("| frame | mode | blend ms | copy ms | blend / copy |");
    println!("|---|---|---|---|---|");
    for (name, width, height, runs) in [("1080p", 1920, 1080, 9), ("4K", 3840, 2160, 5)] {
        let (source, face) = plates(width, height);
        // The plain copy a host does per frame: into a buffer it already holds.
        let mut copy_target = Frame::new(width, height);
        let copy = median_seconds(runs, || {
            copy_target
                .pixels_mut()
                .copy_from_slice(black_box(&source).pixels());
            black_box(&copy_target);
        });
        let face_size = height as f32 * 0.45;
        let base = BlendSettings {
            mask: MaskSource::Ellipse(Ellipse {
                centre: (width as f32 / 2.0, height as f32 / 2.0),
                radii: (face_size * 0.38, face_size * 0.5),
                angle_deg: 10.0,
            }),
            feather_px: 12.0,
            colour_match: ColourMatch::Reinhard,
            colour_space: ColourSpace::Srgb,
            ..BlendSettings::default()
        };
        let modes = [
            ("Reinhard + feather", base),
            (
                "Linear + feather",
                BlendSettings {
                    colour_match: ColourMatch::Linear,
                    ..base
                },
            ),
            (
                "Histogram + feather",
                BlendSettings {
                    colour_match: ColourMatch::Histogram,
                    ..base
                },
            ),
            (
                "Reinhard + Poisson",
                BlendSettings {
                    seamless: true,
                    ..base
                },
            ),
        ];
        for (mode, settings) in modes {
            let time = median_seconds(runs, || {
                black_box(blend(&source, &face, None, &settings).expect("blend"));
            });
            println!(
                "| {name} | {mode} | {:.1} | {:.1} | {:.1}× |",
                time * 1e3,
                copy * 1e3,
                time / copy
            );
        }
    }
}
