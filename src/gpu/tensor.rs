//! Pipeline of `shaders/tensor.wgsl`: crops to model tensors and back on the GPU, recorded into
//! a command encoder. CPU twins: [`crate::identity::tensor`]'s `crop_to_tensor`,
//! `tensor_to_crop`, `tensor_to_crop_inverse` and `tensor_to_mask`, for every layout, channel
//! order, normalisation and output range.
//!
//! A tensor on the GPU is a [`GpuPlane`] holding its values in ONNX's (row-major) order: an
//! NCHW image of `w × h` is a `w × 3h` plane (three channel planes stacked), an NHWC one a
//! `3w × h` plane (RGB triplets along each row), a mask `size × size`.
//!
//! The CPU computes `v·scale + offset` in f64 and rounds once; the GPU in f32 with the
//! coefficients rounded to f32. Where they are exact in f32 (every normalisation but ImageNet's,
//! every output range but 0..255) the results are identical for 0..1 crops; otherwise they
//! differ by a few f32 ulps of the result: within 1e-6 (measured ≤ 4.8e-7 into an ImageNet
//! tensor from a 0..1 crop, ≤ 1.2e-7 back to a crop). Masks are bit-identical.
//!
//! float16 models stay on the CPU side: the runtime converts their tensors to and from f32,
//! and those are what these kernels read and write.

use super::{Gpu, GpuFrame, GpuPlane, Uniforms};
use crate::identity::conventions::{Layout, OutputRange, TensorFormat};
use crate::identity::tensor::{
    affine, check_image, check_mask, image_shape, range_affine, rgb_index, TensorError,
};
use crate::runtime::Tensor;

pub(crate) const SOURCE: &str = include_str!("../../shaders/tensor.wgsl");

/// The plane holding a `w × h` image tensor in `layout`.
fn image_plane<'g>(gpu: &'g Gpu, layout: Layout, w: usize, h: usize) -> GpuPlane<'g> {
    match layout {
        Layout::Nchw => GpuPlane::new(gpu, w, 3 * h),
        Layout::Nhwc => GpuPlane::new(gpu, 3 * w, h),
    }
}

/// The uniforms of a `w × h` kernel: per tensor channel k, the frame channel and the affine
/// coefficients `coeffs(c)` of that frame channel c.
fn uniforms(
    (w, h): (usize, usize),
    format: &TensorFormat,
    coeffs: impl Fn(usize) -> (f64, f64),
) -> Uniforms {
    let channels: [usize; 3] = std::array::from_fn(|k| rgb_index(format.channels, k));
    let mut u = Uniforms::new()
        .u32(w as u32)
        .u32(h as u32)
        .u32(match format.layout {
            Layout::Nchw => 0,
            Layout::Nhwc => 1,
        });
    for c in channels {
        u = u.u32(c as u32);
    }
    for c in channels {
        u = u.f32(coeffs(c).0 as f32);
    }
    for c in channels {
        u = u.f32(coeffs(c).1 as f32);
    }
    u
}

/// Records `crop` (sRGB RGB 0..1) as the model's input tensor, batch 1, in `format`; its
/// shape is [`image_shape`]`(format.layout, w, h)`.
pub fn crop_to_tensor<'g>(
    gpu: &'g Gpu,
    encoder: &mut wgpu::CommandEncoder,
    crop: &GpuFrame,
    format: &TensorFormat,
) -> GpuPlane<'g> {
    let (w, h) = (crop.width, crop.height);
    let out = image_plane(gpu, format.layout, w, h);
    let uniforms = uniforms((w, h), format, |c| affine(format.normalisation, c));
    dispatch(
        gpu,
        encoder,
        "to_tensor",
        &uniforms,
        [crop.buffer(), out.buffer()],
        (w, h),
    );
    out
}

/// Records `entry` reading `buffers[0]` into `buffers[1]` over a `w × h` grid (nothing when it
/// is empty).
fn dispatch(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    entry: &'static str,
    uniforms: &Uniforms,
    buffers: [&wgpu::Buffer; 2],
    (w, h): (usize, usize),
) {
    if w > 0 && h > 0 {
        let kernel = gpu.kernel(SOURCE, entry);
        gpu.dispatch(encoder, &kernel, uniforms, &buffers, Gpu::tiles(w, h));
    }
}

/// Checks that `t` holds `channels·size²` values (an image tensor of side `size` when
/// `channels` is 3, a mask when 1).
fn check_len(t: &GpuPlane, channels: usize, size: usize) -> Result<(), TensorError> {
    let n = t.width * t.height;
    let want = channels * size * size;
    if n != want {
        let what = if channels == 1 { "a mask" } else { "an image" };
        return Err(TensorError(format!(
            "expected {what} tensor of {want} values (side {size}), got {n}"
        )));
    }
    Ok(())
}

/// Records the `size × size` crop (RGB, alpha 1) that tensor channel values map to by
/// `coeffs(c)` for frame channel c.
fn to_crop<'g>(
    gpu: &'g Gpu,
    encoder: &mut wgpu::CommandEncoder,
    t: &GpuPlane,
    format: &TensorFormat,
    size: usize,
    coeffs: impl Fn(usize) -> (f64, f64),
) -> Result<GpuFrame<'g>, TensorError> {
    check_len(t, 3, size)?;
    let out = GpuFrame::new(gpu, size, size);
    let uniforms = uniforms((size, size), format, coeffs);
    let buffers = [t.buffer(), out.buffer()];
    dispatch(
        gpu,
        encoder,
        "from_tensor",
        &uniforms,
        buffers,
        (size, size),
    );
    Ok(out)
}

/// Records a model's image output as a `size × size` crop (RGB 0..1, alpha 1): `format`'s
/// layout and channel order (its normalisation is not used), `range` the output's range.
pub fn tensor_to_crop<'g>(
    gpu: &'g Gpu,
    encoder: &mut wgpu::CommandEncoder,
    t: &GpuPlane,
    format: &TensorFormat,
    range: OutputRange,
    size: usize,
) -> Result<GpuFrame<'g>, TensorError> {
    let coeffs = range_affine(range);
    to_crop(gpu, encoder, t, format, size, |_| coeffs)
}

/// Records the exact inverse of [`crop_to_tensor`] (every normalisation, ImageNet's included).
pub fn tensor_to_crop_inverse<'g>(
    gpu: &'g Gpu,
    encoder: &mut wgpu::CommandEncoder,
    t: &GpuPlane,
    format: &TensorFormat,
    size: usize,
) -> Result<GpuFrame<'g>, TensorError> {
    to_crop(gpu, encoder, t, format, size, |c| {
        let (scale, offset) = affine(format.normalisation, c);
        (1.0 / scale, -offset / scale)
    })
}

/// Records a single-channel mask output (`size²` values) as a `size × size` plane in 0..1
/// (NaN → 0).
pub fn tensor_to_mask<'g>(
    gpu: &'g Gpu,
    encoder: &mut wgpu::CommandEncoder,
    t: &GpuPlane,
    size: usize,
) -> Result<GpuPlane<'g>, TensorError> {
    check_len(t, 1, size)?;
    let out = GpuPlane::new(gpu, size, size);
    // The whole Params block (12 words), though only the size is read.
    let uniforms = (0..10).fold(Uniforms::new().u32(size as u32).u32(size as u32), |u, _| {
        u.u32(0)
    });
    let buffers = [t.buffer(), out.buffer()];
    dispatch(gpu, encoder, "to_mask", &uniforms, buffers, (size, size));
    Ok(out)
}

/// A model's image output of side `size` on the GPU, after the CPU's shape checks.
pub fn upload_image<'g>(
    gpu: &'g Gpu,
    t: &Tensor,
    layout: Layout,
    size: usize,
) -> Result<GpuPlane<'g>, TensorError> {
    let data = check_image(t, layout, size)?;
    let out = image_plane(gpu, layout, size, size);
    if !data.is_empty() {
        gpu.queue
            .write_buffer(out.buffer(), 0, bytemuck::cast_slice(&data));
    }
    Ok(out)
}

/// A model's mask output of side `size` on the GPU, after the CPU's shape checks.
pub fn upload_mask<'g>(
    gpu: &'g Gpu,
    t: &Tensor,
    layout: Layout,
    size: usize,
) -> Result<GpuPlane<'g>, TensorError> {
    let data = check_mask(t, layout, size)?;
    Ok(GpuPlane::upload(gpu, size, size, &data))
}

/// Waits for the work queued so far and copies an image tensor made by [`crop_to_tensor`]
/// back, with its shape.
pub fn download_image(t: &GpuPlane, layout: Layout) -> Tensor {
    let (w, h) = match layout {
        Layout::Nchw => (t.width, t.height / 3),
        Layout::Nhwc => (t.width / 3, t.height),
    };
    Tensor::f32(image_shape(layout, w, h), t.download())
}
