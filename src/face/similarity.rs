//! 2-D similarity transforms (rotation, uniform scale, translation): least-squares estimation
//! from point pairs (Umeyama without reflection), application, inversion, composition and the
//! (rotation, log-scale, translation) decomposition that temporal smoothing works in.

/// The affine map `[a −b tx; b a ty]`: `(x, y) ↦ (a·x − b·y + tx, b·x + a·y + ty)`.
///
/// Scale is `√(a² + b²)`, rotation `atan2(b, a)` (y down, so a positive angle turns clockwise on
/// screen). The determinant `a² + b²` is never negative: this form cannot reflect.
/// Coordinates follow the convention of [`crate::face`] (pixel centres at +0.5) unless a method
/// says otherwise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    pub a: f64,
    pub b: f64,
    pub tx: f64,
    pub ty: f64,
}

/// A similarity split into the parameters that can be averaged or filtered independently.
///
/// `rotation` is in radians in `(−π, π]`; a filter over time must unwrap it (add multiples of
/// 2π so consecutive values differ by less than π) before averaging.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimilarityParts {
    pub rotation: f64,
    pub log_scale: f64,
    pub tx: f64,
    pub ty: f64,
}

impl Similarity {
    pub const IDENTITY: Similarity = Similarity {
        a: 1.0,
        b: 0.0,
        tx: 0.0,
        ty: 0.0,
    };

    pub fn new(a: f64, b: f64, tx: f64, ty: f64) -> Self {
        Self { a, b, tx, ty }
    }

    pub fn translation(tx: f64, ty: f64) -> Self {
        Self::new(1.0, 0.0, tx, ty)
    }

    /// Uniform scaling about the origin.
    pub fn scaling(s: f64) -> Self {
        Self::new(s, 0.0, 0.0, 0.0)
    }

    /// Rotation by `angle` radians about the origin.
    pub fn rotation_by(angle: f64) -> Self {
        Self::new(angle.cos(), angle.sin(), 0.0, 0.0)
    }

    /// Uniform scale factor `√(a² + b²)`.
    pub fn scale(&self) -> f64 {
        self.a.hypot(self.b)
    }

    /// Rotation angle `atan2(b, a)` in radians, in `(−π, π]`.
    pub fn rotation(&self) -> f64 {
        self.b.atan2(self.a)
    }

    pub fn apply(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (
            self.a * x - self.b * y + self.tx,
            self.b * x + self.a * y + self.ty,
        )
    }

    /// Whether every coefficient is finite, the scale is non-zero and the inverse is finite too.
    pub fn is_invertible(&self) -> bool {
        let s2 = self.a * self.a + self.b * self.b;
        [self.a, self.b, self.tx, self.ty]
            .iter()
            .all(|v| v.is_finite())
            && s2 > 0.0
            && (1.0 / s2).is_finite()
    }

    /// The inverse map. Its coefficients are not finite when the scale is zero
    /// (check [`Similarity::is_invertible`] for hand-built transforms; `estimate` never returns one).
    pub fn inverse(&self) -> Similarity {
        // As a complex map z ↦ w·z + t, the inverse is z ↦ w⁻¹·z − w⁻¹·t with w⁻¹ = conj(w)/|w|².
        let s2 = self.a * self.a + self.b * self.b;
        let (ia, ib) = (self.a / s2, -self.b / s2);
        Similarity {
            a: ia,
            b: ib,
            tx: -(ia * self.tx - ib * self.ty),
            ty: -(ib * self.tx + ia * self.ty),
        }
    }

    /// `self ∘ other`: applies `other` first, then `self` (the matrix product `self · other`).
    pub fn compose(&self, other: &Similarity) -> Similarity {
        let (tx, ty) = self.apply((other.tx, other.ty));
        Similarity {
            a: self.a * other.a - self.b * other.b,
            b: self.a * other.b + self.b * other.a,
            tx,
            ty,
        }
    }

    /// `next ∘ self`: applies `self` first, then `next`.
    pub fn then(&self, next: &Similarity) -> Similarity {
        next.compose(self)
    }

    /// The OpenCV-style 2×3 matrix `[[a, −b, tx], [b, a, ty]]` in this transform's own convention.
    pub fn matrix(&self) -> [[f64; 3]; 2] {
        [[self.a, -self.b, self.tx], [self.b, self.a, self.ty]]
    }

    /// This transform restated for OpenCV's convention (pixel `(i, j)` at integer coordinates),
    /// e.g. to compare with a matrix from `cv2.estimateAffinePartial2D` or to feed `cv2.warpAffine`.
    pub fn to_opencv(&self) -> Similarity {
        Similarity::translation(-0.5, -0.5)
            .compose(self)
            .compose(&Similarity::translation(0.5, 0.5))
    }

    /// The inverse of [`Similarity::to_opencv`]: an OpenCV-convention matrix in Doppel's convention.
    pub fn from_opencv(m: &Similarity) -> Similarity {
        Similarity::translation(0.5, 0.5)
            .compose(m)
            .compose(&Similarity::translation(-0.5, -0.5))
    }

    /// (rotation, log-scale, translation); [`Similarity::from_parts`] undoes it.
    pub fn parts(&self) -> SimilarityParts {
        SimilarityParts {
            rotation: self.rotation(),
            log_scale: self.scale().ln(),
            tx: self.tx,
            ty: self.ty,
        }
    }

    pub fn from_parts(p: SimilarityParts) -> Similarity {
        let s = p.log_scale.exp();
        let (sin, cos) = p.rotation.sin_cos();
        Similarity::new(s * cos, s * sin, p.tx, p.ty)
    }

    /// The similarity minimising `Σ |dst_i − M(src_i)|²` (Umeyama's closed form, restricted to
    /// proper similarities: it never reflects).
    ///
    /// In complex notation the model is `dst = w·src + t`; with both point sets centred on their
    /// means, the least-squares `w = Σ conj(s_i)·d_i / Σ |s_i|²`, which is Umeyama's result with
    /// the reflection correction (in 2-D the two coincide).
    ///
    /// `None` when the input cannot define a transform: lengths differ or are below 2, a value
    /// is not finite, the source points (or the destination points) all coincide up to rounding,
    /// or the best proper similarity has zero scale (e.g. `dst` is a pure mirror image of `src`).
    pub fn estimate(src: &[(f64, f64)], dst: &[(f64, f64)]) -> Option<Similarity> {
        let n = src.len();
        if n < 2 || dst.len() != n {
            return None;
        }
        let finite = |p: &(f64, f64)| p.0.is_finite() && p.1.is_finite();
        if !src.iter().all(finite) || !dst.iter().all(finite) {
            return None;
        }
        let mean = |pts: &[(f64, f64)]| {
            let (sx, sy) = pts
                .iter()
                .fold((0.0, 0.0), |(ax, ay), p| (ax + p.0, ay + p.1));
            (sx / n as f64, sy / n as f64)
        };
        let (ms, md) = (mean(src), mean(dst));
        let (mut ss, mut dd, mut re, mut im) = (0.0, 0.0, 0.0, 0.0);
        for (s, d) in src.iter().zip(dst) {
            let (p, q) = (s.0 - ms.0, s.1 - ms.1);
            let (u, v) = (d.0 - md.0, d.1 - md.1);
            ss += p * p + q * q;
            dd += u * u + v * v;
            re += p * u + q * v;
            im += p * v - q * u;
        }
        // Spread below ~1e-9 of the coordinates' magnitude is rounding noise, not geometry.
        let degenerate = |spread: f64, m: (f64, f64)| {
            let tol = 1e-9 * (1.0 + m.0.hypot(m.1));
            spread / n as f64 <= tol * tol
        };
        if degenerate(ss, ms) || degenerate(dd, md) {
            return None;
        }
        let (a, b) = (re / ss, im / ss);
        // Zero-scale fits: the proper part of the correlation vanished (mirror-image input).
        if a.hypot(b) <= 1e-12 * (dd / ss).sqrt() {
            return None;
        }
        let tx = md.0 - (a * ms.0 - b * ms.1);
        let ty = md.1 - (b * ms.0 + a * ms.1);
        let m = Similarity { a, b, tx, ty };
        m.is_invertible().then_some(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::face::test_rng::Rng;

    fn random_similarity(rng: &mut Rng) -> Similarity {
        Similarity::from_parts(SimilarityParts {
            rotation: rng.range(-3.1, 3.1),
            log_scale: rng.range(-2.5, 2.5),
            tx: rng.range(-2000.0, 2000.0),
            ty: rng.range(-2000.0, 2000.0),
        })
    }

    fn random_points(rng: &mut Rng, n: usize) -> Vec<(f64, f64)> {
        (0..n)
            .map(|_| (rng.range(0.0, 3840.0), rng.range(0.0, 2160.0)))
            .collect()
    }

    fn residual(m: &Similarity, src: &[(f64, f64)], dst: &[(f64, f64)]) -> f64 {
        src.iter()
            .zip(dst)
            .map(|(&s, &d)| {
                let p = m.apply(s);
                (p.0 - d.0).powi(2) + (p.1 - d.1).powi(2)
            })
            .sum()
    }

    fn close(x: &Similarity, y: &Similarity, tol: f64) -> bool {
        let s = 1.0 + x.a.abs().max(x.b.abs());
        (x.a - y.a).abs() <= tol * s
            && (x.b - y.b).abs() <= tol * s
            && (x.tx - y.tx).abs() <= tol * (1.0 + x.tx.abs())
            && (x.ty - y.ty).abs() <= tol * (1.0 + x.ty.abs())
    }

    #[test]
    fn recovers_a_known_similarity_from_five_points() {
        let mut rng = Rng::new(0x5eed_0001);
        for _ in 0..500 {
            let truth = random_similarity(&mut rng);
            let src = random_points(&mut rng, 5);
            let dst: Vec<_> = src.iter().map(|&p| truth.apply(p)).collect();
            let got = Similarity::estimate(&src, &dst).expect("well-posed input");
            assert!(close(&got, &truth, 1e-9), "{got:?} vs {truth:?}");
            for (s, d) in src.iter().zip(&dst) {
                let p = got.apply(*s);
                assert!((p.0 - d.0).hypot(p.1 - d.1) < 1e-7 * (1.0 + d.0.hypot(d.1)));
            }
        }
    }

    #[test]
    fn noisy_fit_beats_every_small_perturbation() {
        let mut rng = Rng::new(0x5eed_0002);
        for _ in 0..100 {
            let truth = random_similarity(&mut rng);
            let src = random_points(&mut rng, 5);
            let dst: Vec<_> = src
                .iter()
                .map(|&p| {
                    let q = truth.apply(p);
                    (q.0 + rng.range(-3.0, 3.0), q.1 + rng.range(-3.0, 3.0))
                })
                .collect();
            let best = Similarity::estimate(&src, &dst).unwrap();
            let e = residual(&best, &src, &dst);
            for step in [1e-3, 1e-5] {
                for _ in 0..40 {
                    let p = best.parts();
                    let moved = Similarity::from_parts(SimilarityParts {
                        rotation: p.rotation + step * rng.range(-1.0, 1.0),
                        log_scale: p.log_scale + step * rng.range(-1.0, 1.0),
                        tx: p.tx + 100.0 * step * rng.range(-1.0, 1.0),
                        ty: p.ty + 100.0 * step * rng.range(-1.0, 1.0),
                    });
                    assert!(
                        residual(&moved, &src, &dst) > e,
                        "perturbation {step} beat the fit"
                    );
                }
            }
        }
    }

    #[test]
    fn never_returns_a_reflection() {
        let mut rng = Rng::new(0x5eed_0003);
        let mirror = |(x, y): (f64, f64)| (-x, y);
        for _ in 0..200 {
            let truth = random_similarity(&mut rng);
            let src = random_points(&mut rng, 5);
            let dst: Vec<_> = src.iter().map(|&p| mirror(truth.apply(p))).collect();
            if let Some(m) = Similarity::estimate(&src, &dst) {
                assert!(m.a * m.a + m.b * m.b > 0.0);
                // The exact (mirroring) map fits with zero residual; a proper similarity cannot.
                assert!(
                    residual(&m, &src, &dst) > 1e-6,
                    "a reflection slipped through"
                );
            }
        }
        // A symmetric set and its mirror image: the best proper similarity has zero scale.
        let src = [(1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0)];
        let dst = [(0.0, 1.0), (0.0, -1.0), (1.0, 0.0), (-1.0, 0.0)];
        assert_eq!(Similarity::estimate(&src, &dst), None);
    }

    #[test]
    fn degenerate_input_gives_none() {
        let p = [(10.0, 20.0); 5];
        let q = [(1.0, 2.0), (3.0, 4.0), (5.0, 7.0), (0.0, 1.0), (2.0, 2.0)];
        assert_eq!(
            Similarity::estimate(&p, &q),
            None,
            "all source points equal"
        );
        assert_eq!(
            Similarity::estimate(&q, &p),
            None,
            "all destination points equal"
        );
        let mut nan = q;
        nan[2].1 = f64::NAN;
        assert_eq!(Similarity::estimate(&nan, &q), None);
        assert_eq!(Similarity::estimate(&q, &nan), None);
        let mut inf = q;
        inf[0].0 = f64::INFINITY;
        assert_eq!(Similarity::estimate(&inf, &q), None);
        assert_eq!(Similarity::estimate(&q[..1], &q[..1]), None);
        assert_eq!(Similarity::estimate(&q, &q[..4]), None);
        let tiny = [
            (1000.0, 1000.0),
            (1000.0 + 1e-12, 1000.0),
            (1000.0, 1000.0 - 1e-12),
        ];
        assert_eq!(
            Similarity::estimate(&tiny, &q[..3]),
            None,
            "spread is rounding noise"
        );
        // Two distinct points are enough.
        assert!(Similarity::estimate(&q[..2], &q[1..3]).is_some());
    }

    #[test]
    fn inverse_compose_and_parts_are_consistent() {
        let mut rng = Rng::new(0x5eed_0004);
        for _ in 0..200 {
            let m = random_similarity(&mut rng);
            let n = random_similarity(&mut rng);
            let p = (rng.range(-500.0, 500.0), rng.range(-500.0, 500.0));
            let id = m.compose(&m.inverse());
            assert!(close(&id, &Similarity::IDENTITY, 1e-9), "{id:?}");
            let q = m.compose(&n).apply(p);
            let r = m.apply(n.apply(p));
            assert!((q.0 - r.0).hypot(q.1 - r.1) < 1e-7 * (1.0 + r.0.hypot(r.1)));
            assert_eq!(m.then(&n), n.compose(&m));
            let back = Similarity::from_parts(m.parts());
            assert!(close(&back, &m, 1e-12), "{back:?} vs {m:?}");
            let parts = m.parts();
            assert!(
                parts.rotation > -std::f64::consts::PI && parts.rotation <= std::f64::consts::PI
            );
            assert!((parts.log_scale - m.scale().ln()).abs() < 1e-12);
            let cv = Similarity::from_opencv(&m.to_opencv());
            assert!(close(&cv, &m, 1e-12));
        }
        assert!(!Similarity::scaling(0.0).is_invertible());
        assert!(!Similarity::new(f64::NAN, 0.0, 0.0, 0.0).is_invertible());
        let r = Similarity::rotation_by(std::f64::consts::FRAC_PI_2).apply((1.0, 0.0));
        assert!(
            r.0.abs() < 1e-15 && (r.1 - 1.0).abs() < 1e-15,
            "x turns towards +y (down)"
        );
    }

    #[test]
    fn opencv_form_shifts_by_half_a_pixel() {
        // A pure 2× upscale in Doppel's convention (pixel edges scale about 0) is, in OpenCV's
        // convention, x_cv' = 2·x_cv + 0.5.
        let cv = Similarity::scaling(2.0).to_opencv();
        assert_eq!(cv, Similarity::new(2.0, 0.0, 0.5, 0.5));
    }
}
