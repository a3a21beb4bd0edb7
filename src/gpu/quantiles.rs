//! Pipeline of `shaders/quantiles.wgsl`: Histogram matching's weighted quantile tables on the
//! GPU. CPU twin: `quantiles` of src/blend/histogram.rs over the same samples.
//!
//! The samples are sorted by value, then weight (bitonic; the CPU's order exactly, ties
//! included), then the midpoint-rule walk runs inverted, one invocation per sample. Positions are
//! f64 on the CPU; on the GPU a block offset from the CPU (hi + lo) plus an f32 sum over at most
//! 1024 samples, so a table entry moves by (position error) / (weight) × (gap to the next
//! sample value): negligible. Measured against the CPU (tests_colour.rs, 1 to 2¹⁸ samples, on
//! lavapipe): within 2.7e-6 before ties were ordered by weight on both sides (see the tests for
//! the bound now). Read back:
//! 8 bytes per channel and 1024 samples, then the 6 × 4096 table entries.

use super::colour_stats::{record_gather, Grid};
use super::{read_back, Gpu, GpuFrame, GpuPlane, Uniforms};
use crate::blend::gpu_twin::QUANTILES;

pub(crate) const SOURCE: &str = include_str!("../../shaders/quantiles.wgsl");

/// Sorted pairs per block of the positions, and per workgroup of the local sort.
const BLOCK: usize = 1024;
const LOCAL: usize = 512;
/// Source R, G, B and Face R, G, B.
const CHANNELS: usize = 6;

fn uniforms(padded: usize, count: usize, size: usize, dist: usize) -> Uniforms {
    Uniforms::new()
        .u32(padded as u32)
        .u32(count as u32)
        .u32((padded / BLOCK) as u32)
        .u32(size as u32)
        .u32(dist as u32)
}

/// Records the ascending sort of the six channels of `padded` (a power of two ≥ [`BLOCK`])
/// (key, weight) pairs each in `keys`.
pub(crate) fn record_sort(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    keys: &wgpu::Buffer,
    padded: usize,
) {
    let local = gpu.kernel(SOURCE, "sort_local");
    let step = gpu.kernel(SOURCE, "sort_step");
    let tiles = ((padded / LOCAL) as u32, CHANNELS as u32, 1);
    let pairs = ((padded / 2 / 64) as u32, CHANNELS as u32, 1);
    let u = |size, dist| uniforms(padded, 0, size, dist);
    gpu.dispatch(encoder, &local, &u(2, LOCAL), &[keys], tiles);
    let mut k = 2 * LOCAL;
    while k <= padded {
        let mut j = k / 2;
        while j >= LOCAL {
            gpu.dispatch(encoder, &step, &u(k, j), &[keys], pairs);
            j /= 2;
        }
        gpu.dispatch(encoder, &local, &u(k, k), &[keys], tiles);
        k *= 2;
    }
}

/// (hi, lo): `v` as an f32 and its remainder.
fn split(v: f64) -> [f32; 2] {
    let hi = v as f32;
    [hi, (v - f64::from(hi)) as f32]
}

/// The six quantile tables (Source R, G, B, then Face R, G, B, [`QUANTILES`] entries each, at
/// k/(QUANTILES − 1) of the total weight) of the samples of `grid` weighted by the full-frame
/// `core` plane; `None` when no sample has weight.
pub(crate) fn quantile_tables(
    gpu: &Gpu,
    source: &GpuFrame,
    face: &GpuFrame,
    core: &GpuPlane,
    grid: Grid,
) -> Option<Vec<f32>> {
    if grid.count() == 0 {
        return None;
    }
    let padded = grid.count().next_power_of_two().max(BLOCK);
    let blocks = padded / BLOCK;
    // Six channels of `padded` pairs of 32-bit words: 3·padded vec4s.
    let keys = GpuFrame::new(gpu, 3 * padded, 1);
    let sums = GpuPlane::new(gpu, CHANNELS * (blocks + 1) * 2, 1);
    let mut encoder = gpu.encoder();
    record_gather(
        gpu,
        &mut encoder,
        source,
        face,
        core,
        grid,
        padded,
        keys.buffer(),
    );
    record_sort(gpu, &mut encoder, keys.buffer(), padded);
    let groups = (blocks as u32, CHANNELS as u32, 1);
    let u = uniforms(padded, 0, 0, 0);
    let block_sums = gpu.kernel(SOURCE, "block_sums");
    gpu.dispatch(
        &mut encoder,
        &block_sums,
        &u,
        &[keys.buffer(), sums.buffer()],
        groups,
    );
    gpu.submit(encoder);
    let read: Vec<[f32; 2]> = bytemuck::pod_collect_to_vec(&read_back(gpu, sums.buffer()));
    let count: usize = read[..blocks].iter().map(|b| b[1] as usize).sum();
    if count == 0 {
        return None;
    }

    // Block offsets and totals in f64, and the target positions.
    let mut offsets = vec![[0.0f32; 2]; CHANNELS * (blocks + 1)];
    let mut goals = vec![[0.0f32; 2]; CHANNELS * QUANTILES];
    for ch in 0..CHANNELS {
        let mut below = 0.0f64;
        for b in 0..blocks {
            offsets[ch * (blocks + 1) + b] = split(below);
            below += f64::from(read[ch * (blocks + 1) + b][0]);
        }
        offsets[ch * (blocks + 1) + blocks] = split(below);
        for (k, goal) in goals[ch * QUANTILES..][..QUANTILES].iter_mut().enumerate() {
            *goal = split(k as f64 / (QUANTILES - 1) as f64 * below);
        }
    }
    gpu.queue
        .write_buffer(sums.buffer(), 0, bytemuck::cast_slice(&offsets));
    let goals: Vec<f32> = goals.into_iter().flatten().collect();
    let goals = GpuPlane::upload(gpu, goals.len(), 1, &goals);
    let mids = GpuFrame::new(gpu, 3 * padded, 1);
    let tables = GpuPlane::new(gpu, CHANNELS * QUANTILES, 1);

    let mut encoder = gpu.encoder();
    let u = uniforms(padded, count, 0, 0);
    let midpoints = gpu.kernel(SOURCE, "midpoints");
    let buffers = [keys.buffer(), sums.buffer(), mids.buffer()];
    gpu.dispatch(&mut encoder, &midpoints, &u, &buffers, groups);
    let walk = gpu.kernel(SOURCE, "quantiles");
    gpu.dispatch(
        &mut encoder,
        &walk,
        &u,
        &[
            keys.buffer(),
            sums.buffer(),
            mids.buffer(),
            goals.buffer(),
            tables.buffer(),
        ],
        (count.div_ceil(64) as u32, CHANNELS as u32, 1),
    );
    gpu.submit(encoder);
    Some(tables.download())
}
