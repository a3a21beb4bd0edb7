//! The GPU seamless blend against its CPU twin (`blend::poisson::seamless`): a graded face on
//! a synthetic plate through a feathered ellipse mask, small and ~512 px, at the plate's edge
//! (Neumann), tiny (coarsest level only) and covering the whole plate (no boundary), with the
//! weights over the work rectangle or the whole plate; and the fixed pass count is enough.

use super::poisson::{self, Seamless};
use super::tests::{gpu_or_skip, max_diff};
use super::{Gpu, GpuFrame, GpuPlane};
use crate::blend::mask::{Plane, Rect};
use crate::blend::{blend, BlendOutput, BlendSettings, Ellipse, MaskSource};
use crate::colour::srgb_decode;
use crate::face::Region;
use crate::quality::{colour_mismatch, synthetic_plate, Mismatch};
use crate::Frame;

/// The documented bound (see `gpu::poisson`).
const BOUND: f32 = 1e-4;

/// A plate, a differently textured and graded face, and the final mask of a feathered ellipse
/// (as Face Blend computes it).
fn fixture(size: (usize, usize), ellipse: Ellipse, feather_px: f32) -> (Frame, Frame, Plane) {
    let (w, h) = size;
    let plate = synthetic_plate(w, h, 7);
    let face = colour_mismatch(&synthetic_plate(w, h, 8), &Mismatch::GRADED);
    let settings = BlendSettings {
        mask: MaskSource::Ellipse(ellipse),
        feather_px,
        output: BlendOutput::MaskOnly,
        ..BlendSettings::default()
    };
    let weight = blend(&plate, &face, None, &settings).expect("a mask");
    let mask = Plane {
        rect: Rect::full(w, h),
        data: weight.pixels().iter().map(|p| p[0]).collect(),
    };
    (plate, face, mask)
}

/// `frame` with R, G, B decoded from sRGB (linear-light inputs).
fn decoded(frame: &Frame) -> Frame {
    let (w, h) = frame.size();
    Frame::from_fn(w, h, |x, y| {
        let p = frame.pixel(x, y);
        [
            srgb_decode(p[0]),
            srgb_decode(p[1]),
            srgb_decode(p[2]),
            p[3],
        ]
    })
}

/// `mask` over the work rectangle only.
fn over_work(mask: &Plane) -> Plane {
    let work = mask.support().expand(1, mask.rect.x1, mask.rect.y1);
    mask.crop(work)
}

/// The GPU solve with `iterations`, downloaded.
fn on_gpu(
    gpu: &Gpu,
    (plate, face, mask): (&Frame, &Frame, &Plane),
    work: Rect,
    support: Rect,
    iterations: usize,
) -> Frame {
    let on_plate = GpuFrame::upload(gpu, plate);
    let face_work = Frame::from_fn(work.width(), work.height(), |x, y| {
        face.pixel(work.x0 + x, work.y0 + y)
    });
    let on_face = GpuFrame::upload(gpu, &face_work);
    // The weights over the plate when the mask covers it, else over the work rectangle.
    let on_weights = if mask.rect == Rect::full(plate.width(), plate.height()) {
        GpuPlane::upload(gpu, plate.width(), plate.height(), &mask.data)
    } else {
        let weights = mask.crop(work).data;
        GpuPlane::upload(gpu, work.width(), work.height(), &weights)
    };
    let mut encoder = gpu.encoder();
    let inputs = (&on_plate, &on_face, &on_weights);
    let region = |r: Rect| Region {
        x0: r.x0,
        y0: r.y0,
        x1: r.x1,
        y1: r.y1,
    };
    let (work, support) = (region(work), region(support));
    let solved: Seamless = if iterations == poisson::ITERATIONS {
        poisson::seamless(
            gpu,
            &mut encoder,
            &on_plate,
            &on_face,
            &on_weights,
            work,
            support,
        )
    } else {
        poisson::record(gpu, &mut encoder, inputs, work, support, iterations)
    };
    gpu.submit(encoder);
    solved.face.download()
}

/// Largest RGB difference between the GPU's seamless face (with `iterations`) and the CPU's
/// over the work rectangle (alpha must be the face's, every value finite).
fn gpu_vs_cpu(gpu: &Gpu, plate: &Frame, face: &Frame, mask: &Plane, iterations: usize) -> f32 {
    let (w, h) = plate.size();
    let support = mask.support();
    let work = support.expand(1, w, h);
    let mut cpu: Vec<[f32; 3]> = (work.y0..work.y1)
        .flat_map(|y| (work.x0..work.x1).map(move |x| (x, y)))
        .map(|(x, y)| {
            let p = face.pixel(x, y);
            [p[0], p[1], p[2]]
        })
        .collect();
    let used = crate::blend::poisson::seamless(plate, &mut cpu, work, mask, support);
    let got = on_gpu(gpu, (plate, face, mask), work, support, iterations);
    assert_eq!(got.size(), (work.width(), work.height()));
    let mut worst = 0.0f32;
    for (i, (g, c)) in got.pixels().iter().zip(&cpu).enumerate() {
        let (x, y) = (work.x0 + i % work.width(), work.y0 + i / work.width());
        assert_eq!(g[3], face.pixel(x, y)[3], "alpha kept at ({x}, {y})");
        for k in 0..3 {
            assert!(g[k].is_finite(), "finite at ({x}, {y})");
            worst = worst.max((g[k] - c[k]).abs());
        }
    }
    eprintln!(
        "{}x{} support: CPU {used:?} iterations, GPU ({iterations}) off by {worst:e}",
        support.width(),
        support.height()
    );
    worst
}

fn ellipse(centre: (f32, f32), radii: (f32, f32), angle_deg: f32) -> Ellipse {
    Ellipse {
        centre,
        radii,
        angle_deg,
    }
}

#[test]
fn small_face_matches_the_cpu() {
    let Some(gpu) = gpu_or_skip("small_face_matches_the_cpu") else {
        return;
    };
    let (plate, face, mask) = fixture((96, 80), ellipse((46.0, 40.0), (22.0, 28.0), 20.0), 6.0);
    let mask = over_work(&mask);
    let d = gpu_vs_cpu(gpu, &plate, &face, &mask, poisson::ITERATIONS);
    assert!(d <= BOUND, "display-referred: off by {d}");
    // The same in linear light (the solve itself does not depend on the encoding).
    let (plate, face) = (decoded(&plate), decoded(&face));
    let d = gpu_vs_cpu(gpu, &plate, &face, &mask, poisson::ITERATIONS);
    assert!(d <= BOUND, "linear: off by {d}");
}

#[test]
fn the_fixed_passes_are_enough() {
    let Some(gpu) = gpu_or_skip("the_fixed_passes_are_enough") else {
        return;
    };
    // Every channel has stopped within the recorded iterations: more change nothing.
    let (plate, face, mask) = fixture((120, 100), ellipse((60.0, 50.0), (40.0, 34.0), 0.0), 8.0);
    let support = mask.support();
    let work = support.expand(1, 120, 100);
    let mask = over_work(&mask);
    let inputs = (&plate, &face, &mask);
    let fixed = on_gpu(gpu, inputs, work, support, poisson::ITERATIONS);
    let more = on_gpu(gpu, inputs, work, support, 2 * poisson::ITERATIONS);
    assert_eq!(max_diff(&fixed, &more), 0.0);
    // Too few iterations would show (the test has teeth).
    let few = on_gpu(gpu, inputs, work, support, 3);
    assert!(max_diff(&fixed, &few) > 1e-4);
}

#[test]
fn face_at_the_plate_edge_matches_the_cpu() {
    let Some(gpu) = gpu_or_skip("face_at_the_plate_edge_matches_the_cpu") else {
        return;
    };
    // Crosses the left and top edges: Neumann there, Dirichlet elsewhere. (Weights over the
    // whole plate here and below, over the work rectangle in the other tests.)
    let (plate, face, mask) = fixture((90, 70), ellipse((8.0, 12.0), (30.0, 24.0), 0.0), 4.0);
    assert_eq!((mask.support().x0, mask.support().y0), (0, 0));
    let d = gpu_vs_cpu(gpu, &plate, &face, &mask, poisson::ITERATIONS);
    assert!(d <= BOUND, "off by {d}");
}

#[test]
fn large_face_matches_the_cpu() {
    let Some(gpu) = gpu_or_skip("large_face_matches_the_cpu") else {
        return;
    };
    let (plate, face, mask) = fixture(
        (600, 620),
        ellipse((300.0, 310.0), (236.0, 250.0), -10.0),
        16.0,
    );
    assert!(mask.support().width() >= 500, "a ~512 px region");
    let d = gpu_vs_cpu(gpu, &plate, &face, &mask, poisson::ITERATIONS);
    assert!(d <= BOUND, "off by {d}");
}

#[test]
fn tiny_and_boundaryless_masks_match_the_cpu() {
    let Some(gpu) = gpu_or_skip("tiny_and_boundaryless_masks_match_the_cpu") else {
        return;
    };
    // At most 16 cells: the finest level is the coarsest.
    let (plate, face, mask) = fixture((20, 16), ellipse((10.0, 8.0), (1.6, 1.4), 0.0), 0.0);
    assert!(mask.support().area() <= 16, "{:?}", mask.support());
    let mask = over_work(&mask);
    let d = gpu_vs_cpu(gpu, &plate, &face, &mask, poisson::ITERATIONS);
    assert!(d <= BOUND, "tiny: off by {d}");
    // The whole plate: no boundary, the face stays as it is (on both).
    let (plate, face, mask) = fixture((24, 18), ellipse((12.0, 9.0), (90.0, 90.0), 0.0), 0.0);
    assert_eq!(mask.support(), Rect::full(24, 18));
    let d = gpu_vs_cpu(gpu, &plate, &face, &mask, poisson::ITERATIONS);
    assert_eq!(d, 0.0, "boundaryless: changed by {d}");
}
