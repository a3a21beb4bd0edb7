//! Unit tests for `identity::tensor`: round trips for every layout, channel order and
//! normalisation, the reference formulas, shape checks and single-channel masks.

use super::conventions::*;
use super::tensor::*;
use crate::runtime::Tensor;
use crate::Frame;

fn frame(w: usize, h: usize) -> Frame {
    Frame::from_fn(w, h, |x, y| {
        let t = (x * 31 + y * 17) as f32;
        [
            (t % 97.0) / 96.0,
            ((t * 3.0) % 89.0) / 88.0,
            ((t * 7.0) % 83.0) / 82.0,
            0.25,
        ]
    })
}

const ALL_NORMS: [Normalisation; 5] = [
    Normalisation::ZeroOne,
    Normalisation::MinusOneOne,
    Normalisation::Imagenet,
    Normalisation::Raw255,
    Normalisation::Arcface,
];

fn max_diff(a: &Frame, b: &Frame) -> f32 {
    a.pixels()
        .iter()
        .zip(b.pixels())
        .flat_map(|(p, q)| (0..3).map(move |c| (p[c] - q[c]).abs()))
        .fold(0.0, f32::max)
}

#[test]
fn tensors_round_trip_for_every_format() {
    let crop = frame(24, 24);
    for layout in [Layout::Nchw, Layout::Nhwc] {
        for channels in [ChannelOrder::Rgb, ChannelOrder::Bgr] {
            for normalisation in ALL_NORMS {
                let f = TensorFormat {
                    layout,
                    channels,
                    normalisation,
                };
                let t = crop_to_tensor(&crop, &f);
                assert_eq!(t.shape, image_shape(layout, 24, 24));
                let back = tensor_to_crop_inverse(&t, &f, 24).unwrap();
                assert!(
                    max_diff(&back, &crop) <= 1e-6,
                    "{f:?}: {}",
                    max_diff(&back, &crop)
                );
                assert!(back.pixels().iter().all(|p| p[3] == 1.0));
                let range = match normalisation {
                    Normalisation::ZeroOne => Some(OutputRange::ZeroOne),
                    Normalisation::MinusOneOne | Normalisation::Arcface => {
                        Some(OutputRange::MinusOneOne)
                    }
                    Normalisation::Raw255 => Some(OutputRange::Raw255),
                    Normalisation::Imagenet => None,
                };
                if let Some(range) = range {
                    let back = tensor_to_crop(&t, &f, range, 24).unwrap();
                    assert!(max_diff(&back, &crop) <= 1e-6, "{f:?} {range:?}");
                }
            }
        }
    }
}

#[test]
fn tensor_values_follow_the_reference_formulas() {
    let crop = Frame::from_fn(2, 1, |x, _| {
        if x == 0 {
            [0.2, 0.4, 0.6, 1.0]
        } else {
            [1.0, 0.0, 0.5, 1.0]
        }
    });
    let f = |layout, channels, normalisation| TensorFormat {
        layout,
        channels,
        normalisation,
    };
    // NCHW RGB ImageNet: channel planes, per-colour mean/std.
    let t = crop_to_tensor(
        &crop,
        &f(Layout::Nchw, ChannelOrder::Rgb, Normalisation::Imagenet),
    );
    let v = t.as_f32().unwrap();
    assert_eq!(t.shape, [1, 3, 1, 2]);
    let want = [
        (0.2 - 0.485) / 0.229,
        (1.0 - 0.485) / 0.229,
        (0.4 - 0.456) / 0.224,
        (0.0 - 0.456) / 0.224,
    ];
    for (g, w) in v.iter().zip(want) {
        assert!((f64::from(*g) - w).abs() < 1e-6, "{v:?}");
    }
    // NHWC BGR x/255·255: interleaved, blue first.
    let t = crop_to_tensor(
        &crop,
        &f(Layout::Nhwc, ChannelOrder::Bgr, Normalisation::Raw255),
    );
    assert_eq!(t.shape, [1, 1, 2, 3]);
    let v = t.as_f32().unwrap();
    for (g, w) in v.iter().zip([153.0, 102.0, 51.0, 127.5, 0.0, 255.0]) {
        assert!((g - w).abs() < 1e-4, "{v:?}");
    }
    // Arcface x/127.5 − 1 equals (x/255 − 0.5)/0.5.
    let a = crop_to_tensor(
        &crop,
        &f(Layout::Nchw, ChannelOrder::Rgb, Normalisation::Arcface),
    );
    let m = crop_to_tensor(
        &crop,
        &f(Layout::Nchw, ChannelOrder::Rgb, Normalisation::MinusOneOne),
    );
    assert_eq!(a, m);
    // Output −1..1 → 0..1, alpha 1, no clamping.
    let out = Tensor::f32(vec![1, 3, 1, 1], vec![-1.0, 0.0, 1.5]);
    let fr = tensor_to_crop(
        &out,
        &f(Layout::Nchw, ChannelOrder::Rgb, Normalisation::ZeroOne),
        OutputRange::MinusOneOne,
        1,
    )
    .unwrap();
    assert_eq!(fr.pixel(0, 0), [0.0, 0.5, 1.25, 1.0]);
}

#[test]
fn shapes_are_checked_and_masks_come_out_single_channel() {
    let f = TensorFormat {
        layout: Layout::Nchw,
        channels: ChannelOrder::Rgb,
        normalisation: Normalisation::ZeroOne,
    };
    let t = Tensor::f32(vec![1, 3, 4, 4], vec![0.0; 48]);
    let err = tensor_to_crop(&t, &f, OutputRange::ZeroOne, 8).unwrap_err();
    assert!(
        err.to_string().contains("(1,3,8,8)") && err.to_string().contains("(1,3,4,4)"),
        "{err}"
    );
    let nhwc = TensorFormat {
        layout: Layout::Nhwc,
        ..f
    };
    assert!(tensor_to_crop(&t, &nhwc, OutputRange::ZeroOne, 4).is_err());
    let values: Vec<f32> = (0..9).map(|i| i as f32 / 4.0 - 0.5).collect();
    for shape in [vec![1, 3, 3, 1], vec![1, 3, 3], vec![3, 3]] {
        let m =
            tensor_to_mask(&Tensor::f32(shape.clone(), values.clone()), Layout::Nhwc, 3).unwrap();
        assert_eq!(
            m,
            [0.0, 0.0, 0.0, 0.25, 0.5, 0.75, 1.0, 1.0, 1.0],
            "{shape:?}"
        );
    }
    let m = tensor_to_mask(
        &Tensor::f64(
            vec![1, 1, 3, 3],
            values.iter().map(|&v| f64::from(v)).collect(),
        ),
        Layout::Nchw,
        3,
    )
    .unwrap();
    assert_eq!(m[4], 0.5);
    assert!(tensor_to_mask(&Tensor::f32(vec![1, 1, 3, 3], values), Layout::Nhwc, 3).is_err());
    assert_eq!(image_side(&[1, 3, 64, 64], Layout::Nchw), Some(64));
    assert_eq!(image_side(&[1, 64, 64, 3], Layout::Nchw), None);
}
