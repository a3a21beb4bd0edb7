//! Pipeline of `shaders/region.wgsl`: a rectangle of a frame on the GPU copied out as a frame
//! of its own, bit for bit (CPU twin: reading the rectangle's pixels).

use super::{Gpu, GpuFrame, Uniforms};
use crate::face::Region;

pub(crate) const SOURCE: &str = include_str!("../../shaders/region.wgsl");

/// Records the copy of `region` of `frame` (which must lie inside it).
pub fn copy_region<'g>(
    gpu: &'g Gpu,
    encoder: &mut wgpu::CommandEncoder,
    frame: &GpuFrame,
    region: Region,
) -> GpuFrame<'g> {
    assert!(
        region.x1 <= frame.width && region.y1 <= frame.height,
        "a region inside the frame"
    );
    let (w, h) = (region.width(), region.height());
    let out = GpuFrame::new(gpu, w, h);
    if w == 0 || h == 0 {
        return out;
    }
    let uniforms = Uniforms::new()
        .u32(w as u32)
        .u32(h as u32)
        .u32(region.x0 as u32)
        .u32(region.y0 as u32)
        .u32(frame.width as u32);
    let kernel = gpu.kernel(SOURCE, "copy_region");
    gpu.dispatch(
        encoder,
        &kernel,
        &uniforms,
        &[frame.buffer(), out.buffer()],
        Gpu::tiles(w, h),
    );
    out
}
