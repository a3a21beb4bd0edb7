//! Mask building for Face Blend: the rectangle/plane types every stage shares, the raw mask from
//! Face's alpha, the Matte's alpha or an anti-aliased rotated ellipse, and invert.

use super::{BlendError, Ellipse};
use crate::Frame;

/// A half-open pixel rectangle `[x0, x1) × [y0, y1)` in frame coordinates (top-down).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rect {
    pub x0: usize,
    pub y0: usize,
    pub x1: usize,
    pub y1: usize,
}

impl Rect {
    pub const EMPTY: Rect = Rect {
        x0: 0,
        y0: 0,
        x1: 0,
        y1: 0,
    };

    pub fn full(w: usize, h: usize) -> Rect {
        Rect {
            x0: 0,
            y0: 0,
            x1: w,
            y1: h,
        }
    }

    pub fn width(&self) -> usize {
        self.x1.saturating_sub(self.x0)
    }

    pub fn height(&self) -> usize {
        self.y1.saturating_sub(self.y0)
    }

    pub fn area(&self) -> usize {
        self.width() * self.height()
    }

    pub fn is_empty(&self) -> bool {
        self.area() == 0
    }

    pub fn contains(&self, x: usize, y: usize) -> bool {
        x >= self.x0 && x < self.x1 && y >= self.y0 && y < self.y1
    }

    /// Grown by `margin` on every side, clipped to a `w × h` frame. Empty stays empty.
    pub fn expand(&self, margin: usize, w: usize, h: usize) -> Rect {
        if self.is_empty() {
            return Rect::EMPTY;
        }
        Rect {
            x0: self.x0.saturating_sub(margin),
            y0: self.y0.saturating_sub(margin),
            x1: self.x1.saturating_add(margin).min(w),
            y1: self.y1.saturating_add(margin).min(h),
        }
    }

    /// Moved by (`dx`, `dy`): the rectangle in a frame where this one's origin is at (dx, dy).
    pub fn shifted(&self, dx: usize, dy: usize) -> Rect {
        Rect {
            x0: self.x0 + dx,
            y0: self.y0 + dy,
            x1: self.x1 + dx,
            y1: self.y1 + dy,
        }
    }

    /// Index of frame pixel (x, y) inside a row-major buffer covering this rectangle.
    pub fn index(&self, x: usize, y: usize) -> usize {
        (y - self.y0) * self.width() + (x - self.x0)
    }
}

/// A single-channel float image covering only `rect` of the frame; zero everywhere else.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plane {
    pub rect: Rect,
    pub data: Vec<f32>,
}

impl Plane {
    pub fn zeros(rect: Rect) -> Plane {
        Plane {
            rect,
            data: vec![0.0; rect.area()],
        }
    }

    /// The value at frame pixel (x, y); zero outside `rect`.
    #[cfg(test)]
    pub fn get(&self, x: usize, y: usize) -> f32 {
        if self.rect.contains(x, y) {
            self.data[self.rect.index(x, y)]
        } else {
            0.0
        }
    }

    /// The smallest rectangle holding every non-zero value (empty when all are zero).
    pub fn support(&self) -> Rect {
        let r = self.rect;
        let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
        for (row, line) in self.data.chunks(r.width().max(1)).enumerate() {
            let (Some(first), Some(last)) = (
                line.iter().position(|&v| v != 0.0),
                line.iter().rposition(|&v| v != 0.0),
            ) else {
                continue;
            };
            x0 = x0.min(r.x0 + first);
            x1 = x1.max(r.x0 + last + 1);
            y0 = y0.min(r.y0 + row);
            y1 = r.y0 + row + 1;
        }
        if x0 == usize::MAX {
            Rect::EMPTY
        } else {
            Rect { x0, y0, x1, y1 }
        }
    }

    /// The same values over another rectangle (zero where `self` has none).
    pub fn crop(&self, rect: Rect) -> Plane {
        let mut out = Plane::zeros(rect);
        let a = self.rect;
        let (x0, x1) = (a.x0.max(rect.x0), a.x1.min(rect.x1));
        let (y0, y1) = (a.y0.max(rect.y0), a.y1.min(rect.y1));
        if x0 < x1 {
            for y in y0..y1 {
                let (from, to) = (a.index(x0, y), rect.index(x0, y));
                out.data[to..to + x1 - x0].copy_from_slice(&self.data[from..from + x1 - x0]);
            }
        }
        out
    }
}

/// The mask from one channel (alpha) of a frame, clamped to [0, 1]; a NaN or infinity anywhere
/// in that channel is an error naming `clip`, since it would poison every later stage.
pub(crate) fn from_alpha(frame: &Frame, clip: &'static str) -> Result<Plane, BlendError> {
    let h = frame.height();
    let mut bounds = Rect {
        x0: usize::MAX,
        y0: usize::MAX,
        x1: 0,
        y1: 0,
    };
    for y in 0..h {
        for (x, p) in frame.row(y).iter().enumerate() {
            let a = p[3];
            if !a.is_finite() {
                return Err(BlendError::NonFinite { clip, x, y });
            }
            if a > 0.0 {
                bounds.x0 = bounds.x0.min(x);
                bounds.x1 = bounds.x1.max(x + 1);
                bounds.y0 = bounds.y0.min(y);
                bounds.y1 = y + 1;
            }
        }
    }
    if bounds.x0 == usize::MAX {
        return Ok(Plane::zeros(Rect::EMPTY));
    }
    let mut plane = Plane::zeros(bounds);
    for y in bounds.y0..bounds.y1 {
        let row = &frame.row(y)[bounds.x0..bounds.x1];
        let start = bounds.index(bounds.x0, y);
        for (d, p) in plane.data[start..start + row.len()].iter_mut().zip(row) {
            *d = p[3].clamp(0.0, 1.0);
        }
    }
    Ok(plane)
}

/// An anti-aliased, rotated ellipse: each pixel gets the area of its square inside the outline,
/// treating the outline as straight at pixel scale (box-filter coverage, see [`coverage`]); the
/// signed distance to the outline is estimated to first order (exact on circles, within a small
/// fraction of a pixel for ellipses a few pixels across and more). Pixel (x, y) is the square
/// [x, x + 1) × [y, y + 1), centre (x + 0.5, y + 0.5); radii ≤ 0 give an empty mask.
pub(crate) fn ellipse(e: &Ellipse, w: usize, h: usize) -> Plane {
    let (cx, cy) = (f64::from(e.centre.0), f64::from(e.centre.1));
    let (rx, ry) = (f64::from(e.radii.0), f64::from(e.radii.1));
    if rx <= 0.0 || ry <= 0.0 || w == 0 || h == 0 {
        return Plane::zeros(Rect::EMPTY);
    }
    // Counter-clockwise on screen with y pointing down: the first axis points along (cos, −sin).
    let (sin, cos) = f64::from(e.angle_deg).to_radians().sin_cos();
    let ex = (rx * rx * cos * cos + ry * ry * sin * sin).sqrt() + 1.0;
    let ey = (rx * rx * sin * sin + ry * ry * cos * cos).sqrt() + 1.0;
    let clip = |v: f64, max: usize| v.floor().clamp(0.0, max as f64) as usize;
    let rect = Rect {
        x0: clip(cx - ex, w),
        y0: clip(cy - ey, h),
        x1: clip(cx + ex + 1.0, w),
        y1: clip(cy + ey + 1.0, h),
    };
    let mut plane = Plane::zeros(rect);
    let inner = rx.min(ry);
    let pixel = |x: usize, y: usize| {
        let (dx, dy) = (x as f64 + 0.5 - cx, y as f64 + 0.5 - cy);
        let u = dx * cos - dy * sin;
        let v = dx * sin + dy * cos;
        let rho = ((u / rx).powi(2) + (v / ry).powi(2)).sqrt();
        let grad = ((u / (rx * rx)).powi(2) + (v / (ry * ry)).powi(2)).sqrt();
        let dist = if grad > 0.0 {
            (rho - 1.0) * rho / grad
        } else {
            -inner
        };
        // Outline normal in frame coordinates (∇ρ rotated back).
        let (gu, gv) = (u / (rx * rx), v / (ry * ry));
        let n = normal(gu * cos + gv * sin, gv * cos - gu * sin);
        coverage(dist, n) as f32
    };
    // Only a ring around the outline needs the model. `grad` = |(u/rx², v/ry²)| ≤ ρ/min(rx, ry),
    // so the distance estimate (ρ − 1)·ρ/grad is at least |ρ − 1|·min(rx, ry) in size: for
    // ρ ≤ 1 − 1.25/min the pixel is fully covered, for ρ ≥ 1 + 1.25/min not at all (coverage
    // saturates within a pixel's half-diagonal, under 1). Per row, ρ² is a quadratic in x; the
    // spans are narrowed (widened) by a pixel more against rounding: the same values as
    // computing every pixel, without the work.
    let (r2x, r2y) = (rx * rx, ry * ry);
    let qa = cos * cos / r2x + sin * sin / r2y;
    let qb = 2.0 * sin * cos * (1.0 / r2y - 1.0 / r2x);
    let qc = sin * sin / r2x + cos * cos / r2y;
    let exact = qa > 0.0 && qa.is_finite() && qb.is_finite() && qc.is_finite();
    let (t_in, t_out) = (1.0 - 1.25 / inner, 1.0 + 1.25 / inner);
    // Pixel columns where ρ ≤ t on a row whose centre is `dy` from the centre: x + 0.5 − cx
    // solves qa·dx² + qb·dy·dx + qc·dy² = t², as (lowest, highest) fractional x.
    let span = |dy: f64, t: f64| {
        let (b, c) = (qb * dy, qc * dy * dy - t * t);
        let disc = b * b - 4.0 * qa * c;
        (disc >= 0.0).then(|| {
            let s = disc.sqrt();
            (
                (-b - s) / (2.0 * qa) + cx - 0.5,
                (-b + s) / (2.0 * qa) + cx - 0.5,
            )
        })
    };
    let col = |v: f64| v.clamp(rect.x0 as f64, rect.x1 as f64) as usize;
    for y in rect.y0..rect.y1 {
        let dy = y as f64 + 0.5 - cy;
        let (lo, hi, a, b) = if !exact {
            (rect.x0, rect.x1, rect.x0, rect.x0)
        } else if let Some((e0, e1)) = span(dy, t_out) {
            let (lo, hi) = (col(e0.floor() - 1.0), col(e1.ceil() + 2.0));
            match span(dy, t_in).filter(|_| t_in > 0.0) {
                Some((i0, i1)) => {
                    let a = col(i0.ceil() + 1.0).clamp(lo, hi);
                    (lo, hi, a, col(i1.floor()).clamp(a, hi))
                }
                None => (lo, hi, lo, lo),
            }
        } else {
            continue;
        };
        let row = rect.index(rect.x0, y);
        let line = &mut plane.data[row..row + rect.width()];
        for x in (lo..a).chain(b..hi) {
            line[x - rect.x0] = pixel(x, y);
        }
        line[a - rect.x0..b - rect.x0].fill(1.0);
    }
    plane
}

/// Area of a unit pixel inside a straight edge at signed distance `d` from its centre (d > 0:
/// the centre is outside), for an edge normal with components (a, b), a ≥ b ≥ 0, a² + b² = 1.
pub(crate) fn coverage(d: f64, (a, b): (f64, f64)) -> f64 {
    let half = (a + b) / 2.0;
    let band = (a - b) / 2.0;
    if d >= half {
        0.0
    } else if d <= -half {
        1.0
    } else if d.abs() <= band {
        0.5 - d / a
    } else if d > 0.0 {
        (half - d).powi(2) / (2.0 * a * b)
    } else {
        1.0 - (half + d).powi(2) / (2.0 * a * b)
    }
}

/// Inverse of [`coverage`]: the signed distance from the pixel centre to the edge.
pub(crate) fn distance(m: f64, (a, b): (f64, f64)) -> f64 {
    let half = (a + b) / 2.0;
    let corner = b / (2.0 * a);
    if m <= 0.0 {
        half
    } else if m >= 1.0 {
        -half
    } else if m < corner {
        half - (2.0 * a * b * m).sqrt()
    } else if m > 1.0 - corner {
        (2.0 * a * b * (1.0 - m)).sqrt() - half
    } else {
        (0.5 - m) * a
    }
}

/// (a, b) = (max, min) of the absolute components of a direction; axis-aligned if degenerate.
pub(crate) fn normal(dx: f64, dy: f64) -> (f64, f64) {
    let len = dx.hypot(dy);
    if len.is_nan() || len <= 1e-12 {
        return (1.0, 0.0);
    }
    let (x, y) = ((dx / len).abs(), (dy / len).abs());
    (x.max(y), x.min(y))
}

/// 1 − mask over the whole frame.
pub(crate) fn invert(mask: &Plane, w: usize, h: usize) -> Plane {
    let full = Rect::full(w, h);
    let mut out = Plane {
        rect: full,
        data: vec![1.0; full.area()],
    };
    let r = mask.rect;
    for y in r.y0..r.y1 {
        for x in r.x0..r.x1 {
            out.data[full.index(x, y)] = 1.0 - mask.data[r.index(x, y)];
        }
    }
    out
}
