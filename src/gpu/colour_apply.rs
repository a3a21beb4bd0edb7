//! Pipeline of `shaders/colour_apply.wgsl`: the colour match's transfer applied to Face over the
//! work rectangle, giving the matched face (a work-sized frame). CPU twin: `Transfer::apply` of
//! src/blend/colour_match.rs where the matched face is needed, Face elsewhere.
//!
//! The transfer itself comes from the CPU (Reinhard / Linear coefficients fitted in f64 from the
//! GPU's moments, Histogram tables from the GPU's quantiles); the per-pixel arithmetic is f32
//! (sRGB and LAB conversions through `pow`, the cube root refined by a Newton step): with the
//! statistics, the matched face lies within 2.3e-6 of the CPU's (see [`super::blend`]).

use super::{Gpu, GpuFrame, GpuPlane, Uniforms};
use crate::blend::gpu_twin::{Coefficients, Rect};
use crate::colour::ColourSpace;

/// `shaders/colour_apply.wgsl` after the libraries its `// uses:` line names.
pub(crate) const SOURCE: &str = concat!(
    include_str!("../../shaders/lib/colour.wgsl"),
    include_str!("../../shaders/colour_apply.wgsl"),
);

/// What to apply.
pub(crate) enum Transfer<'a> {
    /// Face as it is (no colour match, or no statistics).
    Copy,
    /// Reinhard or Linear.
    Fitted(Coefficients),
    /// Histogram: Face's quantile tables of R, G, B then Source's, [`QUANTILES`] entries each.
    ///
    /// [`QUANTILES`]: crate::blend::gpu_twin::QUANTILES
    Curves(&'a wgpu::Buffer),
}

/// Records the matched face over `work` into the `work`-sized `matched`: `transfer` applied to
/// the full-frame `face` where the full-frame final `weights` are > 0 (and, when `seamless`,
/// next to them inside `work`), Face elsewhere; alpha is Face's.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_apply(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    face: &GpuFrame,
    weights: &GpuPlane,
    work: Rect,
    seamless: bool,
    space: ColourSpace,
    transfer: &Transfer,
    matched: &GpuFrame,
) {
    assert_eq!(
        (matched.width, matched.height),
        (work.width(), work.height())
    );
    let (mode, c) = match transfer {
        Transfer::Copy | Transfer::Curves(_) => (0, [0.0; 12]),
        Transfer::Fitted(Coefficients::Lab { scale, offset }) => {
            let mut c = [0.0; 12];
            c[..3].copy_from_slice(scale);
            c[3..6].copy_from_slice(offset);
            (1, c)
        }
        Transfer::Fitted(Coefficients::Affine { m, offset }) => {
            let mut c = [0.0; 12];
            c[..9].copy_from_slice(m.as_flattened());
            c[9..].copy_from_slice(offset);
            (2, c)
        }
    };
    let uniforms = c.iter().fold(
        Uniforms::new()
            .u32(face.width as u32)
            .u32(work.x0 as u32)
            .u32(work.y0 as u32)
            .u32(work.width() as u32)
            .u32(work.height() as u32)
            .u32(u32::from(seamless))
            .u32(mode)
            .u32(u32::from(space == ColourSpace::Srgb)),
        |u, &v| u.f32(v as f32),
    );
    let mut buffers = vec![face.buffer(), weights.buffer(), matched.buffer()];
    let entry = match transfer {
        Transfer::Curves(tables) => {
            buffers.push(tables);
            "apply_curves"
        }
        _ => "apply",
    };
    let kernel = gpu.kernel(SOURCE, entry);
    gpu.dispatch(
        encoder,
        &kernel,
        &uniforms,
        &buffers,
        Gpu::tiles(work.width(), work.height()),
    );
}
