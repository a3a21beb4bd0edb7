//! What [`super::blend`] refuses before it starts: non-finite parameters, and NaN or infinite
//! pixels where it reads.

use super::mask::Rect;
use super::{par, BlendError, BlendSettings, MaskSource, GRAIN};
use crate::{Frame, Rgba};

pub(super) fn check_parameters(s: &BlendSettings) -> Result<(), BlendError> {
    let mut values = vec![
        ("Erode/Dilate", s.erode_px),
        ("Feather", s.feather_px),
        ("Mix", s.mix),
    ];
    if let MaskSource::Ellipse(e) = s.mask {
        values.extend([
            ("Ellipse centre x", e.centre.0),
            ("Ellipse centre y", e.centre.1),
            ("Ellipse radius x", e.radii.0),
            ("Ellipse radius y", e.radii.1),
            ("Ellipse angle", e.angle_deg),
        ]);
    }
    match values.into_iter().find(|(_, v)| !v.is_finite()) {
        Some((name, value)) => Err(BlendError::InvalidParameter { name, value }),
        None => Ok(()),
    }
}

/// Whether every R, G, B value of `row` is finite, without a branch per pixel (it vectorises):
/// v − v is 0 unless v is NaN or infinite.
#[allow(clippy::eq_op)]
fn all_finite(row: &[Rgba]) -> bool {
    let zero = row.iter().fold([0.0f32; 4], |acc, p| {
        [
            acc[0] + (p[0] - p[0]),
            acc[1] + (p[1] - p[1]),
            acc[2] + (p[2] - p[2]),
            0.0,
        ]
    });
    zero[0] + zero[1] + zero[2] == 0.0
}

/// First non-finite RGB value of `frame` inside `rect` (rows checked in parallel).
pub(super) fn check_rgb(frame: &Frame, clip: &'static str, rect: Rect) -> Result<(), BlendError> {
    let row = |y: usize| &frame.row(y)[rect.x0..rect.x1];
    let mut bad = vec![false; rect.height()];
    par::fill(&mut bad, GRAIN / rect.width().max(1), |r| {
        !all_finite(row(rect.y0 + r))
    });
    let Some(r) = bad.iter().position(|&b| b) else {
        return Ok(());
    };
    let finite = |p: &Rgba| p[0].is_finite() && p[1].is_finite() && p[2].is_finite();
    Err(BlendError::NonFinite {
        clip,
        x: rect.x0
            + row(rect.y0 + r)
                .iter()
                .position(|p| !finite(p))
                .unwrap_or(0),
        y: rect.y0 + r,
    })
}
