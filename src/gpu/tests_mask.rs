//! GPU twins of the mask family against their CPU oracles: Face Swap's box mask, erosion, blur
//! and min; Face Blend's ellipse, alpha mask, invert, feather and erode/dilate; the face-outline
//! hull raster. The CPU's rectangle-covering planes are compared as whole frames (zero outside
//! their rectangles). Each test prints its measured bound.

use super::tests::{gpu_or_skip, hash, plane_diff, run};
use super::{blur, face_outline, mask_box, mask_shapes, morphology, Gpu, GpuFrame, GpuPlane};
use crate::blend::mask::{self, Plane, Rect};
use crate::blend::{blur as cpu_blur, morphology as cpu_morphology, BlendError, Ellipse};
use crate::face::outline::rasterise_faces;
use crate::face::{Landmarks, Template};
use crate::swap::mask::{self as swap_mask, BoxMask};
use crate::Frame;

/// `plane` (zero outside its rectangle) as a whole `w × h` plane.
fn full(plane: &Plane, w: usize, h: usize) -> Vec<f32> {
    (0..w * h).map(|i| plane.get(i % w, i / w)).collect()
}

/// [`run`]s `step` and reads `out` back.
fn run_into(gpu: &Gpu, out: &GpuPlane, step: impl FnOnce(&mut wgpu::CommandEncoder)) -> Vec<f32> {
    run(gpu, step);
    out.download()
}

/// Face Blend's raw masks over `w × h`: rotated anti-aliased ellipses (one crossing the frame's
/// left edge), a soft noisy blob with an exactly opaque core, and a small rectangle of noise.
fn blend_masks(w: usize, h: usize) -> Vec<(&'static str, Plane)> {
    let ellipse = |centre, radii, angle_deg| {
        let e = Ellipse {
            centre,
            radii,
            angle_deg,
        };
        mask::ellipse(&e, w, h)
    };
    let (cx, cy) = (w as f32 * 0.45, h as f32 * 0.52);
    let mut blob = Plane::zeros(Rect::full(w, h));
    for y in 0..h {
        for x in 0..w {
            let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2) * 1.7).sqrt();
            let edge = ((cy * 0.7 - d) / 6.0).clamp(0.0, 1.0);
            let noisy = if edge == 1.0 && d < cy * 0.3 {
                1.0
            } else {
                edge * (0.75 + 0.25 * hash(x, y, 3))
            };
            blob.data[y * w + x] = noisy;
        }
    }
    let patch = Rect {
        x0: w / 5,
        y0: h / 4,
        x1: w / 5 + 17,
        y1: h / 4 + 11,
    };
    let mut noise = Plane::zeros(patch);
    for (i, v) in noise.data.iter_mut().enumerate() {
        *v = (hash(i, 7, 9) * 1.6 - 0.3).clamp(0.0, 1.0);
    }
    vec![
        (
            "ellipse",
            ellipse((cx + 0.3, cy - 0.2), (w as f32 * 0.3, h as f32 * 0.2), 23.0),
        ),
        (
            "ellipse at edge",
            ellipse((3.7, cy), (h as f32 * 0.25, h as f32 * 0.4), -61.0),
        ),
        ("soft blob", blob),
        ("noise patch", noise),
    ]
}

#[test]
fn box_masks_match_the_cpu() {
    let Some(gpu) = gpu_or_skip("box_masks_match_the_cpu") else {
        return;
    };
    let settings = [
        (0.3, [0.0; 4]),
        (0.0, [0.0, 0.0, 30.0, 0.0]),
        (0.6, [10.0, 0.0, 20.0, 5.0]),
        (1.0, [0.0, 12.5, 0.0, 40.0]),
    ];
    let mut bound = 0.0f32;
    for size in [64, 100, 128, 256] {
        for (blur, padding) in settings {
            let settings = BoxMask { blur, padding };
            let out = GpuPlane::new(gpu, size, size);
            let got = run_into(gpu, &out, |e| mask_box::box_mask(gpu, e, &settings, &out));
            let err = plane_diff(&got, &swap_mask::box_mask(size, &settings));
            assert!(err <= 1e-6, "size {size} {settings:?}: off by {err}");
            bound = bound.max(err);
        }
    }
    eprintln!("box mask: within {bound:e}");
}

#[test]
fn erosion_blur_and_min_match_the_cpu() {
    let Some(gpu) = gpu_or_skip("erosion_blur_and_min_match_the_cpu") else {
        return;
    };
    let size = 96;
    let learned: Vec<Vec<f32>> = (0..3)
        .map(|k| {
            (0..size * size)
                .map(|i| {
                    let (x, y) = ((i % size) as f32, (i / size) as f32);
                    let d = ((x - 48.0 - k as f32 * 5.0).powi(2) + (y - 45.0).powi(2)).sqrt();
                    ((40.0 - d) / 8.0).clamp(0.0, 1.0) * (0.8 + 0.2 * hash(i, k, 5))
                })
                .collect()
        })
        .collect();
    let mut bound = 0.0f32;
    for (radius, sigma) in [(0, 0.0), (2, 0.0), (0, 1.5), (3, 1.5), (5, 6.0), (1, 20.0)] {
        let src = GpuPlane::upload(gpu, size, size, &learned[0]);
        let out = GpuPlane::new(gpu, size, size);
        let got = run_into(gpu, &out, |e| {
            mask_box::erode_and_blur(gpu, e, &src, radius, sigma, &out)
        });
        let want = swap_mask::erode_and_blur(&learned[0], size, radius, sigma);
        let err = plane_diff(&got, &want);
        assert!(err <= 1e-6, "radius {radius} σ {sigma}: off by {err}");
        bound = bound.max(err);
    }
    let planes: Vec<GpuPlane> = learned
        .iter()
        .map(|m| GpuPlane::upload(gpu, size, size, m))
        .collect();
    let out = GpuPlane::new(gpu, size, size);
    let got = run_into(gpu, &out, |e| {
        mask_box::combine_min(gpu, e, &planes.iter().collect::<Vec<_>>(), &out)
    });
    let refs: Vec<&[f32]> = learned.iter().map(Vec::as_slice).collect();
    assert_eq!(got, swap_mask::combine_min(&refs), "min is exact");
    eprintln!("erode and blur: within {bound:e}; min exact");
}

#[test]
fn feather_matches_the_cpu_at_every_sigma() {
    let Some(gpu) = gpu_or_skip("feather_matches_the_cpu_at_every_sigma") else {
        return;
    };
    let (w, h) = (160, 120);
    let mut bounds = [0.0f32; 2];
    for (what, plane) in blend_masks(w, h) {
        let src = GpuPlane::upload(gpu, w, h, &full(&plane, w, h));
        for sigma in [0.5, 1.3, 4.0, 4.01, 7.3, 25.0, 400.0, 1e9] {
            let out = GpuPlane::new(gpu, w, h);
            let got = run_into(gpu, &out, |e| blur::feather(gpu, e, &src, sigma, &out));
            let want = full(&cpu_blur::feather(&plane, sigma, w, h), w, h);
            let err = plane_diff(&got, &want);
            let boxes = usize::from(sigma > 4.0);
            bounds[boxes] = bounds[boxes].max(err);
            assert!(err <= 2e-6, "{what} σ {sigma}: off by {err}");
            // Pixels the blur does not reach stay exactly 0, an opaque core exactly 1 (the CPU's
            // f64 sums may also round to 1 next to it).
            for (g, c) in got.iter().zip(&want) {
                assert!(*c != 0.0 || *g == 0.0, "{what} σ {sigma}: {g} for 0");
            }
            if what == "soft blob" && sigma < 2.0 {
                assert_eq!(got[(h / 2) * w + w * 9 / 20], 1.0, "σ {sigma}: the core");
            }
        }
    }
    eprintln!(
        "feather: Gaussian within {:e}, boxes within {:e}",
        bounds[0], bounds[1]
    );
}

#[test]
fn erode_and_dilate_match_the_cpu() {
    let Some(gpu) = gpu_or_skip("erode_and_dilate_match_the_cpu") else {
        return;
    };
    let (w, h) = (150, 110);
    let mut bound = 0.0f32;
    for (what, plane) in blend_masks(w, h) {
        let src = GpuPlane::upload(gpu, w, h, &full(&plane, w, h));
        for r in [0.01, -0.01, 0.3, 2.25, -1.5, -5.5, 7.8, -12.3, 30.0, -45.6] {
            let out = GpuPlane::new(gpu, w, h);
            let got = run_into(gpu, &out, |e| {
                morphology::erode_dilate(gpu, e, &src, r, &out)
            });
            let want = full(&cpu_morphology::erode_dilate(&plane, r, w, h), w, h);
            let err = plane_diff(&got, &want);
            assert!(err <= 1e-6, "{what} r {r}: off by {err}");
            bound = bound.max(err);
        }
    }
    eprintln!("erode/dilate: within {bound:e}");
}

#[test]
fn ellipses_match_the_cpu() {
    let Some(gpu) = gpu_or_skip("ellipses_match_the_cpu") else {
        return;
    };
    let cases = [
        (320, 240, (160.4, 118.7), (90.3, 41.9), 0.0),
        (320, 240, (160.4, 118.7), (90.3, 41.9), 37.5),
        (320, 240, (10.2, 230.9), (60.0, 130.0), -100.0),
        (320, 240, (100.0, 100.0), (3.2, 1.7), 12.0),
        (320, 240, (100.5, 100.5), (20.0, 20.0), 0.0),
        (320, 240, (100.0, 100.0), (0.0, 20.0), 0.0),
        (1920, 1440, (961.37, 702.61), (880.3, 655.1), 28.0),
        (2048, 2048, (1023.9, 1030.2), (1800.0, 900.7), 90.0),
    ];
    let mut bound = 0.0f32;
    for (w, h, centre, radii, angle_deg) in cases {
        let e = Ellipse {
            centre,
            radii,
            angle_deg,
        };
        let out = GpuPlane::new(gpu, w, h);
        let got = run_into(gpu, &out, |enc| mask_shapes::ellipse(gpu, enc, &e, &out));
        let err = plane_diff(&got, &full(&mask::ellipse(&e, w, h), w, h));
        assert!(err <= 1e-6, "{e:?}: off by {err}");
        bound = bound.max(err);
    }
    eprintln!("ellipse: within {bound:e}");
}

#[test]
fn alpha_masks_and_inversion_match_the_cpu() {
    let Some(gpu) = gpu_or_skip("alpha_masks_and_inversion_match_the_cpu") else {
        return;
    };
    let (w, h) = (97, 61);
    let mut frame = Frame::from_fn(w, h, |x, y| {
        let a = if x > 60 {
            0.0
        } else {
            hash(x, y, 1) * 2.0 - 0.5
        };
        [0.1, 0.2, 0.3, a]
    });
    let plane = mask::from_alpha(&frame, "Face").expect("finite");
    let out = GpuPlane::new(gpu, w, h);
    let on_gpu = GpuFrame::upload(gpu, &frame);
    let mut encoder = gpu.encoder();
    let check = mask_shapes::from_alpha(gpu, &mut encoder, &on_gpu, &out);
    gpu.submit(encoder);
    assert_eq!(out.download(), full(&plane, w, h), "clamping is exact");
    assert_eq!(check.first_non_finite(gpu), None);
    let inverted = GpuPlane::new(gpu, w, h);
    let got = run_into(gpu, &inverted, |e| {
        mask_shapes::invert(gpu, e, &out, &inverted)
    });
    assert_eq!(
        got,
        full(&mask::invert(&plane, w, h), w, h),
        "invert is exact"
    );

    frame.set_pixel(40, 30, [0.0, 0.0, 0.0, f32::INFINITY]);
    frame.set_pixel(7, 50, [0.0, 0.0, 0.0, f32::NAN]);
    let Err(BlendError::NonFinite { x, y, .. }) = mask::from_alpha(&frame, "Face") else {
        panic!("the CPU refuses a non-finite alpha");
    };
    let on_gpu = GpuFrame::upload(gpu, &frame);
    let mut encoder = gpu.encoder();
    let check = mask_shapes::from_alpha(gpu, &mut encoder, &on_gpu, &out);
    gpu.submit(encoder);
    assert_eq!(check.first_non_finite(gpu), Some((x, y)));
}

/// Landmarks on the FFHQ template, eyes `iod` apart, turned by `angle` (radians) about the
/// face's centre, with a sub-pixel jitter per point.
fn face_at(cx: f64, cy: f64, iod: f64, angle: f64) -> Landmarks {
    let t = Template::Ffhq512.normalised();
    let scale = iod / (t[1].0 - t[0].0);
    let (s, c) = angle.sin_cos();
    let mut jitter = -1.1;
    Landmarks::new(t.map(|(u, v)| {
        let (dx, dy) = ((u - 0.5) * scale, (v - 0.55) * scale);
        jitter += 0.37;
        let (x, y) = (dx * c - dy * s + jitter, dx * s + dy * c - jitter * 0.5);
        (cx + x, cy + y)
    }))
}

#[test]
fn face_outline_hulls_match_the_cpu() {
    let Some(gpu) = gpu_or_skip("face_outline_hulls_match_the_cpu") else {
        return;
    };
    let overlapping_and_cut = vec![
        face_at(120.0, 140.0, 45.0, 0.3),
        face_at(170.5, 160.2, 50.0, -0.5),
        face_at(390.0, 20.0, 70.0, 2.0),
    ];
    let cases = [
        (400, 300, vec![face_at(200.3, 150.8, 60.0, 0.0)]),
        (400, 300, overlapping_and_cut),
        (1600, 1200, vec![face_at(801.1, 640.7, 330.0, 0.12)]),
        (200, 100, vec![]),
    ];
    let mut bound = 0.0f32;
    for (w, h, faces) in cases {
        // Existing matte content: RGB different from alpha, so the boxes' mirroring shows.
        let base = Frame::from_fn(w, h, |x, y| {
            let a = hash(x, y, 4) * f32::from((x / 16 + y / 16) % 3 == 0);
            [0.7, 0.1, hash(x, y, 2), a]
        });
        let on_gpu = GpuFrame::upload(gpu, &base);
        let mut encoder = gpu.encoder();
        face_outline::rasterise_faces(gpu, &mut encoder, &on_gpu, &faces);
        gpu.submit(encoder);
        let mut want = base.clone();
        rasterise_faces(&mut want, &faces);
        let err = super::tests::max_diff(&on_gpu.download(), &want);
        assert!(err <= 1e-6, "{w}×{h}, {} faces: off by {err}", faces.len());
        bound = bound.max(err);
    }
    eprintln!("face outline: within {bound:e}");
}

#[test]
fn the_face_blend_mask_chain_matches_the_cpu() {
    let Some(gpu) = gpu_or_skip("the_face_blend_mask_chain_matches_the_cpu") else {
        return;
    };
    let (w, h) = (240, 180);
    let faces = [face_at(120.0, 95.0, 50.0, 0.2)];
    let mut matte = Frame::new(w, h);
    rasterise_faces(&mut matte, &faces);
    let raw = mask::from_alpha(&matte, "Matte").expect("finite");
    let mut bound = 0.0f32;
    for (erode_px, invert, feather_px) in [
        (0.0, false, 0.0),
        (-3.5, false, 12.0),
        (4.25, true, 3.0),
        (-1.0, true, 40.0),
    ] {
        // The CPU blend's chain (src/blend/mod.rs, `masks`).
        let moved = cpu_morphology::erode_dilate(&raw, erode_px, w, h);
        let core = if invert {
            mask::invert(&moved, w, h)
        } else {
            moved
        };
        let core = core.crop(core.support());
        let sigma = feather_px / 2.0;
        let fin = cpu_blur::feather(&core, sigma, w, h);
        // The same on the GPU, recorded in one encoder, from an empty matte.
        let matte_on_gpu = GpuFrame::upload(gpu, &Frame::new(w, h));
        let [raw_g, moved_g, inverted_g, fin_g] = [(); 4].map(|_| GpuPlane::new(gpu, w, h));
        let mut encoder = gpu.encoder();
        face_outline::rasterise_faces(gpu, &mut encoder, &matte_on_gpu, &faces);
        mask_shapes::from_alpha(gpu, &mut encoder, &matte_on_gpu, &raw_g);
        morphology::erode_dilate(gpu, &mut encoder, &raw_g, erode_px, &moved_g);
        let core_g = if invert {
            mask_shapes::invert(gpu, &mut encoder, &moved_g, &inverted_g);
            &inverted_g
        } else {
            &moved_g
        };
        blur::feather(gpu, &mut encoder, core_g, sigma, &fin_g);
        let core_support = mask_shapes::support(gpu, &mut encoder, core_g);
        let fin_support = mask_shapes::support(gpu, &mut encoder, &fin_g);
        gpu.submit(encoder);
        let what = format!("erode {erode_px}, invert {invert}, feather {feather_px}");
        let err = plane_diff(&core_g.download(), &full(&core, w, h));
        let fin_err = plane_diff(&fin_g.download(), &full(&fin, w, h));
        assert!(err.max(fin_err) <= 2e-6, "{what}: off by {err}, {fin_err}");
        let bounds = |r: Rect| (!r.is_empty()).then_some((r.x0..r.x1, r.y0..r.y1));
        assert_eq!(core_support.bounds(gpu), bounds(core.support()), "{what}");
        assert_eq!(fin_support.bounds(gpu), bounds(fin.support()), "{what}");
        bound = bound.max(err).max(fin_err);
    }
    eprintln!("Face Blend mask chain: within {bound:e}, supports exact");
}
