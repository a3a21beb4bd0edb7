//! Bilinear similarity warps between a frame and a face crop: cropping with a replicated border,
//! the paste-back footprint, and sampling a model's output back into frame space with coverage.
//!
//! Each warp walks destination rows (in strips of 64 columns, which keeps a rotated map's
//! source rows in cache) and steps the source position by the map's constant per-column
//! increment: a few flops plus four taps per pixel, and the only allocation is the output.

use super::Similarity;
use crate::{Frame, Rgba};

/// A half-open pixel rectangle `[x0, x1) × [y0, y1)` of a frame (rows from the top).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub x0: usize,
    pub y0: usize,
    pub x1: usize,
    pub y1: usize,
}

impl Region {
    /// The whole of a `width × height` frame.
    pub fn full(width: usize, height: usize) -> Self {
        Region {
            x0: 0,
            y0: 0,
            x1: width,
            y1: height,
        }
    }

    pub fn width(&self) -> usize {
        self.x1.saturating_sub(self.x0)
    }

    pub fn height(&self) -> usize {
        self.y1.saturating_sub(self.y0)
    }

    pub fn is_empty(&self) -> bool {
        self.width() == 0 || self.height() == 0
    }

    pub fn contains(&self, x: usize, y: usize) -> bool {
        (self.x0..self.x1).contains(&x) && (self.y0..self.y1).contains(&y)
    }
}

/// Bilinear reads from one frame with a replicated (clamp-to-edge) border, in OpenCV's index
/// convention (pixel `(i, j)` at the integer point `(i, j)`).
struct Sampler<'a> {
    pixels: &'a [Rgba],
    width: usize,
    last_x: usize,
    last_y: usize,
}

impl<'a> Sampler<'a> {
    /// `None` for an empty frame, which has nothing to replicate.
    fn new(frame: &'a Frame) -> Option<Self> {
        let (w, h) = frame.size();
        (w > 0 && h > 0).then(|| Sampler {
            pixels: frame.pixels(),
            width: w,
            last_x: w - 1,
            last_y: h - 1,
        })
    }

    /// The integer taps and weight along one axis: `x` is clamped to `[−1, last + 1]` (which
    /// keeps every replicated value and turns NaN into an edge), shifted by one so truncation
    /// is `floor` (no libm call), and both taps are clamped to the axis.
    #[inline(always)]
    fn taps(x: f64, last: usize) -> (usize, usize, f32) {
        let shifted = x.max(-1.0).min(last as f64 + 1.0) + 1.0;
        let i = shifted as usize;
        let frac = (shifted - i as f64) as f32;
        (i.saturating_sub(1).min(last), i.min(last), frac)
    }

    #[inline(always)]
    fn sample(&self, x: f64, y: f64) -> Rgba {
        let (x0, x1, fx) = Self::taps(x, self.last_x);
        let (y0, y1, fy) = Self::taps(y, self.last_y);
        let (r0, r1) = (y0 * self.width, y1 * self.width);
        let (p00, p01) = (self.pixels[r0 + x0], self.pixels[r0 + x1]);
        let (p10, p11) = (self.pixels[r1 + x0], self.pixels[r1 + x1]);
        let mut out = [0.0; 4];
        for c in 0..4 {
            let top = p00[c] * (1.0 - fx) + p01[c] * fx;
            let bottom = p10[c] * (1.0 - fx) + p11[c] * fx;
            out[c] = top * (1.0 - fy) + bottom * fy;
        }
        out
    }
}

/// Visits the destination pixels of a `w × h` grid in vertical strips of [`STRIP`] columns,
/// calling `f(index, x, y)` with the row-major index and the source position `map(u + ox, v + oy)`.
/// Strips keep the source rows a rotated map walks through in cache.
#[inline(always)]
fn for_each_position(
    w: usize,
    h: usize,
    map: &Similarity,
    (ox, oy): (f64, f64),
    mut f: impl FnMut(usize, f64, f64),
) {
    for u0 in (0..w).step_by(STRIP) {
        let u1 = (u0 + STRIP).min(w);
        for v in 0..h {
            let (x0, y0) = map.apply((ox + u0 as f64, oy + v as f64));
            for (t, i) in (v * w + u0..v * w + u1).enumerate() {
                let t = t as f64;
                f(i, x0 + t * map.a, y0 + t * map.b);
            }
        }
    }
}

/// Columns per strip in [`for_each_position`]: 64 RGBA f32 pixels = 1 KiB of output per row.
const STRIP: usize = 64;

/// How much of a destination pixel at index position `c` lies on a source axis of `n` pixels
/// (OpenCV convention): 1 on `[0, n−1]`, ramping to 0 at −1 and n, i.e. a bilinearly sampled
/// all-ones image with a zero border. NaN gives 0.
#[inline(always)]
fn coverage(c: f64, n: f64) -> f32 {
    let k = (c + 1.0).min(n - c);
    if k >= 1.0 {
        1.0
    } else if k > 0.0 {
        k as f32
    } else {
        0.0
    }
}

/// The `size × size` crop of `frame` under `m` (frame → crop): crop pixel centre `q` takes the
/// bilinear sample of `frame` at `m⁻¹(q)`, replicating edge pixels outside the frame
/// (OpenCV's `warpAffine` with `INTER_LINEAR` and `BORDER_REPLICATE`).
///
/// A transparent black crop when `frame` is empty or `m` is not invertible.
pub fn warp_to_crop(frame: &Frame, m: &Similarity, size: usize) -> Frame {
    let sampler = match Sampler::new(frame) {
        Some(s) if m.is_invertible() => s,
        _ => return Frame::new(size, size),
    };
    // Crop index → frame index, both in OpenCV's convention.
    let map = m.inverse().to_opencv();
    let mut crop = Frame::new(size, size);
    let pixels = crop.pixels_mut();
    for_each_position(size, size, &map, (0.0, 0.0), |i, x, y| {
        pixels[i] = sampler.sample(x, y);
    });
    crop
}

/// The frame pixels a paste-back of a `crop_size` crop under `m` (frame → crop) can touch:
/// those whose centres map strictly inside the crop's coverage square (the crop extended by
/// half a crop pixel, where [`warp_from_crop`]'s mask ramps to zero), clipped to the frame.
///
/// `None` when nothing of the frame is covered, a size is zero or `m` is not invertible.
pub fn paste_region(
    m: &Similarity,
    crop_size: usize,
    frame_w: usize,
    frame_h: usize,
) -> Option<Region> {
    if crop_size == 0 || frame_w == 0 || frame_h == 0 || !m.is_invertible() {
        return None;
    }
    let inv = m.inverse();
    let (lo, hi) = (-0.5, crop_size as f64 + 0.5);
    let corners = [(lo, lo), (hi, lo), (hi, hi), (lo, hi)].map(|p| inv.apply(p));
    let min_x = corners.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let max_x = corners
        .iter()
        .map(|p| p.0)
        .fold(f64::NEG_INFINITY, f64::max);
    let min_y = corners.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let max_y = corners
        .iter()
        .map(|p| p.1)
        .fold(f64::NEG_INFINITY, f64::max);
    if ![min_x, max_x, min_y, max_y].iter().all(|v| v.is_finite()) {
        return None;
    }
    // Pixel x is in when min < x + 0.5 < max: x from floor(min − 0.5) + 1 to ceil(max − 0.5) − 1.
    let span = |min: f64, max: f64, len: usize| {
        let first = ((min - 0.5).floor() + 1.0).clamp(0.0, len as f64) as usize;
        let end = (max - 0.5).ceil().clamp(0.0, len as f64) as usize;
        (first < end).then_some((first, end))
    };
    let (x0, x1) = span(min_x, max_x, frame_w)?;
    let (y0, y1) = span(min_y, max_y, frame_h)?;
    Some(Region { x0, y0, x1, y1 })
}

/// Samples `crop` back into frame space over `region`: frame pixel centre `p` takes the
/// bilinear sample of `crop` at `m(p)` (`m` is the frame → crop transform the crop was made
/// with; edge pixels replicate). Returns the region-sized image and its coverage mask
/// (row-major, region-sized): 1 where `m(p)` lies within the crop's outer pixel centres,
/// ramping linearly to 0 half a crop pixel beyond its edge — the values of an all-ones crop
/// warped bilinearly with a zero border, which is how the reference tools warp paste masks.
///
/// All zeros when `crop` is empty or `m` is not finite.
pub fn warp_from_crop(crop: &Frame, m: &Similarity, region: Region) -> (Frame, Vec<f32>) {
    let (w, h) = (region.width(), region.height());
    let finite = [m.a, m.b, m.tx, m.ty].iter().all(|v| v.is_finite());
    let sampler = match Sampler::new(crop) {
        Some(s) if finite => s,
        _ => return (Frame::new(w, h), vec![0.0; w * h]),
    };
    let (cw, ch) = (crop.width() as f64, crop.height() as f64);
    // Frame index → crop index, both in OpenCV's convention.
    let map = m.to_opencv();
    let mut face = Frame::new(w, h);
    let mut mask = vec![0.0f32; w * h];
    let pixels = face.pixels_mut();
    let origin = (region.x0 as f64, region.y0 as f64);
    for_each_position(w, h, &map, origin, |i, x, y| {
        pixels[i] = sampler.sample(x, y);
        mask[i] = coverage(x, cw) * coverage(y, ch);
    });
    (face, mask)
}

#[cfg(test)]
#[path = "warp_tests.rs"]
mod tests;
