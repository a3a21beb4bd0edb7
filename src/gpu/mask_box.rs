//! Pipeline of `shaders/mask_box.wgsl`: Face Swap's crop-space paste masks on the GPU. CPU
//! twins in [`crate::swap::mask`]: [`box_mask`] ↔ `box_mask` (the same bands, then the same f32
//! blur), [`erode_and_blur`] ↔ `erode_and_blur` (the min filter is exact), both bit-identical
//! on lavapipe and asserted within 1e-6; [`combine_min`] ↔ `combine_min` (exact). Masks are `size × size` planes; the
//! blur runs on `shaders/blur.wgsl` (see [`super::blur`], also for the pooled temporaries).

use super::blur::{copy, gaussian_f32};
use super::colour_convert::groups_1d;
use super::{Gpu, GpuPlane, Uniforms};
use crate::swap::mask::BoxMask;

pub(crate) const SOURCE: &str = include_str!("../../shaders/mask_box.wgsl");

/// Records the box mask of `settings` into the square plane `dst` (its side is the crop size).
pub fn box_mask(gpu: &Gpu, encoder: &mut wgpu::CommandEncoder, settings: &BoxMask, dst: &GpuPlane) {
    assert_eq!(dst.width, dst.height, "a square crop mask");
    let size = dst.width;
    if size == 0 {
        return;
    }
    // The CPU's bands, computed the same way.
    let blur = settings.blur.clamp(0.0, 1.0);
    let amount = (0.5 * blur * size as f32) as usize;
    let band = (amount / 2).max(1);
    let pad = |i: usize| {
        ((size as f32 * settings.padding[i].clamp(0.0, 100.0) / 100.0) as usize).max(band)
    };
    let sides = [pad(0), pad(1), pad(2), pad(3)];
    if amount == 0 {
        fill_box(gpu, encoder, sides, dst);
        return;
    }
    let boxed = GpuPlane::new(gpu, size, size);
    fill_box(gpu, encoder, sides, &boxed);
    gaussian_f32(gpu, encoder, &boxed, amount as f32 * 0.25, dst);
}

/// Records the unblurred box: zero bands of `sides` (top, right, bottom, left), 1 inside.
fn fill_box(gpu: &Gpu, encoder: &mut wgpu::CommandEncoder, sides: [usize; 4], dst: &GpuPlane) {
    let mut uniforms = Uniforms::new().u32(dst.width as u32).u32(dst.height as u32);
    for side in sides {
        uniforms = uniforms.u32(side.min(u32::MAX as usize) as u32);
    }
    gpu.dispatch(
        encoder,
        &gpu.kernel(SOURCE, "fill_box"),
        &uniforms,
        &[dst.buffer()],
        Gpu::tiles(dst.width, dst.height),
    );
}

/// Records one axis of the square min filter of `radius` from `src` into `dst`.
fn min_filter(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    columns: bool,
    radius: usize,
    src: &GpuPlane,
    dst: &GpuPlane,
) {
    let uniforms = Uniforms::new()
        .u32(src.width as u32)
        .u32(src.height as u32)
        .u32(u32::from(columns))
        .u32(radius.min(u32::MAX as usize / 2) as u32)
        .u32(0)
        .u32(0);
    gpu.dispatch(
        encoder,
        &gpu.kernel(SOURCE, "min_filter"),
        &uniforms,
        &[src.buffer(), dst.buffer()],
        Gpu::tiles(src.width, src.height),
    );
}

/// Records the erosion of the square mask `src` by `radius` px (square min filter, clipped at
/// the border), then its blur of `sigma` (none when σ ≤ 0), into `dst` (not `src`).
pub fn erode_and_blur(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    src: &GpuPlane,
    radius: usize,
    sigma: f32,
    dst: &GpuPlane,
) {
    src.assert_same_size(dst);
    let (w, h) = (src.width, src.height);
    if w == 0 || h == 0 {
        return;
    }
    let blur = sigma > 0.0;
    if radius > 0 {
        let rows = GpuPlane::new(gpu, w, h);
        min_filter(gpu, encoder, false, radius, src, &rows);
        if blur {
            let eroded = GpuPlane::new(gpu, w, h);
            min_filter(gpu, encoder, true, radius, &rows, &eroded);
            gaussian_f32(gpu, encoder, &eroded, sigma, dst);
        } else {
            min_filter(gpu, encoder, true, radius, &rows, dst);
        }
    } else if blur {
        gaussian_f32(gpu, encoder, src, sigma, dst);
    } else {
        copy(encoder, src, dst);
    }
}

/// Records the element-wise minimum of `masks` (all of `dst`'s size, none of them `dst`) into
/// `dst`: each mask may only take area away. No masks leave `dst` as it was.
pub fn combine_min(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    masks: &[&GpuPlane],
    dst: &GpuPlane,
) {
    let Some(first) = masks.first() else {
        return;
    };
    copy(encoder, first, dst);
    let count = dst.width * dst.height;
    let kernel = gpu.kernel(SOURCE, "min_into");
    for mask in &masks[1..] {
        mask.assert_same_size(dst);
        gpu.dispatch(
            encoder,
            &kernel,
            &(0..5).fold(Uniforms::new().u32(count as u32), |u, _| u.u32(0)),
            &[dst.buffer(), mask.buffer()],
            groups_1d(count),
        );
    }
}
