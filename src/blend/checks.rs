//! What [`super::blend`] (and its GPU twin, `crate::gpu::blend`) refuses: non-finite
//! parameters, inputs of the wrong size or missing, and NaN or infinite pixels where it reads.

use super::mask::Rect;
use super::{par, BlendError, BlendOutput, BlendSettings, MaskSource, GRAIN};
use crate::{Frame, Rgba};

fn check_parameters(s: &BlendSettings) -> Result<(), BlendError> {
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

/// What [`super::blend`] (and its GPU twin) checks before it builds the masks, in its order: the parameters are
/// finite, Face (and the Matte when the mask comes from it) has Source's size, a Matte is given
/// when needed, Source is not empty. Returns the Matte when the mask comes from it.
pub(crate) fn check_inputs<'a>(
    source: &Frame,
    face: &Frame,
    matte: Option<&'a Frame>,
    settings: &BlendSettings,
) -> Result<Option<&'a Frame>, BlendError> {
    check_parameters(settings)?;
    let (w, h) = source.size();
    if face.size() != source.size() {
        return Err(BlendError::SizeMismatch {
            clip: "Face",
            size: face.size(),
            source: (w, h),
        });
    }
    let matte = match settings.mask {
        MaskSource::Matte => {
            let m = matte.ok_or(BlendError::MissingMatte)?;
            if m.size() != source.size() {
                return Err(BlendError::SizeMismatch {
                    clip: "Matte",
                    size: m.size(),
                    source: (w, h),
                });
            }
            Some(m)
        }
        _ => None,
    };
    if w == 0 || h == 0 {
        return Err(BlendError::EmptyFrame {
            width: w,
            height: h,
        });
    }
    Ok(matte)
}

/// What [`super::blend`] (and its GPU twin) checks once the masks are built (after the alpha and empty-mask
/// checks): Source's, then Face's RGB are finite over the `work` rectangle, unless the output
/// is the mask alone.
pub(crate) fn check_work(
    source: &Frame,
    face: &Frame,
    settings: &BlendSettings,
    work: Rect,
) -> Result<(), BlendError> {
    if settings.output != BlendOutput::MaskOnly {
        check_rgb(source, "Source", work)?;
        check_rgb(face, "Face", work)?;
    }
    Ok(())
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
pub(crate) fn check_rgb(frame: &Frame, clip: &'static str, rect: Rect) -> Result<(), BlendError> {
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
