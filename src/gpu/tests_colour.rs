//! The colour match and Face Blend's composite on the GPU against their CPU twins: the
//! statistics alone (moments, quantile tables), then whole blends for every colour match ×
//! colour space × output, with and without a target correction, and the seamless hook.

use super::blend::{blend_towards, GpuMasks};
use super::colour_stats::{moments, Grid};
use super::quantiles::quantile_tables;
use super::tests::{ellipse, gpu_or_skip, max_diff};
use super::{Gpu, GpuFrame};
use crate::blend::gpu_twin::{cpu_statistics, prepare, CpuStatistics, Plane, Prepared, Rect};
use crate::blend::{
    BlendOutput, BlendSettings, ColourMatch, ColourSpace, ColourStats, Ellipse, MaskSource,
    TargetCorrection,
};
use crate::quality::{colour_mismatch, synthetic_plate, Mismatch};
use crate::Frame;

/// Every GPU blend here agrees with the CPU's within this: a fifth of the 1e-4 the GPU path
/// promises (measured on lavapipe: at most 2.3e-6, Histogram; Reinhard 1.2e-6, Linear 2.4e-7,
/// None exact), leaving room for hardware `pow` / `exp2` precision.
const BOUND: f32 = 2e-5;

/// A plate, a face graded away from it, and settings masking an ellipse feathered over 12 px.
fn scene(w: usize, h: usize, invert: bool) -> (Frame, Frame, BlendSettings) {
    let plate = synthetic_plate(w, h, 7);
    let face = colour_mismatch(&synthetic_plate(w, h, 11), &Mismatch::STRONG);
    let settings = BlendSettings {
        mask: ellipse(w, h),
        feather_px: 12.0,
        invert,
        ..Default::default()
    };
    (plate, face, settings)
}

fn masks<'g>(
    gpu: &'g Gpu,
    source: &Frame,
    face: &Frame,
    s: &BlendSettings,
) -> (Prepared, GpuMasks<'g>) {
    let prepared = prepare(source, face, None, s).expect("a valid scene");
    let (w, h) = source.size();
    let masks = GpuMasks::upload(gpu, &prepared.core, &prepared.fin, w, h);
    (prepared, masks)
}

/// Largest difference of the GPU's moments from the CPU's: (means, covariances relative to
/// their largest entry).
fn moments_error(
    gpu: &Gpu,
    mode: ColourMatch,
    space: ColourSpace,
    w: usize,
    h: usize,
    invert: bool,
) -> (f64, f64) {
    let (source, face, s) = scene(w, h, invert);
    let (prepared, m) = masks(gpu, &source, &face, &s);
    let Some(CpuStatistics::Moments {
        total,
        source: cs,
        face: cf,
    }) = cpu_statistics(mode, space, &source, &face, &prepared.core)
    else {
        panic!("the CPU has moments");
    };
    let (src, fce) = (GpuFrame::upload(gpu, &source), GpuFrame::upload(gpu, &face));
    let got = moments(
        gpu,
        mode,
        space,
        &src,
        &fce,
        &m.core,
        Grid::over(m.core_support),
    )
    .expect("the GPU has moments");
    assert!(
        (got.total - total).abs() <= 1e-6 * total,
        "total {} vs {total}",
        got.total
    );
    let (mut mean, mut cov) = (0.0f64, 0.0f64);
    for ((gm, gc), (m, c)) in [(got.source, cs), (got.face, cf)] {
        let top = c.iter().flatten().fold(0.0f64, |a, v| a.max(v.abs()));
        for i in 0..3 {
            mean = mean.max((gm[i] - m[i]).abs());
            for j in 0..3 {
                cov = cov.max((gc[i][j] - c[i][j]).abs() / top);
            }
        }
    }
    (mean, cov)
}

#[test]
fn moments_match_the_cpu() {
    let Some(gpu) = gpu_or_skip("moments_match_the_cpu") else {
        return;
    };
    // 512² inverted: the core covers the whole frame, exactly 2¹⁸ samples (step 1); 600×500
    // inverted: step 2 over the frame.
    let mut errors: Vec<(usize, usize, ColourMatch, ColourSpace, f64, f64, f64)> = Vec::new();
    for (w, h, invert) in [(200, 150, false), (512, 512, true), (600, 500, true)] {
        for space in [ColourSpace::Linear, ColourSpace::Srgb] {
            // Measured: LAB means within 5e-6, linear within 1.3e-7.
            for (mode, mean_bound) in [(ColourMatch::Reinhard, 2e-5), (ColourMatch::Linear, 5e-7)] {
                let (mean, cov) = moments_error(gpu, mode, space, w, h, invert);
                eprintln!("moments {w}x{h} {mode:?} {space:?}: mean {mean:.2e}, cov {cov:.2e}");
                errors.push((w, h, mode, space, mean, cov, mean_bound));
            }
        }
    }
    for (w, h, mode, space, mean, cov, mean_bound) in errors {
        assert!(
            mean <= mean_bound,
            "{w}x{h} {mode:?} {space:?}: means off by {mean}"
        );
        // Measured: at most 1.4e-6 of the largest entry (f32 sRGB decode on a small region).
        assert!(
            cov <= 5e-6,
            "{w}x{h} {mode:?} {space:?}: covariances off by {cov}"
        );
    }
}

/// Largest difference of the GPU's quantile tables from the CPU's, both over the mask `core`
/// (`m` on the GPU).
fn quantiles_error(
    gpu: &Gpu,
    space: ColourSpace,
    source: &Frame,
    face: &Frame,
    core: &Plane,
    m: &GpuMasks,
) -> f32 {
    let Some(CpuStatistics::Quantiles(want)) =
        cpu_statistics(ColourMatch::Histogram, space, source, face, core)
    else {
        panic!("the CPU has quantiles");
    };
    let (src, fce) = (GpuFrame::upload(gpu, source), GpuFrame::upload(gpu, face));
    let got = quantile_tables(gpu, &src, &fce, &m.core, Grid::over(m.core_support))
        .expect("the GPU has quantiles");
    want.iter()
        .flatten()
        .zip(&got)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max)
}

#[test]
fn quantile_tables_match_the_cpu() {
    let Some(gpu) = gpu_or_skip("quantile_tables_match_the_cpu") else {
        return;
    };
    for (w, h, invert) in [
        (200, 150, false),
        (37, 23, false),
        (512, 512, true),
        (600, 500, true),
    ] {
        let (source, face, s) = scene(w, h, invert);
        let (prepared, m) = masks(gpu, &source, &face, &s);
        let worst = quantiles_error(gpu, s.colour_space, &source, &face, &prepared.core, &m);
        eprintln!("quantiles {w}x{h}: {worst:.2e}");
        // Equal sample values of different weights may sort in another order than the CPU's
        // unstable sort: an entry interpolated next to them moves by a fraction of the gap to
        // the next value (~1e-5 here).
        assert!(worst <= 1e-5, "{w}x{h}: quantiles off by {worst}");
    }
}

#[test]
fn quantiles_of_one_to_three_samples_match_the_cpu() {
    let Some(gpu) = gpu_or_skip("quantiles_of_one_to_three_samples_match_the_cpu") else {
        return;
    };
    let (source, face, _) = scene(40, 30, false);
    let rect = Rect {
        x0: 10,
        y0: 12,
        x1: 13,
        y1: 13,
    };
    for data in [
        vec![0.0, 0.6, 0.0],
        vec![0.3, 0.0, 1.0],
        vec![0.25, 0.5, 0.125],
    ] {
        let core = Plane { rect, data };
        let fin = core.clone();
        let m = GpuMasks::upload(gpu, &core, &fin, 40, 30);
        let worst = quantiles_error(gpu, ColourSpace::Linear, &source, &face, &core, &m);
        assert!(worst <= 1e-6, "{:?}: quantiles off by {worst}", core.data);
    }
}

/// A correction towards the plate graded slightly (as Face Swap's temporal smoothing gives).
fn correction(plate: &Frame, space: ColourSpace) -> TargetCorrection {
    let (w, h) = plate.size();
    let region =
        || (h / 4..h * 3 / 4).flat_map(move |y| (w / 4..w * 3 / 4).map(move |x| (x, y, 1.0)));
    let now = ColourStats::measure(plate, space, region()).unwrap();
    let wanted = colour_mismatch(plate, &Mismatch::GRADED);
    let wanted = ColourStats::measure(&wanted, space, region()).unwrap();
    TargetCorrection::between(&now, &wanted).expect("the statistics differ")
}

#[test]
fn blends_match_the_cpu_for_every_match_space_and_output() {
    let Some(gpu) = gpu_or_skip("blends_match_the_cpu_for_every_match_space_and_output") else {
        return;
    };
    let (source, face, base) = scene(192, 144, false);
    let mut worst = Vec::new();
    for mode in [
        ColourMatch::None,
        ColourMatch::Reinhard,
        ColourMatch::Linear,
        ColourMatch::Histogram,
    ] {
        let mut mode_worst = 0.0f32;
        for space in [ColourSpace::Linear, ColourSpace::Srgb] {
            let fix = correction(&source, space);
            for output in [
                BlendOutput::Composite,
                BlendOutput::MaskOnly,
                BlendOutput::FaceOnly,
            ] {
                for (target, mix) in [(None, 1.0), (Some(&fix), 0.7)] {
                    let s = BlendSettings {
                        colour_match: mode,
                        colour_space: space,
                        output,
                        mix,
                        ..base
                    };
                    let cpu =
                        crate::blend::blend_towards(&source, &face, None, &s, target).unwrap();
                    let got = blend_towards(gpu, &source, &face, None, &s, target).unwrap();
                    let d = max_diff(&got, &cpu);
                    let case = format!("{mode:?} {space:?} {output:?} target {}", target.is_some());
                    assert!(d <= BOUND, "{case}: off by {d}");
                    if output != BlendOutput::MaskOnly {
                        assert!(
                            max_diff(&cpu, &source) > 0.01,
                            "{case}: the test is too weak"
                        );
                    }
                    if target.is_some()
                        && mode != ColourMatch::None
                        && output != BlendOutput::MaskOnly
                    {
                        let plain = crate::blend::blend(&source, &face, None, &s).unwrap();
                        assert!(
                            max_diff(&cpu, &plain) > 1e-3,
                            "{case}: the correction is too weak"
                        );
                    }
                    mode_worst = mode_worst.max(d);
                }
            }
        }
        worst.push((mode, mode_worst));
    }
    eprintln!("blend, worst difference per colour match: {worst:?}");
}

#[test]
fn a_large_inverted_mask_and_the_seamless_hook_match_the_cpu() {
    let Some(gpu) = gpu_or_skip("a_large_inverted_mask_and_the_seamless_hook_match_the_cpu") else {
        return;
    };
    let check = |source: &Frame, face: &Frame, s: &BlendSettings, case: String| {
        let cpu = crate::blend::blend(source, face, None, s).unwrap();
        let d = max_diff(
            &blend_towards(gpu, source, face, None, s, None).unwrap(),
            &cpu,
        );
        eprintln!("{case}: {d:.2e}");
        assert!(d <= BOUND, "{case}: off by {d}");
    };
    // Inverted: the statistics cover nearly the whole frame (step 2 over 600×500).
    let (source, face, base) = scene(600, 500, true);
    for mode in [
        ColourMatch::Reinhard,
        ColourMatch::Linear,
        ColourMatch::Histogram,
    ] {
        let s = BlendSettings {
            colour_match: mode,
            colour_space: ColourSpace::Srgb,
            ..base
        };
        check(&source, &face, &s, format!("large inverted {mode:?}"));
    }
    let (source, face, base) = scene(160, 120, false);
    for output in [BlendOutput::Composite, BlendOutput::FaceOnly] {
        let s = BlendSettings {
            colour_match: ColourMatch::Linear,
            seamless: true,
            output,
            ..base
        };
        check(&source, &face, &s, format!("seamless {output:?}"));
    }
}

#[test]
fn the_gpu_blend_fails_as_the_cpu_blend_does() {
    let Some(gpu) = gpu_or_skip("the_gpu_blend_fails_as_the_cpu_blend_does") else {
        return;
    };
    let (source, face, base) = scene(64, 48, false);
    let empty = BlendSettings {
        mask: MaskSource::Ellipse(Ellipse {
            centre: (-100.0, -100.0),
            radii: (5.0, 5.0),
            angle_deg: 0.0,
        }),
        ..base
    };
    let mut bad_face = face.clone();
    bad_face.set_pixel(30, 24, [f32::NAN, 0.0, 0.0, 1.0]);
    let small = Frame::new(8, 8);
    for (face, s) in [(&face, empty), (&bad_face, base), (&small, base)] {
        let cpu = crate::blend::blend(&source, face, None, &s);
        let got = blend_towards(gpu, &source, face, None, &s, None);
        assert!(cpu.is_err());
        assert_eq!(got.err(), cpu.err());
    }
}
