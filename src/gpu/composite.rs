//! Pipeline of `shaders/composite.wgsl`: Face Blend's output frame. CPU twin: `base`,
//! `composite` and `mask_only` of src/blend/composite.rs; the same f32 arithmetic, so they agree
//! to the rounding of one multiply-add (exactly where w = 0 or w ≥ 1).

use super::{Gpu, GpuFrame, GpuPlane, Uniforms};
use crate::blend::gpu_twin::Rect;

pub(crate) const SOURCE: &str = include_str!("../../shaders/composite.wgsl");

/// Records the frame the composite starts from into `out`: a copy of `source`, or transparent
/// black when `zero`.
pub(crate) fn record_base(
    encoder: &mut wgpu::CommandEncoder,
    source: &GpuFrame,
    out: &GpuFrame,
    zero: bool,
) {
    assert_eq!(
        (source.width, source.height),
        (out.width, out.height),
        "the output has Source's size"
    );
    if zero {
        encoder.clear_buffer(out.buffer(), 0, None);
    } else {
        encoder.copy_buffer_to_buffer(source.buffer(), 0, out.buffer(), 0, None);
    }
}

fn uniforms(out: &GpuFrame, support: Rect, work: Rect, mix: f32, face_only: bool) -> Uniforms {
    Uniforms::new()
        .u32(out.width as u32)
        .u32(support.x0 as u32)
        .u32(support.y0 as u32)
        .u32(support.width() as u32)
        .u32(support.height() as u32)
        .u32(work.x0 as u32)
        .u32(work.y0 as u32)
        .u32(work.width() as u32)
        .f32(mix)
        .u32(u32::from(face_only))
}

/// Records the composite of the `work`-sized `matched` face into `out` (from [`record_base`])
/// through the full-frame final `weights` · `mix` over `support` (⊂ `work`): Source's alpha
/// kept, or the face premultiplied by w with alpha w when `face_only`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_composite(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    out: &GpuFrame,
    weights: &GpuPlane,
    matched: &GpuFrame,
    support: Rect,
    work: Rect,
    mix: f32,
    face_only: bool,
) {
    assert_eq!(
        (matched.width, matched.height),
        (work.width(), work.height())
    );
    let kernel = gpu.kernel(SOURCE, "composite");
    gpu.dispatch(
        encoder,
        &kernel,
        &uniforms(out, support, work, mix, face_only),
        &[weights.buffer(), out.buffer(), matched.buffer()],
        Gpu::tiles(support.width(), support.height()),
    );
}

/// Records the weight w = `weights` · `mix` into every channel of `out` over `support` (`out`
/// cleared by [`record_base`] elsewhere).
pub(crate) fn record_mask_only(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    out: &GpuFrame,
    weights: &GpuPlane,
    support: Rect,
    mix: f32,
) {
    let kernel = gpu.kernel(SOURCE, "mask_only");
    gpu.dispatch(
        encoder,
        &kernel,
        &uniforms(out, support, support, mix, false),
        &[weights.buffer(), out.buffer()],
        Gpu::tiles(support.width(), support.height()),
    );
}
