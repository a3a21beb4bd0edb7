//! Pipeline of `shaders/blur.wgsl`: separable blurs of whole `w × h` mask planes on the GPU,
//! clamp-to-edge at the plane's border. CPU twins:
//! - [`feather`] ↔ `crate::blend::blur::feather` (Face Blend), the same filter choice (sampled
//!   Gaussian for σ ≤ 4, three extended boxes per axis beyond) and the same exact 0 / 1 rules,
//!   so pixels the blur does not reach stay exactly 0 and an opaque core stays exactly 1; a box
//!   window holding a non-zero value never gives 0 (a tail lost to f32 rounding is raised to the
//!   least normal f32), so the mask is zero exactly where the CPU's is (the seamless step's
//!   domain depends on it, see `super::blend_masks`). The CPU blurs the mask's rectangle grown
//!   by the filter's reach, which equals blurring the whole plane (the grown border is zero
//!   through every pass). The GPU sums in f32 (the CPU in f64),
//!   the box passes by running sums with exact counts of zeros and ones and a compensated sum
//!   of the rest: measured within 3e-7 (Gaussian and boxes alike, σ from 0.5 to the cap);
//!   the tests assert 2e-6.
//! - [`gaussian_f32`] ↔ `crate::swap::mask`'s box-mask blur: the same f32 taps summed in the
//!   same order, bit-identical on lavapipe (fused multiply-adds elsewhere may differ by ulps;
//!   the tests assert 1e-6).
//!
//! Temporaries come from the pool and go back when a function returns, before the recorded work
//! runs: a later `queue.write_buffer` into a pooled buffer lands before this encoder's work, so
//! upload inputs before recording (or keep the encoder's steps free of uploads).

use super::colour_convert::groups_1d;
use super::{Gpu, GpuPlane, Uniforms};
use crate::blend::blur::{Filter, SIGMA_CAP_FRAMES};
use crate::swap::mask::gaussian_kernel;

/// `shaders/blur.wgsl` after the libraries its `// uses:` line names.
pub(crate) const SOURCE: &str = concat!(
    include_str!("../../shaders/lib/double_f32.wgsl"),
    include_str!("../../shaders/blur.wgsl"),
);

const EXACT_ONES: u32 = 1;
const CLAMP: u32 = 2;

/// Along rows (x) or columns (y).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Axis {
    Rows = 0,
    Columns = 1,
}

/// Records a copy of `src` into `dst` (a blur of nothing).
pub(crate) fn copy(encoder: &mut wgpu::CommandEncoder, src: &GpuPlane, dst: &GpuPlane) {
    src.assert_same_size(dst);
    let bytes = (src.width * src.height) as u64 * 4;
    if bytes > 0 {
        encoder.copy_buffer_to_buffer(src.buffer(), 0, dst.buffer(), 0, bytes);
    }
}

/// A kernel's taps as a storage buffer.
fn taps_buffer(gpu: &Gpu, taps: &[f32]) -> wgpu::Buffer {
    gpu.constant("blur taps", bytemuck::cast_slice(taps))
}

fn params(plane: &GpuPlane, axis: Axis, radius: usize, flags: u32) -> Uniforms {
    Uniforms::new()
        .u32(plane.width as u32)
        .u32(plane.height as u32)
        .u32(axis as u32)
        .u32(radius as u32)
        .u32(flags)
}

/// Records one sampled-kernel pass (`taps` for offsets −r..=r) from `src` into `dst`.
#[allow(clippy::too_many_arguments)]
fn convolve(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    taps: &wgpu::Buffer,
    radius: usize,
    axis: Axis,
    flags: u32,
    src: &GpuPlane,
    dst: &GpuPlane,
) {
    let kernel = gpu.kernel(SOURCE, "convolve");
    gpu.dispatch(
        encoder,
        &kernel,
        &params(src, axis, radius, flags).f32(0.0).f32(1.0).u32(0),
        &[taps, src.buffer(), dst.buffer()],
        Gpu::tiles(src.width, src.height),
    );
}

/// Records the separable blur of `src` by normalised `taps` (offsets −r..=r) into `dst`.
fn separable(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    taps: &[f32],
    flags: u32,
    src: &GpuPlane,
    dst: &GpuPlane,
) {
    let buffer = taps_buffer(gpu, taps);
    let radius = taps.len() / 2;
    let rows = GpuPlane::new(gpu, src.width, src.height);
    let first = flags & EXACT_ONES;
    convolve(gpu, encoder, &buffer, radius, Axis::Rows, first, src, &rows);
    convolve(
        gpu,
        encoder,
        &buffer,
        radius,
        Axis::Columns,
        flags,
        &rows,
        dst,
    );
}

/// Records three extended-box passes (radius `r`, end taps `alpha`) along `axis`: `src` →
/// `out` → `mid` → `out`.
#[allow(clippy::too_many_arguments)]
fn boxes(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    r: usize,
    alpha: f64,
    axis: Axis,
    flags: u32,
    src: &GpuPlane,
    mid: &GpuPlane,
    out: &GpuPlane,
) {
    let kernel = gpu.kernel(SOURCE, "boxes");
    let lines = match axis {
        Axis::Rows => src.height,
        Axis::Columns => src.width,
    };
    let norm = (2 * r + 1) as f64 + 2.0 * alpha;
    gpu.dispatch(
        encoder,
        &kernel,
        &params(src, axis, r, flags)
            .f32(alpha as f32)
            .f32(norm as f32)
            .u32(0),
        &[src.buffer(), mid.buffer(), out.buffer()],
        groups_1d(lines),
    );
}

/// Records Face Blend's feather of `src` (a whole-frame mask) by a Gaussian of `sigma` pixels
/// into `dst`, clamped to [0, 1]; σ ≤ 0 or NaN copies. `src` and `dst` must differ.
pub fn feather(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    src: &GpuPlane,
    sigma: f64,
    dst: &GpuPlane,
) {
    src.assert_same_size(dst);
    let (w, h) = (src.width, src.height);
    if sigma.is_nan() || sigma <= 0.0 || w == 0 || h == 0 {
        copy(encoder, src, dst);
        return;
    }
    let sigma = sigma.min(SIGMA_CAP_FRAMES * w.max(h) as f64);
    let filter = if sigma <= 4.0 {
        Filter::gaussian(sigma)
    } else {
        Filter::boxes(sigma)
    };
    match filter {
        Filter::Gaussian(taps) => {
            let taps: Vec<f32> = taps.iter().map(|&t| t as f32).collect();
            separable(gpu, encoder, &taps, EXACT_ONES | CLAMP, src, dst);
        }
        Filter::Boxes { r, alpha } => {
            let rows = GpuPlane::new(gpu, w, h);
            let mid = GpuPlane::new(gpu, w, h);
            boxes(gpu, encoder, r, alpha, Axis::Rows, 0, src, &mid, &rows);
            boxes(
                gpu,
                encoder,
                r,
                alpha,
                Axis::Columns,
                CLAMP,
                &rows,
                &mid,
                dst,
            );
        }
    }
}

/// Records Face Swap's box-mask blur (`crate::swap::mask`'s `gaussian_blur`: f32 taps over
/// ±⌈3σ⌉, no exact-value rules, no clamp) of `src` into `dst`. `src` and `dst` must differ.
pub(crate) fn gaussian_f32(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    src: &GpuPlane,
    sigma: f32,
    dst: &GpuPlane,
) {
    src.assert_same_size(dst);
    if src.width == 0 || src.height == 0 {
        return;
    }
    // The CPU's kernel.
    let kernel = gaussian_kernel(sigma);
    separable(gpu, encoder, &kernel, 0, src, dst);
}
