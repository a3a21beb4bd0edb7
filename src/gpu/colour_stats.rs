//! Pipeline of `shaders/colour_stats.wgsl`: the colour match's statistics on the GPU, over the
//! CPU's sample grid (`Samples` of src/blend/colour_match.rs: every `step`-th pixel of every
//! `step`-th row of the core mask's support, weights > 0 only), reading back only per-workgroup
//! partials.
//!
//! Moments (Reinhard: LAB, Linear: linear RGB): each workgroup of 1024 samples sums its weighted
//! values centred on its own weighted mean in f32; the partials are combined on the CPU in f64
//! (the parallel-variance identity), so f32 accumulation never spans more than 1024 samples.
//! Against the CPU's f64 moments (tests_colour.rs, sRGB and linear input, 3·10⁴ to 2¹⁸ samples,
//! on lavapipe): means within 5e-6 (LAB units) / 1.3e-7 (linear RGB), covariances within 1.4e-6
//! of their largest entry; the f32 conversions dominate, not the sums.
//!
//! `gather` feeds the Histogram quantiles (see [`super::quantiles`]).

use super::colour_convert::groups_1d;
use super::{read_back, Gpu, GpuFrame, GpuPlane, Uniforms};
use crate::blend::gpu_twin::{grid_step, Rect};
use crate::blend::ColourMatch;
use crate::colour::ColourSpace;

/// `shaders/colour_stats.wgsl` after the libraries its `// uses:` line names.
pub(crate) const SOURCE: &str = concat!(
    include_str!("../../shaders/lib/colour.wgsl"),
    include_str!("../../shaders/colour_stats.wgsl"),
);

/// Samples per workgroup of `moments`, and output words per workgroup.
const CHUNK: usize = 1024;
const STRIDE: usize = 32;

type Mat3 = [[f64; 3]; 3];

/// The CPU's sample grid: origin, step and size in samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Grid {
    pub x0: usize,
    pub y0: usize,
    pub step: usize,
    pub gw: usize,
    pub gh: usize,
}

impl Grid {
    /// The grid over the core mask's `support` (empty for an empty support).
    pub fn over(support: Rect) -> Grid {
        let step = grid_step(support);
        Grid {
            x0: support.x0,
            y0: support.y0,
            step,
            gw: support.width().div_ceil(step),
            gh: support.height().div_ceil(step),
        }
    }

    pub fn count(&self) -> usize {
        self.gw * self.gh
    }
}

/// Weighted (mean, covariance) of Source's and Face's values, and the total weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Moments {
    pub total: f64,
    pub source: ([f64; 3], Mat3),
    pub face: ([f64; 3], Mat3),
}

fn uniforms(width: usize, grid: Grid, mode: u32, space: ColourSpace, padded: usize) -> Uniforms {
    Uniforms::new()
        .u32(width as u32)
        .u32(grid.x0 as u32)
        .u32(grid.y0 as u32)
        .u32(grid.step as u32)
        .u32(grid.gw as u32)
        .u32(grid.gh as u32)
        .u32(mode)
        .u32(u32::from(space == ColourSpace::Srgb))
        .u32(padded as u32)
}

/// Records the partial moments of `mode`'s values (Reinhard or Linear) over `grid`, weighted by
/// the full-frame `core` plane; the returned plane holds them (see [`combine`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_moments<'g>(
    gpu: &'g Gpu,
    encoder: &mut wgpu::CommandEncoder,
    mode: ColourMatch,
    space: ColourSpace,
    source: &GpuFrame,
    face: &GpuFrame,
    core: &GpuPlane,
    grid: Grid,
) -> GpuPlane<'g> {
    let groups = grid.count().div_ceil(CHUNK).max(1);
    let partials = GpuPlane::new(gpu, groups * STRIDE, 1);
    let mode = if mode == ColourMatch::Reinhard { 1 } else { 2 };
    let kernel = gpu.kernel(SOURCE, "moments");
    gpu.dispatch(
        encoder,
        &kernel,
        &uniforms(source.width, grid, mode, space, 0),
        &[
            source.buffer(),
            face.buffer(),
            core.buffer(),
            partials.buffer(),
        ],
        (groups as u32, 1, 1),
    );
    partials
}

/// The moments from the partials of [`record_moments`], in f64; `None` when no sample has
/// weight.
pub(crate) fn combine(partials: &[f32]) -> Option<Moments> {
    let groups: Vec<&[f32]> = partials.chunks_exact(STRIDE).collect();
    let total: f64 = groups.iter().map(|g| f64::from(g[0])).sum();
    if total.is_nan() || total <= 0.0 {
        return None;
    }
    // Per side: shift k at 1 (Source) or 13 (Face), Σw·d after it, then Σw·d·dᵀ (upper).
    let side = |at: usize| {
        let f = |g: &[f32], i: usize| f64::from(g[at + i]);
        let mut mean = [0.0; 3];
        for g in &groups {
            for (c, m) in mean.iter_mut().enumerate() {
                *m += f64::from(g[0]) * f(g, c) + f(g, 3 + c);
            }
        }
        let mean = mean.map(|m| m / total);
        let mut cov = [[0.0; 3]; 3];
        const UPPER: [(usize, usize); 6] = [(0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2)];
        for g in &groups {
            let w = f64::from(g[0]);
            let d = [0, 1, 2].map(|c| f(g, c) - mean[c]);
            for (u, &(i, j)) in UPPER.iter().enumerate() {
                // Σw(v − m)(v − m)ᵀ from the sums about the shift k: S2 + S1·dᵀ + d·S1ᵀ + W·d·dᵀ.
                cov[i][j] +=
                    f(g, 6 + u) + f(g, 3 + i) * d[j] + d[i] * f(g, 3 + j) + w * d[i] * d[j];
            }
        }
        let cov = [0, 1, 2].map(|i| [0, 1, 2].map(|j| cov[i.min(j)][i.max(j)] / total));
        (mean, cov)
    };
    Some(Moments {
        total,
        source: side(1),
        face: side(13),
    })
}

/// Source's and Face's moments in `mode`'s space (Reinhard or Linear) over `grid`, weighted by
/// `core`: recorded, run and read back.
pub(crate) fn moments(
    gpu: &Gpu,
    mode: ColourMatch,
    space: ColourSpace,
    source: &GpuFrame,
    face: &GpuFrame,
    core: &GpuPlane,
    grid: Grid,
) -> Option<Moments> {
    if grid.count() == 0 {
        return None;
    }
    let mut encoder = gpu.encoder();
    let partials = record_moments(gpu, &mut encoder, mode, space, source, face, core, grid);
    gpu.submit(encoder);
    let words: Vec<f32> = bytemuck::pod_collect_to_vec(&read_back(gpu, partials.buffer()));
    combine(&words[..grid.count().div_ceil(CHUNK) * STRIDE])
}

/// Records the (key, weight) pairs of the six channels (Source R, G, B, Face R, G, B) of the
/// samples of `grid` into `keys` (`padded` pairs per channel, `padded` ≥ the grid's count).
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_gather(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    source: &GpuFrame,
    face: &GpuFrame,
    core: &GpuPlane,
    grid: Grid,
    padded: usize,
    keys: &wgpu::Buffer,
) {
    let kernel = gpu.kernel(SOURCE, "gather");
    gpu.dispatch(
        encoder,
        &kernel,
        &uniforms(source.width, grid, 0, ColourSpace::Linear, padded),
        &[source.buffer(), face.buffer(), core.buffer(), keys],
        groups_1d(padded),
    );
}
