//! Seamless (Poisson) cloning: the face keeps its own gradients and meets Source exactly at the
//! edge of the mask, solved only over the mask's support rectangle.
//!
//! Ω = the pixels where the final mask is non-zero. The result is f = face + h, h harmonic in Ω
//! (5-point Laplacian) with h = source − face on the pixels just outside Ω (Dirichlet) and zero
//! normal derivative where Ω touches the frame edge (Neumann). This is exactly the guided
//! interpolation of Pérez et al. 2003 with the face's gradients as the guidance field.
//!
//! Solver: conjugate gradients preconditioned by one symmetric multigrid V-cycle (2×2 aggregation
//! with Galerkin coarse operators, so any mask shape works; red-black Gauss–Seidel smoothing),
//! the three channels side by side, from h = 0, until ‖r‖ ≤ 1e-4·‖b‖ per channel or 100
//! iterations: bounded and deterministic. On a 512 px face that is 9 iterations and within
//! 0.003/255 of the converged solution.
//! A mask covering the whole frame has no boundary to match: the face is left as it is.

use super::mask::{Plane, Rect};
use crate::Frame;

const TOLERANCE: f64 = 1e-4;
const MAX_ITERATIONS: usize = 100;
/// Levels stop coarsening at this many cells.
const COARSEST: usize = 16;
/// Scale of the coarse-grid correction. Piecewise-constant aggregation underestimates smooth
/// corrections by about half; over-correcting restores multigrid-like convergence (about a
/// third of the iterations), and keeps the symmetric preconditioner positive definite.
const OVERCORRECT: f32 = 1.75;

/// Three colour channels and a spare lane, solved together: one pass over the operator serves
/// all of them, and the lanes vectorise.
type V = [f32; 4];

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
struct Level {
    w: usize,
    h: usize,
    /// Row stride (w + 2).
    stride: usize,
    /// 1 in the domain, 0 elsewhere.
    dom: Vec<f32>,
    diag: Vec<f32>,
    cx: Vec<f32>,
    cy: Vec<f32>,
}

impl Level {
    fn empty(w: usize, h: usize) -> Level {
        let n = (w + 2) * (h + 2);
        Level {
            w,
            h,
            stride: w + 2,
            dom: vec![0.0; n],
            diag: vec![1.0; n],
            cx: vec![0.0; n],
            cy: vec![0.0; n],
        }
    }

    /// Storage index of interior cell (x, y).
    #[inline]
    fn at(&self, x: usize, y: usize) -> usize {
        (y + 1) * self.stride + x + 1
    }

    #[inline(always)]
    fn neighbours(&self, v: &[V], i: usize) -> V {
        let s = self.stride;
        let mut n = [0.0; 4];
        madd(&mut n, self.cx[i - 1], &v[i - 1]);
        madd(&mut n, self.cx[i], &v[i + 1]);
        madd(&mut n, self.cy[i - s], &v[i - s]);
        madd(&mut n, self.cy[i], &v[i + s]);
        n
    }

    fn apply(&self, v: &[V], out: &mut [V]) {
        for y in 0..self.h {
            for x in 0..self.w {
                let i = self.at(x, y);
                let n = self.neighbours(v, i);
                out[i] = [0, 1, 2, 3].map(|k| self.diag[i] * v[i][k] - n[k]);
            }
        }
    }

    /// Gauss–Seidel over the cells of one colour ((x + y) % 2 == colour).
    fn smooth(&self, v: &mut [V], b: &[V], colour: usize) {
        for y in 0..self.h {
            for x in ((y + colour) % 2..self.w).step_by(2) {
                let i = self.at(x, y);
                let n = self.neighbours(v, i);
                let inv = 1.0 / self.diag[i];
                v[i] = [0, 1, 2, 3].map(|k| (b[i][k] + n[k]) * inv);
            }
        }
    }

    /// Galerkin coarse level for piecewise-constant prolongation over 2×2 aggregates.
    fn coarsen(&self) -> Level {
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
                c.cx[ci] = get(&self.cx, fx + 1, fy) + get(&self.cx, fx + 1, fy + 1);
                c.cy[ci] = get(&self.cy, fx, fy + 1) + get(&self.cy, fx + 1, fy + 1);
            }
        }
        c
    }
}

/// The preconditioner: a symmetric V-cycle over the level hierarchy, with per-level buffers.
struct Multigrid {
    levels: Vec<Level>,
    x: Vec<Vec<V>>,
    b: Vec<Vec<V>>,
    r: Vec<Vec<V>>,
}

impl Multigrid {
    fn new(fine: Level) -> Multigrid {
        let mut levels = vec![fine];
        while let Some(last) = levels.last().filter(|l| l.w * l.h > COARSEST) {
            let next = last.coarsen();
            levels.push(next);
        }
        let zeros = || {
            levels
                .iter()
                .map(|l| vec![[0.0f32; 4]; l.dom.len()])
                .collect::<Vec<_>>()
        };
        let (x, b, r) = (zeros(), zeros(), zeros());
        Multigrid { levels, x, b, r }
    }

    /// z = M⁻¹ r.
    fn precondition(&mut self, r: &[V], z: &mut [V]) {
        self.b[0].copy_from_slice(r);
        self.cycle(0);
        z.copy_from_slice(&self.x[0]);
    }

    /// x[l] ≈ A_l⁻¹ b[l]. Pre-smoothing red then black, post-smoothing black then red: the cycle
    /// is a symmetric operator, as conjugate gradients needs.
    fn cycle(&mut self, l: usize) {
        let level = &self.levels[l];
        let (fine_b, coarse_b) = self.b.split_at_mut(l + 1);
        let (x, b, r) = (&mut self.x[l], &fine_b[l], &mut self.r[l]);
        x.iter_mut().for_each(|v| *v = [0.0; 4]);
        if l + 1 == self.levels.len() {
            for _ in 0..32 {
                level.smooth(x, b, 0);
                level.smooth(x, b, 1);
                level.smooth(x, b, 1);
                level.smooth(x, b, 0);
            }
            return;
        }
        level.smooth(x, b, 0);
        level.smooth(x, b, 1);
        level.apply(x, r);
        let coarse = &self.levels[l + 1];
        let bc = &mut coarse_b[0];
        bc.iter_mut().for_each(|v| *v = [0.0; 4]);
        for y in 0..level.h {
            for xx in 0..level.w {
                let i = level.at(xx, y);
                let c = &mut bc[coarse.at(xx / 2, y / 2)];
                for k in 0..4 {
                    c[k] += b[i][k] - r[i][k];
                }
            }
        }
        self.cycle(l + 1);
        let (fine_x, coarse_x) = self.x.split_at_mut(l + 1);
        let (x, xc) = (&mut fine_x[l], &coarse_x[0]);
        let (level, coarse) = (&self.levels[l], &self.levels[l + 1]);
        for y in 0..level.h {
            for xx in 0..level.w {
                let i = level.at(xx, y);
                madd(
                    &mut x[i],
                    OVERCORRECT * level.dom[i],
                    &xc[coarse.at(xx / 2, y / 2)],
                );
            }
        }
        level.smooth(x, &self.b[l], 1);
        level.smooth(x, &self.b[l], 0);
    }
}

/// Per-lane dot products, accumulated in f64.
fn dot(a: &[V], b: &[V]) -> [f64; 4] {
    let mut s = [0.0f64; 4];
    for (x, y) in a.iter().zip(b) {
        for k in 0..4 {
            s[k] += f64::from(x[k]) * f64::from(y[k]);
        }
    }
    s
}

/// Replaces `face` (RGB over `work` = `support` grown by one pixel, clipped to the frame) by the
/// Poisson solution on Ω = {mask > 0} ⊂ `support`. Returns the CG iterations used, or `None`
/// when Ω has no boundary.
pub(crate) fn seamless(
    source: &Frame,
    face: &mut [[f32; 3]],
    work: Rect,
    mask: &Plane,
    support: Rect,
) -> Option<usize> {
    let (fw, fh) = source.size();
    let mut level = Level::empty(support.width(), support.height());
    for y in 0..level.h {
        for x in 0..level.w {
            if mask.get(support.x0 + x, support.y0 + y) > 0.0 {
                let i = level.at(x, y);
                level.dom[i] = 1.0;
            }
        }
    }
    let mut b = vec![[0.0f32; 4]; level.dom.len()];
    let mut bounded = false;
    for y in 0..level.h {
        for x in 0..level.w {
            let i = level.at(x, y);
            if level.dom[i] == 0.0 {
                continue;
            }
            let (gx, gy) = (support.x0 + x, support.y0 + y);
            let mut diag = 0.0;
            // Left, right, up, down; neighbours outside the frame are left out (Neumann).
            let neighbours = [
                (gx.checked_sub(1), Some(gy)),
                ((gx + 1 < fw).then_some(gx + 1), Some(gy)),
                (Some(gx), gy.checked_sub(1)),
                (Some(gx), (gy + 1 < fh).then_some(gy + 1)),
            ];
            for (k, q) in neighbours.into_iter().enumerate() {
                let (Some(qx), Some(qy)) = q else { continue };
                diag += 1.0;
                if support.contains(qx, qy)
                    && level.dom[level.at(qx - support.x0, qy - support.y0)] > 0.0
                {
                    match k {
                        1 => level.cx[i] = 1.0,
                        3 => level.cy[i] = 1.0,
                        _ => {}
                    }
                } else {
                    // Dirichlet neighbour: h there is source − face.
                    bounded = true;
                    let (s, f) = (source.pixel(qx, qy), face[work.index(qx, qy)]);
                    for c in 0..3 {
                        b[i][c] += s[c] - f[c];
                    }
                }
            }
            level.diag[i] = diag;
        }
    }
    if !bounded {
        return None;
    }
    let n = b.len();
    let mut mg = Multigrid::new(level);
    let b_norm = dot(&b, &b).map(f64::sqrt);
    let (mut x, mut z, mut p, mut ap) = (
        vec![[0.0f32; 4]; n],
        vec![[0.0f32; 4]; n],
        vec![[0.0f32; 4]; n],
        vec![[0.0f32; 4]; n],
    );
    let mut r = b;
    // A lane stops updating once converged (or when its right-hand side is zero).
    let mut active = [0, 1, 2, 3].map(|k| k < 3 && b_norm[k] > 0.0);
    mg.precondition(&r, &mut z);
    p.copy_from_slice(&z);
    let mut rz = dot(&r, &z);
    let mut iterations = 0;
    while iterations < MAX_ITERATIONS && active.contains(&true) {
        iterations += 1;
        mg.levels[0].apply(&p, &mut ap);
        let pap = dot(&p, &ap);
        let alpha = [0, 1, 2, 3].map(|k| {
            if active[k] && pap[k] > 0.0 {
                (rz[k] / pap[k]) as f32
            } else {
                0.0
            }
        });
        for i in 0..n {
            for k in 0..4 {
                x[i][k] += alpha[k] * p[i][k];
                r[i][k] -= alpha[k] * ap[i][k];
            }
        }
        let r_norm = dot(&r, &r).map(f64::sqrt);
        for k in 0..4 {
            active[k] &= pap[k] > 0.0 && r_norm[k] > TOLERANCE * b_norm[k];
        }
        if !active.contains(&true) {
            break;
        }
        mg.precondition(&r, &mut z);
        let rz_next = dot(&r, &z);
        let beta = [0, 1, 2, 3].map(|k| {
            if active[k] && rz[k] > 0.0 {
                (rz_next[k] / rz[k]) as f32
            } else {
                0.0
            }
        });
        rz = rz_next;
        for i in 0..n {
            for k in 0..4 {
                p[i][k] = z[i][k] + beta[k] * p[i][k];
            }
        }
    }
    let level = &mg.levels[0];
    for y in 0..level.h {
        for xx in 0..level.w {
            let i = level.at(xx, y);
            if level.dom[i] > 0.0 {
                let f = &mut face[work.index(support.x0 + xx, support.y0 + y)];
                for c in 0..3 {
                    f[c] += x[i][c];
                }
            }
        }
    }
    Some(iterations)
}
