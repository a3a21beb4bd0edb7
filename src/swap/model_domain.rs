//! The model domain on the CPU: what models see of a frame (sRGB-encoded RGB clamped to 0..1,
//! alpha 1; non-finite values 0) and the block-mean reduction detection runs on. The GPU twins
//! are `shaders/reduce.wgsl`'s, through [`crate::gpu::ops::GpuOps`].

use crate::colour::ColourSpace;
use crate::Frame;

/// `frame` reduced by `factor` (block means) and put in the model domain: the detection view.
pub fn detection_view(frame: &Frame, factor: usize, space: ColourSpace) -> Frame {
    to_model_domain(box_reduce(frame, factor), space)
}

/// Averages `factor × factor` blocks (the last partial blocks too), rows in parallel.
fn box_reduce(frame: &Frame, factor: usize) -> Frame {
    if factor <= 1 {
        return frame.clone();
    }
    let (w, h) = (
        frame.width().div_ceil(factor),
        frame.height().div_ceil(factor),
    );
    let mut out = Frame::new(w, h);
    crate::blend::par::bands(out.pixels_mut(), w, 16 * 1024, |first, band| {
        let mut sums = vec![[0.0f32; 3]; w];
        for (i, row) in band.chunks_mut(w).enumerate() {
            let by = first + i;
            sums.iter_mut().for_each(|s| *s = [0.0; 3]);
            let rows = (by * factor)..((by + 1) * factor).min(frame.height());
            let n_rows = rows.len();
            for y in rows {
                for (chunk, s) in frame.row(y).chunks(factor).zip(sums.iter_mut()) {
                    for p in chunk {
                        s[0] += p[0];
                        s[1] += p[1];
                        s[2] += p[2];
                    }
                }
            }
            for (bx, (o, s)) in row.iter_mut().zip(&sums).enumerate() {
                let cols = ((bx + 1) * factor).min(frame.width()) - bx * factor;
                let n = (cols * n_rows) as f32;
                *o = [s[0] / n, s[1] / n, s[2] / n, 1.0];
            }
        }
    });
    out
}

/// `frame` as models see it.
pub(crate) fn to_model_domain(mut frame: Frame, space: ColourSpace) -> Frame {
    for p in frame.pixels_mut() {
        for c in p.iter_mut().take(3) {
            let encoded = match space {
                ColourSpace::Linear => crate::colour::srgb_encode(*c),
                ColourSpace::Srgb => *c,
            };
            *c = if encoded.is_finite() {
                encoded.clamp(0.0, 1.0)
            } else {
                0.0
            };
        }
        p[3] = 1.0;
    }
    frame
}
