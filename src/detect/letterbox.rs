//! Letterboxing a frame into a detector's input: a fit keeping the aspect ratio (downscale-only
//! into a fixed canvas, or to a working resolution), pasted at the top-left of a black canvas,
//! resampled with a triangle filter (bilinear when enlarging, antialiased when reducing),
//! written as a normalised NCHW tensor. Remembers the scale to map detections back.

use crate::Frame;

/// Where the frame sits in the model input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Letterbox {
    /// Model input size (width, height).
    pub canvas: (usize, usize),
    /// The frame's size once scaled (width, height), at the canvas's top-left.
    pub scaled: (usize, usize),
    /// Input pixels per frame pixel, per axis (1 when the frame fits unscaled).
    pub scale: (f64, f64),
}

impl Letterbox {
    /// The fit of a `frame` (width, height) into a fixed `canvas`.
    pub fn fit(frame: (usize, usize), canvas: (usize, usize)) -> Letterbox {
        let ratio = (canvas.0 as f64 / frame.0.max(1) as f64)
            .min(canvas.1 as f64 / frame.1.max(1) as f64)
            .min(1.0);
        let scaled = (
            ((frame.0 as f64 * ratio).round() as usize).clamp(1, canvas.0),
            ((frame.1 as f64 * ratio).round() as usize).clamp(1, canvas.1),
        );
        Letterbox {
            canvas,
            scaled,
            scale: (
                scaled.0 as f64 / frame.0.max(1) as f64,
                scaled.1 as f64 / frame.1.max(1) as f64,
            ),
        }
    }

    /// The working geometry for a model that takes any size: the frame scaled, up or down, so
    /// its longer side is `max_side`, on a canvas rounded up to multiples of `multiple` (32 for
    /// CenterFace and SCRFD). A fixed working resolution makes detections independent of the
    /// frame's resolution (a host's proxy scale), and is how CenterFace's reference numbers
    /// were made (astronaut.png at 640×640).
    pub fn working(frame: (usize, usize), max_side: usize, multiple: usize) -> Letterbox {
        let (w, h) = (frame.0.max(1), frame.1.max(1));
        let ratio = max_side as f64 / w.max(h) as f64;
        let scaled = (
            ((w as f64 * ratio).round() as usize).max(1),
            ((h as f64 * ratio).round() as usize).max(1),
        );
        let multiple = multiple.max(1);
        Letterbox {
            canvas: (
                scaled.0.div_ceil(multiple) * multiple,
                scaled.1.div_ceil(multiple) * multiple,
            ),
            scaled,
            scale: (scaled.0 as f64 / w as f64, scaled.1 as f64 / h as f64),
        }
    }

    /// A point in model-input coordinates, OpenCV convention (pixel centres on integers), as a
    /// frame point in Doppel's convention (pixel centres at +0.5).
    pub fn to_frame(&self, (x, y): (f64, f64)) -> (f64, f64) {
        ((x + 0.5) / self.scale.0, (y + 0.5) / self.scale.1)
    }
}

/// How a detector wants its pixels: channel order and `value = (x·255 − mean) / std`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Normalise {
    pub bgr: bool,
    pub mean: f32,
    pub std: f32,
}

/// Reusable buffers for [`letterbox`].
#[derive(Debug, Default)]
pub struct Scratch {
    rows: Vec<[f32; 3]>,
    taps_x: Vec<Taps>,
    taps_y: Vec<Taps>,
}

#[derive(Debug, Clone, Default)]
struct Taps {
    first: usize,
    weights: Vec<f32>,
}

/// Filter taps for resampling `src` samples to `dst` at `scale` (dst per src): a triangle of
/// half-width max(1, 1/scale) source pixels, centred on each destination pixel's centre.
fn taps(src: usize, dst: usize, scale: f64, out: &mut Vec<Taps>) {
    out.resize_with(dst, Taps::default);
    let radius = (1.0 / scale).max(1.0);
    for (i, t) in out.iter_mut().enumerate() {
        let centre = (i as f64 + 0.5) / scale - 0.5;
        let lo = (centre - radius).floor().max(0.0) as usize;
        let hi = ((centre + radius).ceil() as usize).min(src - 1);
        t.first = lo;
        t.weights.clear();
        let mut sum = 0.0;
        for j in lo..=hi {
            let w = (1.0 - (j as f64 - centre).abs() / radius).max(0.0);
            t.weights.push(w as f32);
            sum += w;
        }
        if sum <= 0.0 {
            // Degenerate (a 1-pixel source): take the nearest sample.
            t.weights.iter_mut().for_each(|w| *w = 0.0);
            t.weights[0] = 1.0;
        } else {
            t.weights.iter_mut().for_each(|w| *w /= sum as f32);
        }
    }
}

/// Writes `frame` (RGB 0..1, sRGB-encoded) letterboxed by `lb` into `out` as a (1,3,H,W) tensor
/// normalised by `norm`; the canvas outside the picture holds a normalised black.
pub fn letterbox(
    frame: &Frame,
    lb: &Letterbox,
    norm: Normalise,
    out: &mut Vec<f32>,
    scratch: &mut Scratch,
) {
    let (cw, ch) = lb.canvas;
    let (sw, sh) = lb.scaled;
    let (fw, fh) = frame.size();
    let plane = cw * ch;
    let black = -norm.mean / norm.std;
    out.clear();
    out.resize(3 * plane, black);
    let k = 255.0 / norm.std;
    let order: [usize; 3] = if norm.bgr { [2, 1, 0] } else { [0, 1, 2] };
    let mut put = |x: usize, y: usize, rgb: [f32; 3]| {
        for (c, &src) in order.iter().enumerate() {
            out[c * plane + y * cw + x] = rgb[src] * k + black;
        }
    };
    if (sw, sh) == (fw, fh) {
        for y in 0..sh {
            for (x, p) in frame.row(y).iter().enumerate() {
                put(x, y, [p[0], p[1], p[2]]);
            }
        }
        return;
    }
    // Horizontal pass over every source row, then vertical.
    taps(fw, sw, lb.scale.0, &mut scratch.taps_x);
    taps(fh, sh, lb.scale.1, &mut scratch.taps_y);
    scratch.rows.clear();
    scratch.rows.resize(fh * sw, [0.0; 3]);
    for y in 0..fh {
        let src = frame.row(y);
        let dst = &mut scratch.rows[y * sw..(y + 1) * sw];
        for (d, t) in dst.iter_mut().zip(&scratch.taps_x) {
            let mut acc = [0.0f32; 3];
            for (p, &w) in src[t.first..].iter().zip(&t.weights) {
                acc[0] += p[0] * w;
                acc[1] += p[1] * w;
                acc[2] += p[2] * w;
            }
            *d = acc;
        }
    }
    for (y, t) in scratch.taps_y.iter().enumerate() {
        for x in 0..sw {
            let mut acc = [0.0f32; 3];
            for (j, &w) in t.weights.iter().enumerate() {
                let p = scratch.rows[(t.first + j) * sw + x];
                acc[0] += p[0] * w;
                acc[1] += p[1] * w;
                acc[2] += p[2] * w;
            }
            put(x, y, acc);
        }
    }
}
