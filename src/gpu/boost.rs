//! Pipeline of `shaders/boost.wgsl`: pixel-boost interleaving on the GPU, recorded into a
//! command encoder. CPU twins: [`crate::face::boost_split`] / [`crate::face::boost_merge`],
//! with the same part order and the same errors; the GPU copies pixels, so the two are
//! bit-identical.

use super::{Gpu, GpuFrame, Uniforms};
use crate::face::BoostError;

pub(crate) const SOURCE: &str = include_str!("../../shaders/boost.wgsl");

/// The uniforms of part `(i, j)` of size `sw × sh` of a `k·sw`-wide crop.
fn uniforms((sw, sh): (usize, usize), k: usize, (i, j): (usize, usize)) -> Uniforms {
    Uniforms::new()
        .u32(sw as u32)
        .u32(sh as u32)
        .u32((sw * k) as u32)
        .u32(k as u32)
        .u32(i as u32)
        .u32(j as u32)
}

/// Records the split of `crop` into `k²` interleaved parts, `parts[i·k + j]` holding the
/// crop's column `x·k + j`, row `y·k + i` at `(x, y)`. Fails when `k` is 0 or does not divide
/// both sides of the crop.
pub fn boost_split<'g>(
    gpu: &'g Gpu,
    encoder: &mut wgpu::CommandEncoder,
    crop: &GpuFrame,
    k: usize,
) -> Result<Vec<GpuFrame<'g>>, BoostError> {
    let (w, h) = (crop.width, crop.height);
    if k == 0 || w % k != 0 || h % k != 0 {
        return Err(BoostError(format!(
            "factor {k} does not divide a {w}x{h} crop"
        )));
    }
    let (sw, sh) = (w / k, h / k);
    let kernel = gpu.kernel(SOURCE, "split");
    let mut parts = Vec::with_capacity(k * k);
    for i in 0..k {
        for j in 0..k {
            let part = GpuFrame::new(gpu, sw, sh);
            if sw > 0 && sh > 0 {
                gpu.dispatch(
                    encoder,
                    &kernel,
                    &uniforms((sw, sh), k, (i, j)),
                    &[crop.buffer(), part.buffer()],
                    Gpu::tiles(sw, sh),
                );
            }
            parts.push(part);
        }
    }
    Ok(parts)
}

/// Records the re-interleaving of `k²` equal-sized parts into one `k·S` crop, the exact
/// inverse of [`boost_split`]. Fails when there are not `k²` parts or their sizes differ.
pub fn boost_merge<'g>(
    gpu: &'g Gpu,
    encoder: &mut wgpu::CommandEncoder,
    parts: &[GpuFrame],
    k: usize,
) -> Result<GpuFrame<'g>, BoostError> {
    if k == 0 || parts.len() != k * k {
        return Err(BoostError(format!(
            "{} parts cannot be interleaved with factor {k}",
            parts.len()
        )));
    }
    let (sw, sh) = (parts[0].width, parts[0].height);
    if let Some(odd) = parts.iter().find(|p| (p.width, p.height) != (sw, sh)) {
        return Err(BoostError(format!(
            "parts differ in size: {sw}x{sh} and {}x{}",
            odd.width, odd.height
        )));
    }
    let out = GpuFrame::new(gpu, sw * k, sh * k);
    if sw == 0 || sh == 0 {
        return Ok(out);
    }
    let kernel = gpu.kernel(SOURCE, "merge");
    for i in 0..k {
        for j in 0..k {
            gpu.dispatch(
                encoder,
                &kernel,
                &uniforms((sw, sh), k, (i, j)),
                &[parts[i * k + j].buffer(), out.buffer()],
                Gpu::tiles(sw, sh),
            );
        }
    }
    Ok(out)
}
