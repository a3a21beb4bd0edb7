//! The output frame: Source (or transparent black) copied once, a straight copy of whole rows,
//! then the matched face composited over the mask's support rectangle only. Rows are written in
//! parallel bands.

use super::mask::Rect;
use super::par;
use crate::{Frame, Rgba};

/// Pixels per band below which a pass stays on one thread.
const GRAIN: usize = 1 << 16;

/// The pixels the composite starts from: Source's, or transparent black when `zero`. `pixels` is
/// reused when it has Source's size (a frame kept by the caller costs no allocation).
pub(crate) fn base(source: &Frame, zero: bool, mut pixels: Vec<Rgba>) -> Vec<Rgba> {
    let (w, h) = source.size();
    // A frame this large is mapped fresh from the OS by the usual allocators (glibc: 32 MiB and
    // up): its zeroed pages cost a fault each on first write, more than the copy, so the copy is
    // spread over the threads. A smaller one is usually recycled heap memory: one straight copy
    // runs at full memory speed.
    let large = w * h * std::mem::size_of::<Rgba>() >= 32 << 20;
    if pixels.len() != w * h {
        drop(pixels);
        if zero {
            return vec![[0.0; 4]; w * h];
        }
        if !large {
            return source.pixels().to_vec();
        }
        pixels = vec![[0.0; 4]; w * h];
    } else if !large {
        if zero {
            pixels.fill([0.0; 4]);
        } else {
            pixels.copy_from_slice(source.pixels());
        }
        return pixels;
    }
    par::bands(&mut pixels, w, GRAIN, |first, band| {
        for (y, row) in (first..).zip(band.chunks_mut(w)) {
            if zero {
                row.fill([0.0; 4]);
            } else {
                row.copy_from_slice(source.row(y));
            }
        }
    });
    pixels
}

/// Composites the matched face `matched` through `weights` · `mix` (both over `work`, row-major)
/// into the `w`-wide frame `pixels` inside `support`: rgb = s + (f − s)·wgt with Source's alpha,
/// or (f·wgt, wgt) over transparent black for `face_only`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn composite(
    pixels: &mut [Rgba],
    w: usize,
    matched: &[[f32; 3]],
    weights: &[f32],
    work: Rect,
    support: Rect,
    mix: f32,
    face_only: bool,
) {
    let rows = &mut pixels[support.y0 * w..support.y1 * w];
    par::bands(rows, w, GRAIN, |first, band| {
        for (y, row) in (support.y0 + first..).zip(band.chunks_mut(w)) {
            let start = work.index(support.x0, y);
            let span = start..start + support.width();
            let cells = row[support.x0..support.x1]
                .iter_mut()
                .zip(&matched[span.clone()])
                .zip(&weights[span]);
            for ((p, f), &m) in cells {
                let wgt = m * mix;
                if wgt <= 0.0 {
                    continue;
                }
                if face_only {
                    *p = [f[0] * wgt, f[1] * wgt, f[2] * wgt, wgt];
                } else if wgt >= 1.0 {
                    p[..3].copy_from_slice(f);
                } else {
                    // s + (f − s)·w: exactly s where the face equals the plate.
                    for c in 0..3 {
                        p[c] += (f[c] - p[c]) * wgt;
                    }
                }
            }
        }
    });
}

/// Writes the weight w = mask · `mix` in RGB and alpha over `support` (`weights` covers it).
pub(crate) fn mask_only(pixels: &mut [Rgba], w: usize, weights: &[f32], support: Rect, mix: f32) {
    let rows = pixels[support.y0 * w..support.y1 * w].chunks_mut(w);
    for (row, line) in rows.zip(weights.chunks(support.width())) {
        for (p, &v) in row[support.x0..support.x1].iter_mut().zip(line) {
            *p = [v * mix; 4];
        }
    }
}
