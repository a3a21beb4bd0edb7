//! Pipeline of `shaders/reduce.wgsl`: a frame on the GPU put in the model domain, reduced by an
//! integer factor (detection's view) or not (a crop's conversion). CPU twin:
//! [`crate::swap::model_domain`] (the same block sums in the same order, the same clamping and
//! non-finite rule); they agree within 2e-6 (the sRGB curve's f32 `pow`), and exactly for
//! sRGB-encoded input reduced by 1.

use super::{Gpu, GpuFrame, Uniforms};
use crate::colour::ColourSpace;

/// `shaders/reduce.wgsl` after the libraries its `// uses:` line names.
pub(crate) const SOURCE: &str = concat!(
    include_str!("../../shaders/lib/colour.wgsl"),
    include_str!("../../shaders/reduce.wgsl"),
);

/// Records `frame` reduced by `factor` (at least 1) into the model domain of `space`.
pub fn to_model_domain<'g>(
    gpu: &'g Gpu,
    encoder: &mut wgpu::CommandEncoder,
    frame: &GpuFrame,
    factor: usize,
    space: ColourSpace,
) -> GpuFrame<'g> {
    let factor = factor.max(1);
    let (w, h) = (frame.width.div_ceil(factor), frame.height.div_ceil(factor));
    let out = GpuFrame::new(gpu, w, h);
    if w == 0 || h == 0 {
        return out;
    }
    let uniforms = Uniforms::new()
        .u32(w as u32)
        .u32(h as u32)
        .u32(frame.width as u32)
        .u32(frame.height as u32)
        .u32(factor as u32)
        .u32(u32::from(space == ColourSpace::Linear));
    let kernel = gpu.kernel(SOURCE, "reduce");
    gpu.dispatch(
        encoder,
        &kernel,
        &uniforms,
        &[frame.buffer(), out.buffer()],
        Gpu::tiles(w, h),
    );
    out
}
