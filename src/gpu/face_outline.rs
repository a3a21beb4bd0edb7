//! Pipeline of `shaders/face_outline.wgsl`: the face-outline hull raster on the GPU, in place on
//! a mask frame. CPU twin: [`crate::face::outline::rasterise_faces`]: the same polygons (from
//! [`outline`]), the same pixel boxes (computed here by the CPU's code), the same signed
//! distance and even-odd rule, alpha max-ed and mirrored into RGB inside each box. Vertices go
//! to the GPU as integer + fraction, and the offset from an edge's nearest point is formed from
//! exact products, so only quantities of the distance's own size are rounded: measured within
//! 1.2e-7 for faces from 60 to 1100 px across, overlapping or off the frame's edge; the tests
//! assert 1e-6.

use wgpu::util::DeviceExt;

use super::{Gpu, GpuFrame, Uniforms};
use crate::face::outline::outline;
use crate::face::Landmarks;

/// `shaders/face_outline.wgsl` after the libraries its `// uses:` line names.
pub(crate) const SOURCE: &str = concat!(
    include_str!("../../shaders/lib/double_f32.wgsl"),
    include_str!("../../shaders/face_outline.wgsl"),
);

/// Records the union (max) of the outlines of `faces` into `mask`'s alpha, RGB mirroring alpha
/// in each outline's box (faces without an alignment are skipped, as on the CPU).
pub fn rasterise_faces(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    mask: &GpuFrame,
    faces: &[Landmarks],
) {
    let (w, h) = (mask.width, mask.height);
    let polygons: Vec<Vec<(f64, f64)>> = faces.iter().filter_map(outline).collect();
    let Some(vertices) = polygons.first().map(Vec::len) else {
        return;
    };
    if w == 0 || h == 0 || vertices == 0 {
        return;
    }
    let mut data: Vec<[f32; 4]> = Vec::with_capacity(polygons.len() * (vertices + 1));
    for poly in &polygons {
        assert_eq!(poly.len(), vertices, "outlines of one vertex count");
        let (mut x0, mut y0, mut x1, mut y1) = (
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        );
        for &(x, y) in poly {
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
        let clip = |v: f64, max: usize| (v.max(0.0) as usize).min(max) as f32;
        data.push([
            clip(x0 - 1.0, w),
            clip(x1 + 2.0, w),
            clip(y0 - 1.0, h),
            clip(y1 + 2.0, h),
        ]);
        for &(x, y) in poly {
            let (ix, iy) = (x.floor(), y.floor());
            data.push([ix as f32, (x - ix) as f32, iy as f32, (y - iy) as f32]);
        }
    }
    let polys = gpu
        .device
        .create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("face outlines"),
            contents: bytemuck::cast_slice(&data),
            usage: wgpu::BufferUsages::STORAGE,
        });
    let uniforms = Uniforms::new()
        .u32(w as u32)
        .u32(h as u32)
        .u32(polygons.len() as u32)
        .u32(vertices as u32)
        .u32(0);
    gpu.dispatch(
        encoder,
        &gpu.kernel(SOURCE, "rasterise"),
        &uniforms,
        &[&polys, mask.buffer()],
        Gpu::tiles(w, h),
    );
}
