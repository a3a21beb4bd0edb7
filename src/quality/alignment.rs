//! The face alignment a render applied, recovered exactly from its "Mask only" output.
//!
//! Face Swap's box mask is built in crop space and pasted through the frame → crop similarity
//! `m` the render used. The pasted mask is the crop mask's bilinear interpolant (zero beyond the
//! crop, which is also what the paste's coverage ramp gives) evaluated at `m(p)` for each frame
//! pixel centre p. When the crop mask is smooth (a blurred box) the frame's pixel sums are its
//! integrals, so the frame-space image moments follow from the crop-space ones exactly:
//! mass_frame = mass_crop / s², centroid_frame = m⁻¹(centroid_crop), and the second central
//! moments rotate by m's angle and scale by 1/s⁴ ([`CropMoments`] computes the continuous
//! crop-space moments of the interpolant from the samples). With unequal paddings the mask is a
//! non-square rectangle, its principal axes define the rotation (taken within ±45° of upright),
//! and [`applied_alignment`] returns `m` itself. [`alignment_points`] maps the crop's 4 corners
//! and the template's 5 landmarks back to the frame: the points the user sees the face aligned
//! to, which jitter metrics are computed on.

use crate::face::{Similarity, Template};
use crate::Frame;

/// Zeroth, first and second central image moments of a non-negative weight function.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    pub mass: f64,
    pub centroid: (f64, f64),
    /// Central second moments per unit mass: (xx, xy, yy).
    pub cov: (f64, f64, f64),
}

impl Moments {
    /// Orientation of the principal (larger-variance) axis, radians in (−π/2, π/2].
    pub fn orientation(&self) -> f64 {
        let (xx, xy, yy) = self.cov;
        0.5 * (2.0 * xy).atan2(xx - yy)
    }

    /// From raw sums Σw, Σw·x, Σw·y, Σw·x², Σw·xy, Σw·y²; `None` when the mass is not positive.
    fn from_sums(s: [f64; 6]) -> Option<Moments> {
        let [m, sx, sy, sxx, sxy, syy] = s;
        if !m.is_finite() || m <= 0.0 {
            return None;
        }
        let (cx, cy) = (sx / m, sy / m);
        Some(Moments {
            mass: m,
            centroid: (cx, cy),
            cov: (sxx / m - cx * cx, sxy / m - cx * cy, syy / m - cy * cy),
        })
    }
}

/// The moments of `frame`'s alpha as point samples at the pixel centres (x + 0.5, y + 0.5);
/// `None` when it is all zero. Also returns the largest alpha.
pub fn frame_moments(frame: &Frame) -> Option<(Moments, f32)> {
    let mut s = [0.0f64; 6];
    let mut peak = 0.0f32;
    for y in 0..frame.height() {
        let fy = y as f64 + 0.5;
        let mut r = [0.0f64; 3]; // Σw, Σw·x, Σw·x² along the row
        for (x, p) in frame.row(y).iter().enumerate() {
            let a = p[3];
            if a != 0.0 {
                peak = peak.max(a);
                let (w, fx) = (f64::from(a), x as f64 + 0.5);
                r[0] += w;
                r[1] += w * fx;
                r[2] += w * fx * fx;
            }
        }
        s[0] += r[0];
        s[1] += r[1];
        s[2] += r[0] * fy;
        s[3] += r[2];
        s[4] += r[1] * fy;
        s[5] += r[0] * fy * fy;
    }
    Moments::from_sums(s).map(|m| (m, peak))
}

/// The continuous moments of a `size × size` crop-space mask as the paste sees it: the bilinear
/// interpolant of the samples (sample (i, j) at (i + 0.5, j + 0.5)), zero beyond the crop.
/// Each sample contributes a separable tent of unit integral, mean at its centre and variance
/// 1/6 per axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CropMoments {
    pub moments: Moments,
    pub peak: f32,
    pub size: usize,
}

impl CropMoments {
    /// `None` for a wrongly sized or all-zero mask.
    pub fn of(mask: &[f32], size: usize) -> Option<CropMoments> {
        if mask.len() != size * size {
            return None;
        }
        let mut s = [0.0f64; 6];
        let mut peak = 0.0f32;
        for (j, row) in mask.chunks(size).enumerate() {
            let v = j as f64 + 0.5;
            for (i, &a) in row.iter().enumerate() {
                peak = peak.max(a);
                let (w, u) = (f64::from(a), i as f64 + 0.5);
                s[0] += w;
                s[1] += w * u;
                s[2] += w * v;
                s[3] += w * (u * u + 1.0 / 6.0);
                s[4] += w * u * v;
                s[5] += w * (v * v + 1.0 / 6.0);
            }
        }
        Some(CropMoments {
            moments: Moments::from_sums(s)?,
            peak,
            size,
        })
    }
}

/// The frame → crop similarity under which `crop`'s mask was pasted to give a frame whose
/// alpha has moments `frame` and peak `frame_peak` (see the module documentation). The paste's
/// strength (a temporal fade) scales the frame's alpha; it is undone by the ratio of the peaks,
/// which is exact when the crop mask has a plateau. The rotation is taken within ±45° of the
/// crop's axes. `None` for a degenerate measurement.
pub fn applied_alignment(
    frame: &Moments,
    frame_peak: f32,
    crop: &CropMoments,
) -> Option<Similarity> {
    let strength = f64::from(frame_peak) / f64::from(crop.peak);
    if !strength.is_finite() || strength <= 0.0 {
        return None;
    }
    let c = &crop.moments;
    // mass_frame = strength · mass_crop / s².
    let s = (strength * c.mass / frame.mass).sqrt();
    let mut angle = c.orientation() - frame.orientation();
    let quarter = std::f64::consts::FRAC_PI_2;
    while angle > quarter / 2.0 {
        angle -= quarter;
    }
    while angle <= -quarter / 2.0 {
        angle += quarter;
    }
    let linear = Similarity::new(s * angle.cos(), s * angle.sin(), 0.0, 0.0);
    let (mx, my) = linear.apply(frame.centroid);
    let m = Similarity::new(linear.a, linear.b, c.centroid.0 - mx, c.centroid.1 - my);
    m.is_invertible().then_some(m)
}

/// The alignment `m` (frame → `size` crop under `template`) as 9 frame points: the crop's 4
/// corners (top-left, top-right, bottom-right, bottom-left), then the template's 5 landmarks.
pub fn alignment_points(m: &Similarity, template: Template, size: usize) -> Vec<(f64, f64)> {
    let inv = m.inverse();
    let s = size as f64;
    [(0.0, 0.0), (s, 0.0), (s, s), (0.0, s)]
        .into_iter()
        .chain(template.points(size))
        .map(|p| inv.apply(p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::face::{paste_region, warp_from_crop};
    use crate::swap::mask::{box_mask, BoxMask};

    fn pasted(mask: &[f32], size: usize, m: &Similarity, w: usize, h: usize) -> Frame {
        let crop = Frame::from_fn(size, size, |x, y| [0.0, 0.0, 0.0, mask[y * size + x]]);
        let region = paste_region(m, size, w, h).unwrap();
        let (face, inside) = warp_from_crop(&crop, m, region);
        let mut out = Frame::new(w, h);
        let (x0, y0) = (region.x0, region.y0);
        for y in 0..region.height() {
            for x in 0..region.width() {
                let a = face.pixel(x, y)[3] * inside[y * region.width() + x];
                out.set_pixel(x0 + x, y0 + y, [a; 4]);
            }
        }
        out
    }

    #[test]
    fn the_pasted_mask_gives_back_the_alignment() {
        let size = 128;
        let settings = BoxMask {
            blur: 0.3,
            padding: [30.0, 20.0, 22.0, 10.0],
        };
        let mask = box_mask(size, &settings);
        let crop = CropMoments::of(&mask, size).unwrap();
        for (angle, scale, centre) in [
            (0.0, 0.39, (320.0, 300.0)),
            (0.17, 0.41, (318.3, 296.7)),
            (-0.3, 0.35, (331.1, 304.4)),
        ] {
            // The crop's centre at `centre` in the frame.
            let linear =
                Similarity::new(scale * f64::cos(angle), scale * f64::sin(angle), 0.0, 0.0);
            let (cx, cy) = linear.apply(centre);
            let m = Similarity::new(linear.a, linear.b, 64.0 - cx, 64.0 - cy);
            let frame = pasted(&mask, size, &m, 640, 600);
            let (moments, peak) = frame_moments(&frame).unwrap();
            let got = applied_alignment(&moments, peak, &crop).unwrap();
            let (a, b) = (
                alignment_points(&m, Template::Arcface128, size),
                alignment_points(&got, Template::Arcface128, size),
            );
            let worst = a
                .iter()
                .zip(&b)
                .map(|(p, q)| (p.0 - q.0).hypot(p.1 - q.1))
                .fold(0.0, f64::max);
            // Measured: ≤ 1.2e-4 px (axis-aligned, where sampling errors add up along the edges).
            assert!(worst < 1e-3, "{angle} {scale}: {worst} px");
        }
    }
}
