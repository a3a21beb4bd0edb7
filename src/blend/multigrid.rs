//! The multigrid half of the Poisson solver: the 5-point operator on a cell grid with a border,
//! its 2×2-aggregation (Galerkin) coarse levels, red-black Gauss–Seidel smoothing and the
//! symmetric V-cycle used as the conjugate-gradient preconditioner, plus the level vectors' dot
//! products. Every pass runs over bands of rows in parallel (see `par`): a red-black sweep
//! updates one colour from the other, so a band only needs a copy of the rows bordering it; dot
//! products are summed per row, then over rows in order, whatever the number of threads.

use super::par;

/// Levels stop coarsening at this many cells.
pub(super) const COARSEST: usize = 16;
/// Scale of the coarse-grid correction. Piecewise-constant aggregation underestimates smooth
/// corrections by about half; over-correcting restores multigrid-like convergence (about a
/// third of the iterations), and keeps the symmetric preconditioner positive definite.
const OVERCORRECT: f32 = 1.75;
/// Cells per band below which a pass stays on one thread (a level this small is in cache: a
/// pass over it takes about as long as starting a thread).
pub(super) const GRAIN: usize = 1 << 16;

/// Three colour channels and a spare lane, solved together: one pass over the operator serves
/// all of them, and the lanes vectorise.
pub(super) type V = [f32; 4];

#[inline(always)]
fn madd(acc: &mut V, c: f32, v: &V) {
    for k in 0..4 {
        acc[k] += c * v[k];
    }
}

/// One grid level of the operator over `w × h` cells, stored with a one-cell border of
/// non-domain cells so neighbours need no bounds checks. `diag` is the diagonal, `cx`/`cy` the
/// couplings (stored positive; the matrix entry is −c) to the right/lower neighbour. Cells outside
/// the domain have diagonal 1, no couplings and a zero right-hand side, so they stay 0.
pub(super) struct Level {
    pub w: usize,
    pub h: usize,
    /// Row stride (w + 2).
    pub stride: usize,
    /// 1 in the domain, 0 elsewhere.
    pub dom: Vec<f32>,
    pub diag: Vec<f32>,
    /// 1 / diag.
    pub inv: Vec<f32>,
    pub cx: Vec<f32>,
    pub cy: Vec<f32>,
}

impl Level {
    pub fn empty(w: usize, h: usize) -> Level {
        let n = (w + 2) * (h + 2);
        Level {
            w,
            h,
            stride: w + 2,
            dom: vec![0.0; n],
            diag: vec![1.0; n],
            inv: vec![1.0; n],
            cx: vec![0.0; n],
            cy: vec![0.0; n],
        }
    }

    /// Storage index of interior cell (x, y).
    #[inline]
    pub fn at(&self, x: usize, y: usize) -> usize {
        (y + 1) * self.stride + x + 1
    }

    /// The storage of the interior rows.
    fn interior(&self) -> std::ops::Range<usize> {
        self.stride..(self.h + 1) * self.stride
    }

    /// Σ couplings · neighbours of storage cell `i`, the rows above and below given apart.
    #[inline(always)]
    fn neighbours(&self, i: usize, row: &[V], j: usize, above: &V, below: &V) -> V {
        let s = self.stride;
        let mut n = [0.0; 4];
        madd(&mut n, self.cx[i - 1], &row[j - 1]);
        madd(&mut n, self.cx[i], &row[j + 1]);
        madd(&mut n, self.cy[i - s], above);
        madd(&mut n, self.cy[i], below);
        n
    }

    /// (A v)_i for storage cell `i`.
    #[inline(always)]
    fn apply_at(&self, v: &[V], i: usize) -> V {
        let s = self.stride;
        let mut out = self.neighbours(i, v, i, &v[i - s], &v[i + s]);
        for k in 0..4 {
            out[k] = self.diag[i] * v[i][k] - out[k];
        }
        out
    }

    /// out = A v over the interior, with the per-row sums of v·(A v) in `dots`.
    pub fn apply(&self, v: &[V], out: &mut [V], dots: &mut [[f64; 4]]) {
        let (s, w) = (self.stride, self.w);
        let range = self.interior();
        par::bands2(&mut out[range], s, dots, 1, GRAIN, |first, band, dots| {
            for (r, (row, dot)) in band.chunks_mut(s).zip(dots.iter_mut()).enumerate() {
                let base = (first + r + 1) * s;
                *dot = [0.0; 4];
                for x in 1..=w {
                    let a = self.apply_at(v, base + x);
                    row[x] = a;
                    for k in 0..4 {
                        dot[k] += f64::from(v[base + x][k]) * f64::from(a[k]);
                    }
                }
            }
        });
    }

    /// Gauss–Seidel over the cells of one colour ((x + y) % 2 == colour). The other colour is
    /// only read, so each band works from a copy of the rows just outside it. With `fresh`, v is
    /// taken as zero before the sweep (the other colour is set to zero). Unless `dots` is empty,
    /// it gets the per-row sums of b·v after the sweep.
    fn smooth(&self, v: &mut [V], b: &[V], colour: usize, fresh: bool, dots: &mut [[f64; 4]]) {
        let (s, w, h) = (self.stride, self.w, self.h);
        let band_rows = par::band_rows(h, s, GRAIN);
        // The rows just above and below each band of interior rows [y0, y1).
        let halos: Vec<(Vec<V>, Vec<V>)> = (0..h)
            .step_by(band_rows)
            .map(|y0| {
                let y1 = (y0 + band_rows).min(h);
                (
                    v[y0 * s..(y0 + 1) * s].to_vec(),
                    v[(y1 + 1) * s..(y1 + 2) * s].to_vec(),
                )
            })
            .collect();
        let range = self.interior();
        let dot_row = usize::from(!dots.is_empty());
        par::bands2(
            &mut v[range],
            s,
            dots,
            dot_row,
            GRAIN,
            |first, band, dots| {
                let (above, below) = &halos[first / band_rows];
                let rows = band.len() / s;
                for r in 0..rows {
                    let y = first + r;
                    let (before, rest) = band.split_at_mut(r * s);
                    let (row, after) = rest.split_at_mut(s);
                    let up = if r == 0 {
                        above
                    } else {
                        &before[(r - 1) * s..]
                    };
                    let down = if r + 1 == rows { below } else { &after[..s] };
                    let base = (y + 1) * s;
                    if fresh {
                        row.iter_mut().for_each(|c| *c = [0.0; 4]);
                    }
                    for x in ((y + colour) % 2..w).step_by(2) {
                        let (i, j) = (base + x + 1, x + 1);
                        let n = if fresh {
                            [0.0; 4]
                        } else {
                            self.neighbours(i, row, j, &up[j], &down[j])
                        };
                        let cell = &mut row[j];
                        for k in 0..4 {
                            cell[k] = (b[i][k] + n[k]) * self.inv[i];
                        }
                    }
                    if let Some(dot) = dots.get_mut(r) {
                        *dot = row_dot(&b[base + 1..base + 1 + w], &row[1..=w]);
                    }
                }
            },
        );
    }

    /// The coarse right-hand side: the residual b − A x summed over each 2×2 aggregate.
    fn restrict(&self, x: &[V], b: &[V], coarse: &Level, bc: &mut [V]) {
        let (s, cs) = (self.stride, coarse.stride);
        let range = coarse.interior();
        par::bands(&mut bc[range], cs, GRAIN / 4, |first, band| {
            for (r, row) in band.chunks_mut(cs).enumerate() {
                let yc = first + r;
                for xc in 0..coarse.w {
                    let mut acc = [0.0f32; 4];
                    for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                        let (fx, fy) = (2 * xc + dx, 2 * yc + dy);
                        if fx < self.w && fy < self.h {
                            let i = (fy + 1) * s + fx + 1;
                            let a = self.apply_at(x, i);
                            for k in 0..4 {
                                acc[k] += b[i][k] - a[k];
                            }
                        }
                    }
                    row[xc + 1] = acc;
                }
            }
        });
    }

    /// x += OVERCORRECT · (the coarse correction xc, constant over each aggregate), in Ω.
    fn prolong(&self, x: &mut [V], coarse: &Level, xc: &[V]) {
        let s = self.stride;
        let range = self.interior();
        par::bands(&mut x[range], s, GRAIN, |first, band| {
            for (r, row) in band.chunks_mut(s).enumerate() {
                let y = first + r;
                let base = (y + 1) * s;
                for xx in 0..self.w {
                    let c = OVERCORRECT * self.dom[base + xx + 1];
                    madd(&mut row[xx + 1], c, &xc[coarse.at(xx / 2, y / 2)]);
                }
            }
        });
    }

    /// Galerkin coarse level for piecewise-constant prolongation over 2×2 aggregates.
    pub fn coarsen(&self) -> Level {
        let mut c = Level::empty(self.w.div_ceil(2), self.h.div_ceil(2));
        // Reading outside the interior hits the zero border.
        let get = |v: &Vec<f32>, x: usize, y: usize| v[(y + 1) * self.stride + x + 1];
        for y in 0..c.h {
            for x in 0..c.w {
                let (fx, fy) = (2 * x, 2 * y);
                let mut diag = 0.0;
                let mut any = false;
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    if fx + dx < self.w
                        && fy + dy < self.h
                        && get(&self.dom, fx + dx, fy + dy) > 0.0
                    {
                        any = true;
                        diag += get(&self.diag, fx + dx, fy + dy);
                    }
                }
                if !any {
                    continue;
                }
                // Couplings inside the aggregate cancel against the diagonal.
                let inner = get(&self.cx, fx, fy)
                    + get(&self.cx, fx, fy + 1)
                    + get(&self.cy, fx, fy)
                    + get(&self.cy, fx + 1, fy);
                let ci = c.at(x, y);
                c.dom[ci] = 1.0;
                c.diag[ci] = diag - 2.0 * inner;
                c.inv[ci] = 1.0 / c.diag[ci];
                c.cx[ci] = get(&self.cx, fx + 1, fy) + get(&self.cx, fx + 1, fy + 1);
                c.cy[ci] = get(&self.cy, fx, fy + 1) + get(&self.cy, fx + 1, fy + 1);
            }
        }
        c
    }
}

/// x ≈ A⁻¹ b by one symmetric V-cycle over `levels` (`levels[0]` the current one), `bufs[k]`
/// the (b, x) buffers of `levels[k + 1]`. Pre-smoothing red then black, post-smoothing black
/// then red: the cycle is a symmetric operator, as conjugate gradients needs.
/// Unless `dots` is empty, it gets the per-row sums of b·x (from the last sweep).
pub(super) fn cycle(
    levels: &[Level],
    bufs: &mut [(Vec<V>, Vec<V>)],
    b: &[V],
    x: &mut [V],
    dots: &mut [[f64; 4]],
) {
    let level = &levels[0];
    let Some(((bc, xc), rest)) = bufs.split_first_mut() else {
        x.iter_mut().for_each(|v| *v = [0.0; 4]);
        for k in 0..32 {
            level.smooth(x, b, 0, false, &mut []);
            level.smooth(x, b, 1, false, &mut []);
            level.smooth(x, b, 1, false, &mut []);
            let last = if k == 31 { &mut *dots } else { &mut [] };
            level.smooth(x, b, 0, false, last);
        }
        return;
    };
    level.smooth(x, b, 0, true, &mut []);
    level.smooth(x, b, 1, false, &mut []);
    level.restrict(x, b, &levels[1], bc);
    cycle(&levels[1..], rest, bc, xc, &mut []);
    level.prolong(x, &levels[1], xc);
    level.smooth(x, b, 1, false, &mut []);
    level.smooth(x, b, 0, false, dots);
}

/// Per-lane sums of the per-row sums, in row order.
pub(super) fn total(rows: &[[f64; 4]]) -> [f64; 4] {
    let mut s = [0.0f64; 4];
    for r in rows {
        for k in 0..4 {
            s[k] += r[k];
        }
    }
    s
}

/// Per-lane Σ a·b over one row, in f64.
fn row_dot(a: &[V], b: &[V]) -> [f64; 4] {
    let mut d = [0.0f64; 4];
    for (x, y) in a.iter().zip(b) {
        for k in 0..4 {
            d[k] += f64::from(x[k]) * f64::from(y[k]);
        }
    }
    d
}

/// Per-lane dot products of two level vectors, per row then in row order.
pub(super) fn dot(level: &Level, a: &[V], b: &[V], rows: &mut [[f64; 4]]) -> [f64; 4] {
    let s = level.stride;
    par::fill(rows, GRAIN / s.max(1), |y| {
        let span = (y + 1) * s + 1..(y + 1) * s + 1 + level.w;
        row_dot(&a[span.clone()], &b[span])
    });
    total(rows)
}
