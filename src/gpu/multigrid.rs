//! Pipeline of `shaders/multigrid.wgsl`: the multigrid levels of the GPU Poisson solve and the
//! symmetric V-cycle that preconditions its conjugate gradients (see [`super::poisson`]).
//! CPU twin: `crate::blend::multigrid`, step for step: 2×2 aggregation with Galerkin coarse
//! operators down to at most 16 cells, one red-black Gauss–Seidel pair before and after the
//! coarse correction (red then black, black then red), the correction over-corrected by 1.75,
//! and 32 symmetric sweep pairs on the coarsest level. Every level stays on the GPU: building
//! the levels and a cycle are only recorded dispatches (a cycle: 6 per level, 1 for the
//! coarsest).

use super::{Gpu, GpuFrame, Uniforms};

pub(crate) const SOURCE: &str = include_str!("../../shaders/multigrid.wgsl");

/// Levels stop coarsening at this many cells (the CPU's `COARSEST`; the coarsest kernel runs
/// one workgroup of 64 invocations, one per cell).
const COARSEST: usize = 16;

/// One coarse level: its operator and its right-hand side and solution vectors.
struct Coarse<'g> {
    w: usize,
    h: usize,
    op: GpuFrame<'g>,
    b: GpuFrame<'g>,
    x: GpuFrame<'g>,
}

/// The operator of every level, finest first, with the coarse levels' vectors.
pub struct Levels<'g> {
    w: usize,
    h: usize,
    fine: GpuFrame<'g>,
    coarse: Vec<Coarse<'g>>,
}

/// Which cells a sweep updates.
#[derive(Clone, Copy)]
enum Colour {
    Red = 0,
    Black = 1,
}

/// The uniforms of a level of `size` whose coarser level is `coarse`.
fn uniforms(size: (usize, usize), coarse: (usize, usize), colour: Colour, fresh: bool) -> Uniforms {
    Uniforms::new()
        .u32(size.0 as u32)
        .u32(size.1 as u32)
        .u32(coarse.0 as u32)
        .u32(coarse.1 as u32)
        .u32(colour as u32)
        .u32(u32::from(fresh))
}

impl<'g> Levels<'g> {
    /// Records the coarse operators below `fine`, the `w × h` finest operator (one
    /// `(diagonal, right coupling, lower coupling, domain)` per cell).
    pub fn build(
        gpu: &'g Gpu,
        encoder: &mut wgpu::CommandEncoder,
        fine: GpuFrame<'g>,
        w: usize,
        h: usize,
    ) -> Levels<'g> {
        assert!(fine.width * fine.height >= w * h, "an operator per cell");
        let kernel = gpu.kernel(SOURCE, "coarsen");
        let mut coarse: Vec<Coarse<'g>> = Vec::new();
        let (mut cw, mut ch) = (w, h);
        while cw * ch > COARSEST {
            let size = (cw, ch);
            (cw, ch) = (cw.div_ceil(2), ch.div_ceil(2));
            let level = Coarse {
                w: cw,
                h: ch,
                op: GpuFrame::new(gpu, cw, ch),
                b: GpuFrame::new(gpu, cw, ch),
                x: GpuFrame::new(gpu, cw, ch),
            };
            let finer = coarse.last().map_or(&fine, |c| &c.op);
            gpu.dispatch(
                encoder,
                &kernel,
                &uniforms(size, (cw, ch), Colour::Red, false),
                &[finer.buffer(), level.op.buffer()],
                Gpu::tiles(cw, ch),
            );
            coarse.push(level);
        }
        Levels { w, h, fine, coarse }
    }

    /// The finest level's operator.
    pub fn fine(&self) -> &GpuFrame<'g> {
        &self.fine
    }

    /// How many levels (the finest included).
    pub fn count(&self) -> usize {
        1 + self.coarse.len()
    }

    /// Records x ≈ A⁻¹ b on the finest level by one symmetric V-cycle (x need not be
    /// initialised: the first sweep takes it as zero).
    pub fn cycle(&self, gpu: &Gpu, encoder: &mut wgpu::CommandEncoder, b: &GpuFrame, x: &GpuFrame) {
        self.cycle_from(gpu, encoder, 0, b.buffer(), x.buffer());
    }

    fn level(&self, k: usize) -> (usize, usize, &GpuFrame<'g>) {
        match k {
            0 => (self.w, self.h, &self.fine),
            _ => {
                let c = &self.coarse[k - 1];
                (c.w, c.h, &c.op)
            }
        }
    }

    fn cycle_from(
        &self,
        gpu: &Gpu,
        encoder: &mut wgpu::CommandEncoder,
        k: usize,
        b: &wgpu::Buffer,
        x: &wgpu::Buffer,
    ) {
        let (w, h, op) = self.level(k);
        let Some(next) = self.coarse.get(k) else {
            assert!(w * h <= COARSEST, "the coarsest level fits one workgroup");
            let kernel = gpu.kernel(SOURCE, "coarsest");
            let u = uniforms((w, h), (0, 0), Colour::Red, false);
            gpu.dispatch(encoder, &kernel, &u, &[op.buffer(), b, x], (1, 1, 1));
            return;
        };
        let coarse = (next.w, next.h);
        let sweep = |encoder: &mut wgpu::CommandEncoder, colour, fresh| {
            let kernel = gpu.kernel(SOURCE, "relax");
            let u = uniforms((w, h), coarse, colour, fresh);
            gpu.dispatch(encoder, &kernel, &u, &[op.buffer(), b, x], Gpu::tiles(w, h));
        };
        sweep(encoder, Colour::Red, true);
        sweep(encoder, Colour::Black, false);
        let restrict = gpu.kernel(SOURCE, "restrict_residual");
        gpu.dispatch(
            encoder,
            &restrict,
            &uniforms((w, h), coarse, Colour::Red, false),
            &[op.buffer(), b, x, next.b.buffer()],
            Gpu::tiles(next.w, next.h),
        );
        self.cycle_from(gpu, encoder, k + 1, next.b.buffer(), next.x.buffer());
        let prolong = gpu.kernel(SOURCE, "prolong");
        gpu.dispatch(
            encoder,
            &prolong,
            &uniforms((w, h), coarse, Colour::Red, false),
            &[op.buffer(), next.x.buffer(), x],
            Gpu::tiles(w, h),
        );
        sweep(encoder, Colour::Black, false);
        sweep(encoder, Colour::Red, false);
    }

    /// Every buffer, to be kept until the recorded work is submitted.
    pub fn into_frames(self) -> Vec<GpuFrame<'g>> {
        let mut frames = vec![self.fine];
        for c in self.coarse {
            frames.extend([c.op, c.b, c.x]);
        }
        frames
    }
}
