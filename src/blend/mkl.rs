//! The 3×3 linear algebra of the Linear colour match: a deterministic symmetric eigen-solver
//! and the Monge–Kantorovich linear map (MKL) between two covariances.

pub(crate) type Mat3 = [[f64; 3]; 3];

pub(crate) fn mat_vec(m: &Mat3, v: [f64; 3]) -> [f64; 3] {
    crate::colour::mat3_mul_vec(m, v)
}

fn mat_mul(a: &Mat3, b: &Mat3) -> Mat3 {
    let mut out = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            out[i][j] = (0..3).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    out
}

/// Symmetric eigen-decomposition by cyclic Jacobi rotations: (eigenvalues, eigenvectors as
/// columns), deterministic.
pub(crate) fn eigen_symmetric(mut a: Mat3) -> ([f64; 3], Mat3) {
    let mut v = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    for _ in 0..64 {
        let off = a[0][1].abs() + a[0][2].abs() + a[1][2].abs();
        let scale = a[0][0].abs() + a[1][1].abs() + a[2][2].abs();
        if off <= 1e-15 * scale || off < 1e-300 {
            break;
        }
        for (p, q) in [(0, 1), (0, 2), (1, 2)] {
            if a[p][q] == 0.0 {
                continue;
            }
            let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
            let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
            let t = if theta == 0.0 { 1.0 } else { t };
            let c = 1.0 / (t * t + 1.0).sqrt();
            let s = t * c;
            // a ← Jᵀ a J for the rotation J in the (p, q) plane.
            for row in a.iter_mut() {
                let (akp, akq) = (row[p], row[q]);
                row[p] = c * akp - s * akq;
                row[q] = s * akp + c * akq;
            }
            let (rp, rq) = (a[p], a[q]);
            a[p] = [0, 1, 2].map(|k| c * rp[k] - s * rq[k]);
            a[q] = [0, 1, 2].map(|k| s * rp[k] + c * rq[k]);
            for row in v.iter_mut() {
                let (vp, vq) = (row[p], row[q]);
                row[p] = c * vp - s * vq;
                row[q] = s * vp + c * vq;
            }
        }
    }
    ([a[0][0], a[1][1], a[2][2]], v)
}

/// f(C) for a symmetric C through its eigen-decomposition, f applied to the eigenvalues.
pub(crate) fn sym_fn(c: &Mat3, f: impl Fn(f64) -> f64) -> Mat3 {
    let (d, v) = eigen_symmetric(*c);
    let mut out = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            out[i][j] = (0..3).map(|k| v[i][k] * f(d[k]) * v[j][k]).sum();
        }
    }
    out
}

/// The Monge–Kantorovich linear map (Pitié & Kokaram 2007), the symmetric positive A with
/// A·Cf·A = Cs: A = Cf^−½ (Cf^½ Cs Cf^½)^½ Cf^−½. Of all maps matching the covariance it moves
/// colours least (no hue rotation), unlike Cs^½·Cf^−½. Face eigenvalues are floored at 1e-5 of
/// the largest (a face flat in some colour direction would otherwise amplify its noise without
/// bound); a face flat in every direction gets A = I (mean shift only).
pub(crate) fn mkl(cf: &Mat3, cs: &Mat3) -> Mat3 {
    let (df, _) = eigen_symmetric(*cf);
    let top = df.iter().cloned().fold(0.0, f64::max);
    let identity = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    if top.is_nan() || top <= 1e-14 {
        return identity;
    }
    let floor = top * 1e-5;
    let half = sym_fn(cf, |l| l.max(floor).sqrt());
    let inv_half = sym_fn(cf, |l| 1.0 / l.max(floor).sqrt());
    let middle = mat_mul(&mat_mul(&half, cs), &half);
    let sym = [0, 1, 2].map(|i| [0, 1, 2].map(|j| (middle[i][j] + middle[j][i]) / 2.0));
    let root = sym_fn(&sym, |l| l.max(0.0).sqrt());
    mat_mul(&mat_mul(&inv_half, &root), &inv_half)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_diagonalises() {
        let a = [[4.0, 1.0, -2.0], [1.0, 2.0, 0.5], [-2.0, 0.5, 3.0]];
        let (d, v) = eigen_symmetric(a);
        for k in 0..3 {
            let col = [v[0][k], v[1][k], v[2][k]];
            let av = mat_vec(&a, col);
            for i in 0..3 {
                assert!((av[i] - d[k] * col[i]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn mkl_maps_face_covariance_onto_source() {
        let cf = [[0.04, 0.01, 0.0], [0.01, 0.02, 0.005], [0.0, 0.005, 0.01]];
        let cs = [
            [0.02, 0.012, 0.004],
            [0.012, 0.03, 0.0],
            [0.004, 0.0, 0.015],
        ];
        let a = mkl(&cf, &cs);
        let got = mat_mul(&mat_mul(&a, &cf), &a);
        for i in 0..3 {
            for j in 0..3 {
                assert!((got[i][j] - cs[i][j]).abs() < 1e-12);
                assert!((a[i][j] - a[j][i]).abs() < 1e-12, "MKL is symmetric");
            }
        }
        let same = mkl(&cf, &cf);
        for (i, row) in same.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                assert!((v - f64::from(i == j)).abs() < 1e-12);
            }
        }
    }
}
