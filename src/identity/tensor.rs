//! Crops to model tensors and back: layout (NCHW / NHWC), channel order (RGB / BGR),
//! normalisation of the input and value range of the output (models.md).
//!
//! Crops are sRGB-encoded RGB in 0..1 (what the reference tools see as `x / 255` of their 8-bit
//! frames), RGBA [`Frame`]s whose alpha is ignored on the way in and set to 1 on the way out.
//! The arithmetic is done in `f64` and rounded once to `f32`; nothing is clamped (the caller
//! decides what to do with a model's overshoot), except single-channel masks, which are
//! meaningful only in 0..1.

use std::fmt;

use super::conventions::{ChannelOrder, Layout, Normalisation, OutputRange, TensorFormat};
use crate::runtime::Tensor;
use crate::Frame;

/// ImageNet's per-channel mean, RGB order.
pub const IMAGENET_MEAN: [f64; 3] = [0.485, 0.456, 0.406];
/// ImageNet's per-channel standard deviation, RGB order.
pub const IMAGENET_STD: [f64; 3] = [0.229, 0.224, 0.225];

/// A tensor that does not hold the image or mask it should.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorError(pub String);

impl fmt::Display for TensorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TensorError {}

/// `(scale, offset)` with model value = v·scale + offset for a 0..1 value v of the RGB channel `c`.
pub(crate) fn affine(n: Normalisation, c: usize) -> (f64, f64) {
    match n {
        Normalisation::ZeroOne => (1.0, 0.0),
        // (255v/255 − 0.5)/0.5 and 255v/127.5 − 1 are both 2v − 1.
        Normalisation::MinusOneOne | Normalisation::Arcface => (2.0, -1.0),
        Normalisation::Imagenet => (1.0 / IMAGENET_STD[c], -IMAGENET_MEAN[c] / IMAGENET_STD[c]),
        Normalisation::Raw255 => (255.0, 0.0),
    }
}

/// `(scale, offset)` with 0..1 value = t·scale + offset for a model output value t.
pub(crate) fn range_affine(r: OutputRange) -> (f64, f64) {
    match r {
        OutputRange::ZeroOne => (1.0, 0.0),
        OutputRange::MinusOneOne => (0.5, 0.5),
        OutputRange::Raw255 => (1.0 / 255.0, 0.0),
    }
}

/// Which RGB channel tensor channel `k` holds.
pub(crate) fn rgb_index(order: ChannelOrder, k: usize) -> usize {
    match order {
        ChannelOrder::Rgb => k,
        ChannelOrder::Bgr => 2 - k,
    }
}

/// The shape of a batch-1, 3-channel image tensor of `w × h` in `layout`.
pub fn image_shape(layout: Layout, w: usize, h: usize) -> Vec<usize> {
    match layout {
        Layout::Nchw => vec![1, 3, h, w],
        Layout::Nhwc => vec![1, h, w, 3],
    }
}

/// Index of channel `k` of pixel `(x, y)` in a `w × h` tensor.
fn index(layout: Layout, w: usize, h: usize, x: usize, y: usize, k: usize) -> usize {
    match layout {
        Layout::Nchw => (k * h + y) * w + x,
        Layout::Nhwc => (y * w + x) * 3 + k,
    }
}

/// A crop (sRGB RGB 0..1) as the model's input tensor, batch 1.
pub fn crop_to_tensor(crop: &Frame, format: &TensorFormat) -> Tensor {
    let (w, h) = crop.size();
    let mut data = vec![0.0f32; 3 * w * h];
    let coeffs: [(f64, f64); 3] =
        std::array::from_fn(|k| affine(format.normalisation, rgb_index(format.channels, k)));
    for y in 0..h {
        for (x, p) in crop.row(y).iter().enumerate() {
            for (k, &(scale, offset)) in coeffs.iter().enumerate() {
                let v = f64::from(p[rgb_index(format.channels, k)]);
                data[index(format.layout, w, h, x, y, k)] = (v * scale + offset) as f32;
            }
        }
    }
    Tensor::f32(image_shape(format.layout, w, h), data)
}

fn shape_text(shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    format!("({})", dims.join(","))
}

pub(crate) fn check_image(
    t: &Tensor,
    layout: Layout,
    size: usize,
) -> Result<Vec<f32>, TensorError> {
    let want = image_shape(layout, size, size);
    if t.shape != want {
        return Err(TensorError(format!(
            "expected an image tensor of shape {} ({}), got {}",
            shape_text(&want),
            layout.name(),
            shape_text(&t.shape)
        )));
    }
    let data = t.to_f32_vec();
    if data.len() != 3 * size * size {
        return Err(TensorError(format!(
            "tensor of shape {} holds {} values",
            shape_text(&t.shape),
            data.len()
        )));
    }
    Ok(data)
}

fn to_frame(
    data: &[f32],
    format: &TensorFormat,
    size: usize,
    coeffs: impl Fn(usize) -> (f64, f64),
) -> Frame {
    // coeffs(c) maps a model value of RGB channel c back to 0..1.
    let per_rgb: [(f64, f64); 3] = std::array::from_fn(coeffs);
    Frame::from_fn(size, size, |x, y| {
        let mut p = [0.0, 0.0, 0.0, 1.0];
        for k in 0..3 {
            let c = rgb_index(format.channels, k);
            let (scale, offset) = per_rgb[c];
            let t = f64::from(data[index(format.layout, size, size, x, y, k)]);
            p[c] = (t * scale + offset) as f32;
        }
        p
    })
}

/// A model's image output as a `size × size` crop (RGB 0..1, alpha 1). `format` gives the
/// layout and channel order (its normalisation is not used), `range` the output's value range.
pub fn tensor_to_crop(
    t: &Tensor,
    format: &TensorFormat,
    range: OutputRange,
    size: usize,
) -> Result<Frame, TensorError> {
    let data = check_image(t, format.layout, size)?;
    let (scale, offset) = range_affine(range);
    Ok(to_frame(&data, format, size, |_| (scale, offset)))
}

/// The exact inverse of [`crop_to_tensor`] (every normalisation, ImageNet's included): what a
/// model whose output is normalised like its input would mean.
pub fn tensor_to_crop_inverse(
    t: &Tensor,
    format: &TensorFormat,
    size: usize,
) -> Result<Frame, TensorError> {
    let data = check_image(t, format.layout, size)?;
    Ok(to_frame(&data, format, size, |c| {
        let (scale, offset) = affine(format.normalisation, c);
        (1.0 / scale, -offset / scale)
    }))
}

/// A single-channel mask output as `size × size` values in 0..1 (row-major, top row first).
/// Accepts (1,1,S,S) for NCHW, (1,S,S,1) for NHWC, and (1,S,S) or (S,S) for either.
pub fn tensor_to_mask(t: &Tensor, layout: Layout, size: usize) -> Result<Vec<f32>, TensorError> {
    // One channel: NCHW and NHWC store the same row-major plane.
    Ok(check_mask(t, layout, size)?
        .into_iter()
        .map(|v| if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) })
        .collect())
}

/// The values of a mask tensor of side `size` (shapes as [`tensor_to_mask`]), unclamped.
pub(crate) fn check_mask(t: &Tensor, layout: Layout, size: usize) -> Result<Vec<f32>, TensorError> {
    let want = match layout {
        Layout::Nchw => vec![1, 1, size, size],
        Layout::Nhwc => vec![1, size, size, 1],
    };
    let ok = t.shape == want || t.shape == [1, size, size] || t.shape == [size, size];
    if !ok {
        return Err(TensorError(format!(
            "expected a mask tensor of shape {} ({}), got {}",
            shape_text(&want),
            layout.name(),
            shape_text(&t.shape)
        )));
    }
    let data = t.to_f32_vec();
    if data.len() != size * size {
        return Err(TensorError(format!(
            "mask tensor of shape {} holds {} values",
            shape_text(&t.shape),
            data.len()
        )));
    }
    Ok(data)
}

/// The side of a square batch-1 image tensor in `layout`, if `shape` is one.
pub fn image_side(shape: &[usize], layout: Layout) -> Option<usize> {
    match (layout, shape) {
        (Layout::Nchw, [1, 3, h, w]) | (Layout::Nhwc, [1, h, w, 3]) if h == w => Some(*h),
        _ => None,
    }
}
