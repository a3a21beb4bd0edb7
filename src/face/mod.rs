//! The geometric core of Face Swap: 5-point landmarks, alignment templates, similarity
//! estimation, crop/paste-back warps and pixel-boost interleaving, on plain
//! [`Frame`](crate::Frame)s.
//!
//! # Coordinate convention
//!
//! Every position here (landmarks, template points, similarity inputs and outputs) is a
//! continuous image coordinate: x to the right, y down, origin at the top-left *corner* of the
//! top-left pixel, one unit per pixel. Pixel `(x, y)` (column x, row y from the top, as in
//! [`Frame::pixel`](crate::Frame::pixel)) covers `[x, x+1) × [y, y+1)` and its centre is `(x + 0.5, y + 0.5)`.
//! This is the convention of the rest of the crate (the OFX placement maps canonical
//! coordinates to it, masks evaluate at `x + 0.5`).
//!
//! The reference tools (insightface, FaceFusion, DeepFaceLive) use OpenCV's convention instead:
//! pixel `(x, y)` sits at the integer point `(x, y)`. A point in theirs is ours minus 0.5 on each
//! axis ([`Landmarks::from_opencv`], [`Similarity::to_opencv`] convert). Template points are
//! shifted accordingly ([`Template::points`] is `normalised × size + 0.5`), so aligning the same
//! physical landmarks produces exactly the crop `cv2.warpAffine(frame, M_cv, (S, S),
//! INTER_LINEAR, BORDER_REPLICATE)` produces, up to OpenCV's 1/32-pixel fixed-point rounding.
//!
//! A detector ported from those tools decodes landmarks in OpenCV's convention: build them
//! with [`Landmarks::from_opencv`].
//!
//! # Transforms
//!
//! The crop transform `m` maps frame coordinates to crop coordinates (like OpenCV's `M`).
//! [`warp_to_crop`] samples the frame at `m⁻¹(crop pixel centre)`; [`warp_from_crop`] samples
//! the crop at `m(frame pixel centre)` over the [`paste_region`] only.

pub mod boost;
pub mod outline;
pub mod similarity;
pub mod template;
pub mod warp;

pub use boost::{boost_merge, boost_split, BoostError};
pub use similarity::{Similarity, SimilarityParts};
pub use template::{Template, UnknownTemplate};
pub use warp::{paste_region, warp_from_crop, warp_to_crop, Region};

/// Five facial landmarks in frame coordinates (convention above), in the order every model
/// expects: left eye, right eye, nose tip, left mouth corner, right mouth corner, where left and
/// right are as seen in the image (the subject's right eye is the image's left eye).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Landmarks(pub [(f64, f64); 5]);

impl Landmarks {
    pub const LEFT_EYE: usize = 0;
    pub const RIGHT_EYE: usize = 1;
    pub const NOSE: usize = 2;
    pub const LEFT_MOUTH: usize = 3;
    pub const RIGHT_MOUTH: usize = 4;

    pub fn new(points: [(f64, f64); 5]) -> Self {
        Self(points)
    }

    /// Landmarks given in OpenCV's convention (pixel `(i, j)` at integer coordinates), as the
    /// reference detectors decode them: adds 0.5 to each coordinate.
    pub fn from_opencv(points: [(f64, f64); 5]) -> Self {
        Self(points.map(|(x, y)| (x + 0.5, y + 0.5)))
    }

    /// These landmarks in OpenCV's convention (each coordinate minus 0.5).
    pub fn to_opencv(&self) -> [(f64, f64); 5] {
        self.0.map(|(x, y)| (x - 0.5, y - 0.5))
    }

    pub fn points(&self) -> &[(f64, f64); 5] {
        &self.0
    }

    pub fn is_finite(&self) -> bool {
        self.0.iter().all(|p| p.0.is_finite() && p.1.is_finite())
    }

    /// Every point mapped through `m`.
    pub fn transformed(&self, m: &Similarity) -> Landmarks {
        Landmarks(self.0.map(|p| m.apply(p)))
    }

    /// Distance between the eyes, the unit of the jitter metrics.
    pub fn inter_ocular(&self) -> f64 {
        let (l, r) = (self.0[Self::LEFT_EYE], self.0[Self::RIGHT_EYE]);
        (r.0 - l.0).hypot(r.1 - l.1)
    }
}

/// The crop transform (frame → crop) that puts `landmarks` on `template` in a `crop_size` crop,
/// by least squares; `None` for degenerate or non-finite landmarks.
pub fn align(landmarks: &Landmarks, template: Template, crop_size: usize) -> Option<Similarity> {
    Similarity::estimate(&landmarks.0, &template.points(crop_size))
}

/// A small fixed-seed generator (SplitMix64) so tests are reproducible without a dependency.
#[cfg(test)]
pub(crate) mod test_rng {
    pub struct Rng(u64);

    impl Rng {
        pub fn new(seed: u64) -> Self {
            Self(seed)
        }

        pub fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        /// Uniform in `[0, 1)`.
        pub fn unit(&mut self) -> f64 {
            (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
        }

        pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
            lo + (hi - lo) * self.unit()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_rng::Rng;
    use super::*;

    #[test]
    fn aligning_an_exact_image_of_a_template_lands_on_it() {
        let mut rng = Rng::new(0xA119E);
        for template in Template::ALL {
            for size in [112, 128, 256, 512] {
                for _ in 0..20 {
                    // Landmarks = the template seen through some frame placement.
                    let placement = Similarity::from_parts(SimilarityParts {
                        rotation: rng.range(-1.2, 1.2),
                        log_scale: rng.range(-1.5, 2.0),
                        tx: rng.range(0.0, 3840.0),
                        ty: rng.range(0.0, 2160.0),
                    });
                    let target = template.points(size);
                    let landmarks = Landmarks(target.map(|p| placement.apply(p)));
                    let m = align(&landmarks, template, size).expect("exact similarity image");
                    let got = landmarks.transformed(&m);
                    for (g, t) in got.0.iter().zip(target) {
                        assert!(
                            (g.0 - t.0).abs() < 1e-9 && (g.1 - t.1).abs() < 1e-9,
                            "{template} at {size}: {g:?} vs {t:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn alignment_matches_the_opencv_convention_crop() {
        // The same physical landmarks in both conventions: OpenCV's matrix (estimated against
        // normalised × size) restated in ours equals ours.
        let cv = [
            (203.0, 100.0),
            (249.0, 103.0),
            (228.0, 128.0),
            (208.0, 152.0),
            (245.0, 154.0),
        ];
        let size = 128;
        let norm = Template::Arcface128.normalised();
        let dst_cv = norm.map(|(u, v)| (u * size as f64, v * size as f64));
        let m_cv = Similarity::estimate(&cv, &dst_cv).unwrap();
        let ours = align(&Landmarks::from_opencv(cv), Template::Arcface128, size).unwrap();
        let back = ours.to_opencv();
        for (x, y) in [
            (back.a, m_cv.a),
            (back.b, m_cv.b),
            (back.tx, m_cv.tx),
            (back.ty, m_cv.ty),
        ] {
            assert!((x - y).abs() < 1e-9, "{back:?} vs {m_cv:?}");
        }
    }

    #[test]
    fn degenerate_landmarks_do_not_align() {
        let lm = Landmarks([(5.0, 5.0); 5]);
        assert_eq!(align(&lm, Template::Ffhq512, 512), None);
        let mut lm =
            Landmarks::from_opencv([(1.0, 2.0), (9.0, 2.0), (5.0, 5.0), (2.0, 8.0), (8.0, 8.0)]);
        assert!(lm.is_finite());
        assert!((lm.inter_ocular() - 8.0).abs() < 1e-12);
        lm.0[Landmarks::NOSE].0 = f64::NAN;
        assert!(!lm.is_finite());
        assert_eq!(align(&lm, Template::Ffhq512, 512), None);
    }
}
