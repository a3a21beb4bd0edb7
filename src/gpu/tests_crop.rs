//! GPU twins of the crop family against their CPU oracles: the frame ↔ crop warps, pixel-boost
//! interleaving and crop ↔ tensor conversions, on textured material with rotations, scales,
//! sub-pixel offsets and crops reaching past the frame. Each test prints its measured bound.

use super::tests::{gpu_or_skip, hash, max_diff, plane_diff, run};
use super::{boost, colour_convert, tensor, warp, GpuFrame, GpuPlane};
use crate::face::{self, paste_region, Region, Similarity};
use crate::identity::conventions::{
    ChannelOrder, Layout, Normalisation, OutputRange, TensorFormat,
};
use crate::identity::tensor as cpu;
use crate::runtime::Tensor;
use crate::Frame;

/// Worst-case material for a resampler: white noise (every neighbour differs by up to 1), a
/// smooth wave, hard-edged 7-px blocks, and noisy alpha, every channel in 0..1.
fn textured(w: usize, h: usize, seed: u64) -> Frame {
    Frame::from_fn(w, h, |x, y| {
        let wave = 0.5 + 0.5 * ((x as f32 * 0.13).sin() * (y as f32 * 0.07 + 1.0).cos());
        [
            hash(x, y, seed),
            wave,
            hash(x / 7, y / 7, seed + 1),
            hash(x, y, seed + 2),
        ]
    })
}

/// `m` (frame → crop) centring a `size` crop on `centre` at `scale` crop px per frame px,
/// turned by `angle`.
fn crop_map(centre: (f64, f64), scale: f64, angle: f64, size: usize) -> Similarity {
    let half = size as f64 / 2.0;
    Similarity::translation(half, half)
        .compose(&Similarity::rotation_by(angle))
        .compose(&Similarity::scaling(scale))
        .compose(&Similarity::translation(-centre.0, -centre.1))
}

/// The maps of the warp tests: `(what, m, size)` over a `w × h` frame.
fn maps(w: usize, h: usize) -> Vec<(&'static str, Similarity, usize)> {
    let (cx, cy) = (w as f64 / 2.0, h as f64 / 2.0);
    vec![
        ("sub-pixel shift", Similarity::translation(-10.3, -20.7), 64),
        ("identity", Similarity::IDENTITY, 48),
        (
            "rotate and enlarge",
            crop_map((cx + 0.25, cy - 0.4), 1.7, 0.3, 96),
            96,
        ),
        (
            "shrink past a corner",
            crop_map((5.0, h as f64 - 7.3), 0.45, -2.5, 80),
            80,
        ),
        (
            "quarter turn",
            crop_map((cx, cy), 1.0, std::f64::consts::FRAC_PI_2, 64),
            64,
        ),
        (
            "half turn, 4× up",
            crop_map((cx + 0.5, cy), 4.0, 3.1, 128),
            128,
        ),
        (
            "wholly outside",
            crop_map((-500.0, 400.0), 1.3, 0.8, 32),
            32,
        ),
        (
            "far right edge",
            crop_map((w as f64 - 2.3, cy), 0.9, -0.2, 64),
            64,
        ),
    ]
}

/// Documented in src/gpu/warp.rs.
const WARP_BOUND: f32 = 1e-6;

#[test]
fn warp_to_crop_matches_the_cpu() {
    let Some(gpu) = gpu_or_skip("warp_to_crop_matches_the_cpu") else {
        return;
    };
    // A wide frame too: positions past 4000 px test the fixed-point split.
    for (w, h) in [(240, 180), (4100, 40)] {
        let frame = textured(w, h, 7);
        let on_gpu = GpuFrame::upload(gpu, &frame);
        let mut worst = 0.0f32;
        for (what, m, size) in maps(w, h) {
            let got = run(gpu, |e| warp::warp_to_crop(gpu, e, &on_gpu, &m, size)).download();
            let diff = max_diff(&got, &face::warp_to_crop(&frame, &m, size));
            assert!(diff <= WARP_BOUND, "{w}x{h} {what}: off by {diff}");
            worst = worst.max(diff);
        }
        eprintln!("warp_to_crop {w}x{h}: worst {worst:e}");
    }
    // Degenerate inputs: transparent black, as on the CPU.
    let frame = GpuFrame::upload(gpu, &textured(20, 10, 1));
    let zero = Similarity::scaling(0.0);
    let got = run(gpu, |e| warp::warp_to_crop(gpu, e, &frame, &zero, 16)).download();
    assert_eq!(got, Frame::new(16, 16));
    let empty = GpuFrame::upload(gpu, &Frame::new(0, 0));
    let m = Similarity::IDENTITY;
    let got = run(gpu, |e| warp::warp_to_crop(gpu, e, &empty, &m, 8)).download();
    assert_eq!(got, Frame::new(8, 8));
}

#[test]
fn warp_from_crop_matches_the_cpu() {
    let Some(gpu) = gpu_or_skip("warp_from_crop_matches_the_cpu") else {
        return;
    };
    let mut worst = (0.0f32, 0.0f32);
    for (w, h) in [(240, 180), (4100, 40)] {
        for (what, m, size) in maps(w, h) {
            let crop = textured(size, size, 11);
            let on_gpu = GpuFrame::upload(gpu, &crop);
            // The paste footprint, and the whole frame (zero coverage and both ramps).
            let regions = [paste_region(&m, size, w, h), Some(Region::full(w, h))];
            for region in regions.into_iter().flatten() {
                let (face, mask) = run(gpu, |e| warp::warp_from_crop(gpu, e, &on_gpu, &m, region));
                let (want_face, want_mask) = face::warp_from_crop(&crop, &m, region);
                let d_face = max_diff(&face.download(), &want_face);
                let d_mask = plane_diff(&mask.download(), &want_mask);
                assert!(d_face <= WARP_BOUND, "{w}x{h} {what}: face off by {d_face}");
                assert!(d_mask <= WARP_BOUND, "{w}x{h} {what}: mask off by {d_mask}");
                worst = (worst.0.max(d_face), worst.1.max(d_mask));
            }
        }
    }
    eprintln!("warp_from_crop: face {:e}, mask {:e}", worst.0, worst.1);
    // Degenerate inputs: zeros, as on the CPU.
    let crop = GpuFrame::upload(gpu, &textured(16, 16, 2));
    let bad = Similarity::new(f64::NAN, 0.0, 0.0, 0.0);
    let region = Region::full(9, 5);
    let (face, mask) = run(gpu, |e| warp::warp_from_crop(gpu, e, &crop, &bad, region));
    assert_eq!(face.download(), Frame::new(9, 5));
    assert_eq!(mask.download(), vec![0.0; 45]);
}

#[test]
fn boost_split_and_merge_match_the_cpu_exactly() {
    let Some(gpu) = gpu_or_skip("boost_split_and_merge_match_the_cpu_exactly") else {
        return;
    };
    for (k, side) in [(1, 24), (2, 64), (4, 128), (3, 30)] {
        let crop = textured(side, side * 2 / 3 / k * k, 5);
        let on_gpu = GpuFrame::upload(gpu, &crop);
        let want = face::boost_split(&crop, k).unwrap();
        let parts = run(gpu, |e| boost::boost_split(gpu, e, &on_gpu, k)).unwrap();
        assert_eq!(parts.len(), k * k);
        for (p, (got, want)) in parts.iter().zip(&want).enumerate() {
            assert_eq!(got.download(), *want, "k={k} part {p}");
        }
        let merged = run(gpu, |e| boost::boost_merge(gpu, e, &parts, k)).unwrap();
        assert_eq!(merged.download(), crop, "k={k}: merge undoes split");
    }
    // The CPU's refusals.
    let crop = GpuFrame::upload(gpu, &textured(10, 10, 3));
    for k in [0, 3] {
        assert!(run(gpu, |e| boost::boost_split(gpu, e, &crop, k)).is_err());
    }
    let parts = run(gpu, |e| boost::boost_split(gpu, e, &crop, 2)).unwrap();
    assert!(run(gpu, |e| boost::boost_merge(gpu, e, &parts[..3], 2)).is_err());
    let odd = [
        GpuFrame::new(gpu, 5, 5),
        GpuFrame::new(gpu, 5, 5),
        GpuFrame::new(gpu, 5, 5),
        GpuFrame::new(gpu, 4, 5),
    ];
    let err = run(gpu, |e| boost::boost_merge(gpu, e, &odd, 2))
        .err()
        .unwrap();
    assert!(err.to_string().contains("differ"), "{err}");
}

/// Every tensor format Doppel knows.
fn formats() -> Vec<TensorFormat> {
    let mut all = Vec::new();
    for layout in [Layout::Nchw, Layout::Nhwc] {
        for channels in [ChannelOrder::Rgb, ChannelOrder::Bgr] {
            for normalisation in [
                Normalisation::ZeroOne,
                Normalisation::MinusOneOne,
                Normalisation::Imagenet,
                Normalisation::Raw255,
                Normalisation::Arcface,
            ] {
                all.push(TensorFormat {
                    layout,
                    channels,
                    normalisation,
                });
            }
        }
    }
    all
}

fn values(t: &Tensor) -> Vec<f32> {
    t.to_f32_vec()
}

/// Documented in src/gpu/tensor.rs.
const TENSOR_BOUND: f32 = 1e-6;

#[test]
fn crop_to_tensor_matches_the_cpu_in_every_format() {
    let Some(gpu) = gpu_or_skip("crop_to_tensor_matches_the_cpu_in_every_format") else {
        return;
    };
    // Not square: the layouts' width and height must not be swapped.
    let crop = textured(37, 29, 9);
    let on_gpu = GpuFrame::upload(gpu, &crop);
    let (mut worst, mut worst_back) = (0.0f32, 0.0f32);
    for format in formats() {
        let plane = run(gpu, |e| tensor::crop_to_tensor(gpu, e, &on_gpu, &format));
        let got = tensor::download_image(&plane, format.layout);
        let want = cpu::crop_to_tensor(&crop, &format);
        assert_eq!(got.shape, want.shape, "{format:?}");
        let diff = plane_diff(&values(&got), &values(&want));
        let exact = format.normalisation != Normalisation::Imagenet;
        assert!(diff <= TENSOR_BOUND, "{format:?}: off by {diff}");
        assert!(
            !exact || diff == 0.0,
            "{format:?}: off by {diff}, not bit-exact"
        );
        worst = worst.max(diff);
        // And back, by the exact inverse (square crops only on that side).
        let square = textured(24, 24, 4);
        let t = cpu::crop_to_tensor(&square, &format);
        let plane = tensor::upload_image(gpu, &t, format.layout, 24).unwrap();
        let back = run(gpu, |e| {
            tensor::tensor_to_crop_inverse(gpu, e, &plane, &format, 24)
        });
        let want = cpu::tensor_to_crop_inverse(&t, &format, 24).unwrap();
        let diff = max_diff(&back.unwrap().download(), &want);
        assert!(diff <= TENSOR_BOUND, "{format:?} inverse: off by {diff}");
        worst_back = worst_back.max(diff);
    }
    eprintln!("crop_to_tensor: worst {worst:e}; inverse: worst {worst_back:e}");
}

#[test]
fn tensor_to_crop_and_mask_match_the_cpu() {
    let Some(gpu) = gpu_or_skip("tensor_to_crop_and_mask_match_the_cpu") else {
        return;
    };
    let size = 33;
    let mut worst = 0.0f32;
    for format in formats() {
        for (range, span) in [
            (OutputRange::ZeroOne, 1.2),
            (OutputRange::MinusOneOne, 2.4),
            (OutputRange::Raw255, 300.0),
        ] {
            let data = (0..3 * size * size)
                .map(|i| (hash(i, 0, 3) - 0.1) * span)
                .collect();
            let t = Tensor::f32(cpu::image_shape(format.layout, size, size), data);
            let plane = tensor::upload_image(gpu, &t, format.layout, size).unwrap();
            let got = run(gpu, |e| {
                tensor::tensor_to_crop(gpu, e, &plane, &format, range, size)
            });
            let want = cpu::tensor_to_crop(&t, &format, range, size).unwrap();
            let diff = max_diff(&got.unwrap().download(), &want);
            assert!(diff <= TENSOR_BOUND, "{format:?} {range:?}: off by {diff}");
            worst = worst.max(diff);
        }
    }
    eprintln!("tensor_to_crop: worst {worst:e}");
    // The CPU's shape checks, and a plane of the wrong length.
    let t = Tensor::f32([1, 3, size, size], vec![0.0; 3 * size * size]);
    assert!(tensor::upload_image(gpu, &t, Layout::Nhwc, size).is_err());
    let plane = tensor::upload_image(gpu, &t, Layout::Nchw, size).unwrap();
    let nchw = formats()[0];
    let range = OutputRange::ZeroOne;
    assert!(run(gpu, |e| tensor::tensor_to_crop(
        gpu, e, &plane, &nchw, range, 8
    ))
    .is_err());

    // Masks: clamped, NaN to 0, bit-identical.
    let specials = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -0.5, 1.5, -0.0];
    let data: Vec<f32> = (0..size * size)
        .map(|i| {
            specials
                .get(i)
                .copied()
                .unwrap_or((hash(i, 1, 8) - 0.2) * 1.5)
        })
        .collect();
    for (layout, shape) in [
        (Layout::Nchw, vec![1, 1, size, size]),
        (Layout::Nhwc, vec![1, size, size, 1]),
        (Layout::Nhwc, vec![size, size]),
    ] {
        let t = Tensor::f32(shape, data.clone());
        let plane = tensor::upload_mask(gpu, &t, layout, size).unwrap();
        let got = run(gpu, |e| tensor::tensor_to_mask(gpu, e, &plane, size)).unwrap();
        let want = cpu::tensor_to_mask(&t, layout, size).unwrap();
        assert_eq!(plane_diff(&got.download(), &want), 0.0, "{layout:?}");
    }
    let wrong = GpuPlane::new(gpu, 5, 5);
    assert!(run(gpu, |e| tensor::tensor_to_mask(gpu, e, &wrong, 4)).is_err());
}

/// The steps chained without readbacks: linear frame → crop → sRGB → boost split → tensor,
/// against the same chain on the CPU.
#[test]
fn the_crop_chain_matches_the_cpu_end_to_end() {
    let Some(gpu) = gpu_or_skip("the_crop_chain_matches_the_cpu_end_to_end") else {
        return;
    };
    let frame = textured(300, 200, 13);
    let m = crop_map((150.3, 90.8), 1.4, 0.6, 128);
    let format = TensorFormat {
        layout: Layout::Nchw,
        channels: ChannelOrder::Bgr,
        normalisation: Normalisation::Imagenet,
    };
    let on_gpu = GpuFrame::upload(gpu, &frame);
    let tensors = run(gpu, |e| {
        let crop = warp::warp_to_crop(gpu, e, &on_gpu, &m, 128);
        colour_convert::convert(gpu, e, &crop, colour_convert::Direction::Encode);
        let parts = boost::boost_split(gpu, e, &crop, 2).unwrap();
        parts
            .iter()
            .map(|p| tensor::crop_to_tensor(gpu, e, p, &format))
            .collect::<Vec<_>>()
    });
    let mut crop = face::warp_to_crop(&frame, &m, 128);
    for p in crop.pixels_mut() {
        for c in &mut p[..3] {
            *c = crate::colour::srgb_encode(*c);
        }
    }
    let parts = face::boost_split(&crop, 2).unwrap();
    let mut worst = 0.0f32;
    for (got, part) in tensors.iter().zip(&parts) {
        let want = cpu::crop_to_tensor(part, &format);
        let got = tensor::download_image(got, format.layout);
        assert_eq!(got.shape, want.shape);
        worst = worst.max(plane_diff(&values(&got), &values(&want)));
    }
    eprintln!("crop chain: worst {worst:e}");
    assert!(worst <= 1e-4, "off by {worst}");
}
