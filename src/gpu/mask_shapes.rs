//! Pipeline of `shaders/mask_shapes.wgsl`: Face Blend's raw masks as whole-frame planes on the
//! GPU. CPU twins in `crate::blend::mask` (whose `Plane` covers a rectangle of the frame, zero
//! elsewhere; here the same values fill a `w × h` plane):
//! - [`ellipse`] ↔ `ellipse`: the same rectangle (computed here by the CPU's code), the same
//!   first-order distance and box-filter coverage. ρ² − 1 is summed in double-f32 from the
//!   CPU's f64 quadratic form, so the distance to the outline does not lose precision with the
//!   frame's size; the rest is f32. Measured within 1.3e-7 (radii 1.7 to 1800 px, rotated,
//!   crossing the frame's border); the tests assert 1e-6.
//! - [`from_alpha`] ↔ `from_alpha`: alpha clamped to [0, 1] (exact); a NaN or infinite alpha
//!   reads 0 and its first position (row-major, as the CPU reports it) is kept for
//!   [`AlphaCheck::first_non_finite`].
//! - [`invert`] ↔ `invert`: 1 − m (exact).
//! - [`support`] ↔ `Plane::support`: the bounding box of the non-zero values (exact), read
//!   back as 16 bytes.

use std::ops::Range;

use wgpu::util::DeviceExt;

use super::{read_back, Gpu, GpuFrame, GpuPlane, Uniforms};
use crate::blend::Ellipse;

/// `shaders/mask_shapes.wgsl` after the libraries its `// uses:` line names.
pub(crate) const SOURCE: &str = concat!(
    include_str!("../../shaders/lib/double_f32.wgsl"),
    include_str!("../../shaders/lib/edge.wgsl"),
    include_str!("../../shaders/mask_shapes.wgsl"),
);

/// Words in the shader's uniform block (every entry point binds all of them).
const PARAM_WORDS: usize = 20;

/// `width`, `height` and zeros: the uniform block of the entry points that need no more.
fn plain(width: usize, height: usize) -> Uniforms {
    (2..PARAM_WORDS).fold(
        Uniforms::new().u32(width as u32).u32(height as u32),
        |u, _| u.u32(0),
    )
}

/// `v` as an f32 pair whose sum is `v` to about 48 bits.
fn hi_lo(v: f64) -> (f32, f32) {
    let hi = v as f32;
    (hi, (v - f64::from(hi)) as f32)
}

/// Records the anti-aliased ellipse `e` into the whole-frame plane `dst`.
pub fn ellipse(gpu: &Gpu, encoder: &mut wgpu::CommandEncoder, e: &Ellipse, dst: &GpuPlane) {
    let (w, h) = (dst.width, dst.height);
    if w == 0 || h == 0 {
        return;
    }
    // The CPU's rectangle and constants, computed the same way.
    let (cx, cy) = (f64::from(e.centre.0), f64::from(e.centre.1));
    let (rx, ry) = (f64::from(e.radii.0), f64::from(e.radii.1));
    let (sin, cos) = f64::from(e.angle_deg).to_radians().sin_cos();
    let mut rect = [0u32; 4];
    if rx > 0.0 && ry > 0.0 {
        let ex = (rx * rx * cos * cos + ry * ry * sin * sin).sqrt() + 1.0;
        let ey = (rx * rx * sin * sin + ry * ry * cos * cos).sqrt() + 1.0;
        let clip = |v: f64, max: usize| v.floor().clamp(0.0, max as f64) as u32;
        rect = [
            clip(cx - ex, w),
            clip(cy - ey, h),
            clip(cx + ex + 1.0, w),
            clip(cy + ey + 1.0, h),
        ];
    }
    let (r2x, r2y) = (rx * rx, ry * ry);
    let qa = hi_lo(cos * cos / r2x + sin * sin / r2y);
    let qb = hi_lo(2.0 * sin * cos * (1.0 / r2y - 1.0 / r2x));
    let qc = hi_lo(sin * sin / r2x + cos * cos / r2y);
    let uniforms = rect
        .iter()
        .fold(Uniforms::new().u32(w as u32).u32(h as u32), |u, &v| {
            u.u32(v)
        });
    let uniforms = [
        e.centre.0,
        e.centre.1,
        e.radii.0,
        e.radii.1,
        cos as f32,
        sin as f32,
        qa.0,
        qa.1,
        qb.0,
        qb.1,
        qc.0,
        qc.1,
        rx.min(ry) as f32,
    ]
    .iter()
    .fold(uniforms, |u, &v| u.f32(v))
    .u32(0);
    gpu.dispatch(
        encoder,
        &gpu.kernel(SOURCE, "ellipse"),
        &uniforms,
        &[dst.buffer()],
        Gpu::tiles(w, h),
    );
}

/// A small storage buffer of u32 results, readable after submission.
fn probe(gpu: &Gpu, label: &str, words: [u32; 4]) -> wgpu::Buffer {
    gpu.device
        .create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some(label),
            contents: bytemuck::cast_slice(&words),
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        })
}

/// Where [`from_alpha`] saw its first non-finite alpha, known once the work has run.
pub struct AlphaCheck {
    buffer: wgpu::Buffer,
    width: usize,
}

impl AlphaCheck {
    /// Waits for the recorded work and reads back the first pixel (x, y), in row-major order,
    /// whose alpha was NaN or infinite: the CPU's `BlendError::NonFinite` position.
    pub fn first_non_finite(&self, gpu: &Gpu) -> Option<(usize, usize)> {
        let bytes = read_back(gpu, &self.buffer);
        let index = u32::from_le_bytes(bytes[..4].try_into().expect("4 bytes"));
        (index != u32::MAX).then(|| {
            let i = index as usize;
            (i % self.width, i / self.width)
        })
    }
}

/// Records the mask from `frame`'s alpha, clamped to [0, 1], into `dst` (non-finite alphas
/// read 0); the returned check tells, after submission, whether the CPU would have refused it.
pub fn from_alpha(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    frame: &GpuFrame,
    dst: &GpuPlane,
) -> AlphaCheck {
    assert_eq!(
        (frame.width, frame.height),
        (dst.width, dst.height),
        "a mask of the frame's size"
    );
    let buffer = probe(gpu, "first non-finite alpha", [u32::MAX; 4]);
    if frame.width > 0 && frame.height > 0 {
        gpu.dispatch(
            encoder,
            &gpu.kernel(SOURCE, "from_alpha"),
            &plain(frame.width, frame.height),
            &[frame.buffer(), dst.buffer(), &buffer],
            Gpu::tiles(frame.width, frame.height),
        );
    }
    AlphaCheck {
        buffer,
        width: frame.width.max(1),
    }
}

/// Records 1 − `src` into `dst` (not `src`) over the whole plane.
pub fn invert(gpu: &Gpu, encoder: &mut wgpu::CommandEncoder, src: &GpuPlane, dst: &GpuPlane) {
    src.assert_same_size(dst);
    if src.width == 0 || src.height == 0 {
        return;
    }
    gpu.dispatch(
        encoder,
        &gpu.kernel(SOURCE, "invert"),
        &plain(src.width, src.height),
        &[src.buffer(), dst.buffer()],
        Gpu::tiles(src.width, src.height),
    );
}

/// The bounding box of a plane's non-zero values, known once the work has run.
pub struct SupportCheck {
    buffer: wgpu::Buffer,
}

impl SupportCheck {
    /// Waits for the recorded work and reads the box back: the columns and rows holding
    /// non-zero values (`None` when every value is zero).
    pub fn bounds(&self, gpu: &Gpu) -> Option<(Range<usize>, Range<usize>)> {
        let bytes = read_back(gpu, &self.buffer);
        let word = |i: usize| {
            u32::from_le_bytes(bytes[4 * i..4 * i + 4].try_into().expect("4 bytes")) as usize
        };
        (word(2) > 0).then(|| (word(0)..word(2), word(1)..word(3)))
    }
}

/// Records the search for the bounding box of `plane`'s non-zero values.
pub fn support(gpu: &Gpu, encoder: &mut wgpu::CommandEncoder, plane: &GpuPlane) -> SupportCheck {
    let buffer = probe(gpu, "mask support", [u32::MAX, u32::MAX, 0, 0]);
    if plane.width > 0 && plane.height > 0 {
        gpu.dispatch(
            encoder,
            &gpu.kernel(SOURCE, "support"),
            &plain(plane.width, plane.height),
            &[plane.buffer(), &buffer],
            Gpu::tiles(plane.width, plane.height),
        );
    }
    SupportCheck { buffer }
}
