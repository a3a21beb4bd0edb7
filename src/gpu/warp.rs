//! Pipeline of `shaders/warp.wgsl`: the bilinear similarity warps between a frame and a face
//! crop, recorded into a command encoder on frames already on the GPU. CPU twins:
//! [`crate::face::warp_to_crop`] and [`crate::face::warp_from_crop`] (same taps, same clamping,
//! same coverage ramp).
//!
//! Source positions are resolved to ~1e-7 px (fixed point plus an f32 rest, see the shader),
//! so the GPU takes the same taps as the CPU's f64 and weights within ~1e-7: pixels agree
//! within 1e-6 on 0..1 material (measured ≤ 1.2e-7, one f32 ulp of 1, on lavapipe), masks
//! within 1e-6 (measured ≤ 6e-8). The bound holds while a position's terms stay within 2¹⁶ px
//! of the origin (every real crop and paste); beyond that only which side of the frame a
//! position falls on is kept.

use super::{Gpu, GpuFrame, GpuPlane, Uniforms};
use crate::face::{Region, Similarity};

pub(crate) const SOURCE: &str = include_str!("../../shaders/warp.wgsl");

/// Fixed-point units per pixel of the shader's exact part (2¹⁴).
const UNITS: f64 = 16384.0;

/// Appends one coefficient as the shader reads it: whole units (wrapping i32 bits), the f32
/// rest, and the coefficient rounded to f32 (clamped so no product overflows to ∞ or NaN).
fn coefficient(u: Uniforms, v: f64) -> Uniforms {
    // Past 2³⁹ px the units no longer fit f64's integers; such a coefficient only contributes
    // when multiplied by 0 (elsewhere the position is far out and the coarse value decides).
    let (fix, rest) = if v.abs() < (1u64 << 39) as f64 {
        let whole = (v * UNITS).round();
        (whole as i64 as u32, (v - whole / UNITS) as f32)
    } else {
        (0, 0.0)
    };
    u.u32(fix).f32(rest).f32(v.clamp(-1e30, 1e30) as f32)
}

/// The uniforms of a warp onto a `width × height` grid from a `src_w × src_h` frame, where
/// grid pixel (u, v) reads the source at `map` applied to `origin + (u, v)` (all OpenCV
/// index convention).
fn uniforms(
    (width, height): (usize, usize),
    (src_w, src_h): (usize, usize),
    map: &Similarity,
    origin: (f64, f64),
) -> Uniforms {
    let (cx, cy) = map.apply(origin);
    let mut u = Uniforms::new()
        .u32(width as u32)
        .u32(height as u32)
        .u32(src_w as u32)
        .u32(src_h as u32);
    // x = a·X − b·Y + tx, y = b·X + a·Y + ty.
    for (c, du, dv) in [(cx, map.a, -map.b), (cy, map.b, map.a)] {
        u = coefficient(u, c);
        u = coefficient(u, du);
        u = coefficient(u, dv);
    }
    u
}

/// Records the `size × size` crop of `frame` under `m` (frame → crop): crop pixel centre `q`
/// takes the bilinear sample of `frame` at `m⁻¹(q)`, edge pixels replicated.
///
/// Transparent black when `frame` is empty or `m` is not invertible (as on the CPU).
pub fn warp_to_crop<'g>(
    gpu: &'g Gpu,
    encoder: &mut wgpu::CommandEncoder,
    frame: &GpuFrame,
    m: &Similarity,
    size: usize,
) -> GpuFrame<'g> {
    let crop = GpuFrame::new(gpu, size, size);
    if frame.width == 0 || frame.height == 0 || !m.is_invertible() {
        encoder.clear_buffer(crop.buffer(), 0, None);
        return crop;
    }
    if size == 0 {
        return crop;
    }
    let map = m.inverse().to_opencv();
    let uniforms = uniforms((size, size), (frame.width, frame.height), &map, (0.0, 0.0));
    let kernel = gpu.kernel(SOURCE, "to_crop");
    gpu.dispatch(
        encoder,
        &kernel,
        &uniforms,
        &[frame.buffer(), crop.buffer()],
        Gpu::tiles(size, size),
    );
    crop
}

/// Records the sampling of `crop` back into frame space over `region` (`m` frame → crop, as
/// the crop was made with): the region-sized image and its coverage mask, 1 where `m(p)` lies
/// within the crop's outer pixel centres, ramping to 0 half a crop pixel beyond.
///
/// All zeros when `crop` is empty or `m` is not finite (as on the CPU).
pub fn warp_from_crop<'g>(
    gpu: &'g Gpu,
    encoder: &mut wgpu::CommandEncoder,
    crop: &GpuFrame,
    m: &Similarity,
    region: Region,
) -> (GpuFrame<'g>, GpuPlane<'g>) {
    let (w, h) = (region.width(), region.height());
    let face = GpuFrame::new(gpu, w, h);
    let mask = GpuPlane::new(gpu, w, h);
    record_from_crop(
        gpu,
        encoder,
        crop,
        m,
        region,
        &[face.buffer(), mask.buffer()],
    );
    (face, mask)
}

/// [`warp_from_crop`] with the coverage multiplied into the face's alpha (a paste's face: its
/// mask where the crop reaches), one frame instead of two.
pub fn warp_from_crop_masked<'g>(
    gpu: &'g Gpu,
    encoder: &mut wgpu::CommandEncoder,
    crop: &GpuFrame,
    m: &Similarity,
    region: Region,
) -> GpuFrame<'g> {
    let face = GpuFrame::new(gpu, region.width(), region.height());
    record_from_crop(gpu, encoder, crop, m, region, &[face.buffer()]);
    face
}

/// Records `from_crop` (outputs: face and mask) or `from_crop_masked` (output: face); the
/// outputs are cleared instead when `crop` is empty or `m` is not finite (as on the CPU).
fn record_from_crop(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    crop: &GpuFrame,
    m: &Similarity,
    region: Region,
    outputs: &[&wgpu::Buffer],
) {
    let finite = [m.a, m.b, m.tx, m.ty].iter().all(|v| v.is_finite());
    if crop.width == 0 || crop.height == 0 || !finite {
        for &buffer in outputs {
            encoder.clear_buffer(buffer, 0, None);
        }
        return;
    }
    let (w, h) = (region.width(), region.height());
    if w == 0 || h == 0 {
        return;
    }
    let uniforms = uniforms(
        (w, h),
        (crop.width, crop.height),
        &m.to_opencv(),
        (region.x0 as f64, region.y0 as f64),
    );
    let entry = match outputs.len() {
        1 => "from_crop_masked",
        _ => "from_crop",
    };
    let kernel = gpu.kernel(SOURCE, entry);
    let mut buffers = vec![crop.buffer()];
    buffers.extend_from_slice(outputs);
    gpu.dispatch(encoder, &kernel, &uniforms, &buffers, Gpu::tiles(w, h));
}
