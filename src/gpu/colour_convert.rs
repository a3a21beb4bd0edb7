//! Pipeline of `shaders/colour_convert.wgsl`: sRGB encode / decode of a frame on the GPU, in
//! place. CPU twin: [`crate::colour::srgb_encode`] / [`crate::colour::srgb_decode`]; they agree
//! within 2e-6 on 0..1 (f32 `pow` on the GPU against f64 on the CPU), relatively beyond.

use super::{Gpu, GpuFrame, Uniforms};

/// `shaders/colour_convert.wgsl` after the libraries its `// uses:` line names.
pub(crate) const SOURCE: &str = concat!(
    include_str!("../../shaders/lib/colour.wgsl"),
    include_str!("../../shaders/colour_convert.wgsl"),
);

/// Which way to convert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Linear → sRGB-encoded.
    Encode,
    /// sRGB-encoded → linear.
    Decode,
}

/// The 1-D dispatch covering `count` items with 64-wide workgroups, folded into y past 65535
/// workgroups (the shader unfolds it the same way).
pub fn groups_1d(count: usize) -> (u32, u32, u32) {
    let groups = (count as u32).div_ceil(64).max(1);
    (groups.min(65_535), groups.div_ceil(65_535), 1)
}

/// Records the conversion of `frame`'s R, G, B in place.
pub fn convert(gpu: &Gpu, encoder: &mut wgpu::CommandEncoder, frame: &GpuFrame, dir: Direction) {
    let count = frame.width * frame.height;
    let kernel = gpu.kernel(SOURCE, "convert");
    let uniforms = Uniforms::new().u32(count as u32).u32(match dir {
        Direction::Encode => 0,
        Direction::Decode => 1,
    });
    gpu.dispatch(
        encoder,
        &kernel,
        &uniforms,
        &[frame.buffer()],
        groups_1d(count),
    );
}
