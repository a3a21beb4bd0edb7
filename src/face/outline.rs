//! The face's outline for masks: a fixed polygon from brow-top to chin in the aligned (FFHQ)
//! template space, mapped into the frame through the face's alignment and rasterised with
//! one-pixel anti-aliasing. Five landmarks alone only span eyes to mouth; the outline covers
//! the face a compositor means.

use super::{align, Landmarks, Similarity, Template};
use crate::Frame;

/// Outline vertices in normalised FFHQ-512 crop coordinates, clockwise from the top.
const OUTLINE: [(f64, f64); 16] = [
    (0.50, 0.22),
    (0.66, 0.25),
    (0.77, 0.33),
    (0.82, 0.45),
    (0.81, 0.58),
    (0.77, 0.70),
    (0.69, 0.81),
    (0.59, 0.89),
    (0.50, 0.91),
    (0.41, 0.89),
    (0.31, 0.81),
    (0.23, 0.70),
    (0.19, 0.58),
    (0.18, 0.45),
    (0.23, 0.33),
    (0.34, 0.25),
];

const CROP: usize = 512;

/// The outline polygon of the face at `landmarks`, in frame coordinates (pixel centres at +0.5).
pub fn outline(landmarks: &Landmarks) -> Option<Vec<(f64, f64)>> {
    let m: Similarity = align(landmarks, Template::Ffhq512, CROP)?;
    let back = m.inverse();
    Some(
        OUTLINE
            .iter()
            .map(|&(u, v)| back.apply((u * CROP as f64, v * CROP as f64)))
            .collect(),
    )
}

/// Signed distance from `p` to the polygon's boundary: positive inside.
fn signed_distance(poly: &[(f64, f64)], (px, py): (f64, f64)) -> f64 {
    let mut inside = false;
    let mut nearest = f64::INFINITY;
    for i in 0..poly.len() {
        let (ax, ay) = poly[i];
        let (bx, by) = poly[(i + 1) % poly.len()];
        if (ay > py) != (by > py) && px < ax + (py - ay) * (bx - ax) / (by - ay) {
            inside = !inside;
        }
        let (dx, dy) = (bx - ax, by - ay);
        let t =
            (((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy).max(1e-12)).clamp(0.0, 1.0);
        nearest = nearest.min((px - ax - t * dx).hypot(py - ay - t * dy));
    }
    if inside {
        nearest
    } else {
        -nearest
    }
}

/// Adds (max) each face's outline coverage into `mask`'s alpha; RGB mirrors alpha.
pub fn rasterise_faces(mask: &mut Frame, faces: &[Landmarks]) {
    let (w, h) = mask.size();
    for poly in faces.iter().filter_map(outline) {
        let (mut x0, mut y0, mut x1, mut y1) = (
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        );
        for &(x, y) in &poly {
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
        let clip = |v: f64, max: usize| (v.max(0.0) as usize).min(max);
        for y in clip(y0 - 1.0, h)..clip(y1 + 2.0, h) {
            for x in clip(x0 - 1.0, w)..clip(x1 + 2.0, w) {
                let coverage = (0.5 + signed_distance(&poly, (x as f64 + 0.5, y as f64 + 0.5)))
                    .clamp(0.0, 1.0) as f32;
                let p = mask.pixel(x, y);
                let a = p[3].max(coverage);
                mask.set_pixel(x, y, [a, a, a, a]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face_at(cx: f64, cy: f64, iod: f64) -> Landmarks {
        // Landmarks placed exactly on the FFHQ template, scaled so the eyes are `iod` apart.
        let t = Template::Ffhq512.normalised();
        let scale = iod / (t[1].0 - t[0].0);
        let (ox, oy) = (cx - 0.5 * scale, cy - 0.55 * scale);
        Landmarks::new(t.map(|(u, v)| (ox + u * scale, oy + v * scale)))
    }

    #[test]
    fn the_outline_covers_the_face_and_nothing_far_from_it() {
        let mut mask = Frame::new(400, 400);
        rasterise_faces(&mut mask, &[face_at(200.0, 200.0, 60.0)]);
        assert_eq!(mask.pixel(200, 200)[3], 1.0, "the nose is inside");
        assert_eq!(mask.pixel(200, 170)[3], 1.0, "between the eyes is inside");
        assert_eq!(mask.pixel(200, 255)[3], 1.0, "the chin is inside");
        assert_eq!(mask.pixel(20, 20)[3], 0.0);
        assert_eq!(mask.pixel(200, 330)[3], 0.0, "below the chin is outside");
        let area = mask.pixels().iter().map(|p| f64::from(p[3])).sum::<f64>();
        // The polygon spans about 0.64 × 0.69 of a crop whose eyes are 0.246 apart.
        let side = 60.0 / 0.246;
        let expected = 0.33 * side * side;
        assert!(
            (area / expected - 1.0).abs() < 0.15,
            "area {area:.0} vs about {expected:.0}"
        );
    }

    #[test]
    fn edges_are_antialiased_and_faces_union() {
        let mut mask = Frame::new(300, 200);
        rasterise_faces(
            &mut mask,
            &[face_at(80.0, 100.0, 40.0), face_at(220.0, 100.0, 40.0)],
        );
        assert_eq!(mask.pixel(80, 100)[3], 1.0);
        assert_eq!(mask.pixel(220, 100)[3], 1.0);
        assert!(
            mask.pixels().iter().any(|p| p[3] > 0.05 && p[3] < 0.95),
            "soft edge pixels exist"
        );
    }
}
