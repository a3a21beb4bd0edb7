//! Face Blend: seamless integration of a processed face into the plate (mask, erode/dilate,
//! feather, colour match, Poisson, composite) as plain Rust on plain [`Frame`]s.
//!
//! Pipeline of [`blend`]:
//! 1. **Mask** from Face's alpha, the Matte's alpha or an anti-aliased ellipse (box-filter
//!    coverage of each pixel square), clamped to [0, 1].
//! 2. **Erode/dilate** the 50% contour by `erode_px` (round element, see `morphology`).
//! 3. **Invert** (1 − m) when asked. This is the *core* mask: colour statistics are weighted by it.
//! 4. **Feather**: Gaussian blur with σ = `feather_px` / 2, i.e. the edge softens over about
//!    `feather_px` on each side of the contour (±2σ holds 95% of the transition). Clamp-to-edge at
//!    the frame border. Blurring the inverted mask equals inverting the blurred one.
//! 5. **Colour match** Face to Source (statistics in linear light, weighted by the core mask,
//!    from at most ~2¹⁸ pixels on a regular grid), the transfer applied to every Face pixel the
//!    final mask reaches (see `colour_match`).
//! 6. **Seamless** (optional): Poisson blend of the matched face onto Source over the final mask's
//!    support (see `poisson`).
//! 7. **Composite** with w = mask · mix: rgb = source·(1 − w) + face′·w, alpha = Source's alpha.
//!
//! The composite happens in the encoding the host handed us, not in linear light: a compositor's
//! Merge/mix mixes in the working space it gave the node, and mixing there keeps Face Blend
//! interchangeable with a Merge (FaceOnly over Source reproduces Composite). Only the colour
//! statistics and transfers go through linear light, as they must to be meaningful.
//!
//! Everything is f32/f64 float: no 8-bit step, no clamping of HDR values. Work is limited to the
//! final mask's bounding box (the ellipse model and the blur only compute near the mask's edges);
//! the output is Source copied once, pixels where w = 0 bit for bit, with the composite written
//! over the box. Per-pixel passes run on all cores in bands of rows (see `par`), with results
//! independent of the number of threads; colour conversions use tables accurate to a few f64
//! ulps (see `convert`).

pub(crate) mod blur;
mod checks;
mod colour_match;
mod composite;
mod convert;
pub(crate) mod gpu_twin;
mod histogram;
pub(crate) mod mask;
mod mkl;
pub(crate) mod morphology;
mod multigrid;
pub(crate) mod par;
pub(crate) mod poisson;
mod target;
#[cfg(test)]
mod tests;

use std::fmt;

pub use crate::colour::ColourSpace;
use crate::Frame;
use checks::{check_inputs, check_work};
use mask::Plane;
pub use target::{ColourStats, TargetCorrection};

/// Pixels per thread below which a pass stays on one thread.
const GRAIN: usize = 1 << 16;

/// An ellipse in frame pixels: top-down coordinates (x right, y down), a pixel's centre at
/// (x + 0.5, y + 0.5); `radii.0` lies along the axis rotated by `angle_deg` counter-clockwise as
/// seen on screen from the x axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ellipse {
    pub centre: (f32, f32),
    pub radii: (f32, f32),
    pub angle_deg: f32,
}

/// Where the mask comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MaskSource {
    FaceAlpha,
    Matte,
    Ellipse(Ellipse),
}

/// How Face's colours are matched to Source's inside the mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColourMatch {
    None,
    /// LAB mean and standard deviation per channel (DeepFaceLab's RCT).
    Reinhard,
    /// Mean and full 3×3 covariance of linear RGB (Monge–Kantorovich linear map, DFL's MKL).
    Linear,
    /// Per-channel histogram matching on float quantiles.
    Histogram,
}

/// What [`blend`] renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlendOutput {
    /// The blended plate.
    Composite,
    /// The effective blend weight w = mask · mix in RGB and alpha.
    MaskOnly,
    /// The matched (and seamless) face premultiplied by w, alpha = w: "over" Source gives Composite.
    FaceOnly,
}

/// Face Blend parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlendSettings {
    pub mask: MaskSource,
    /// Pixels: < 0 erodes, > 0 dilates (fractions allowed).
    pub erode_px: f32,
    /// Pixels of softening on each side of the mask edge (σ = feather_px / 2); ≤ 0 is none.
    pub feather_px: f32,
    pub invert: bool,
    pub colour_match: ColourMatch,
    pub seamless: bool,
    /// 0..1, clamped: scales the mask.
    pub mix: f32,
    /// Encoding of the input pixels; colour statistics are computed in linear light.
    pub colour_space: ColourSpace,
    pub output: BlendOutput,
}

impl Default for BlendSettings {
    /// A plain paste of Face over Source through Face's own alpha: no erode, no feather, no colour
    /// change, full mix, linear input. Every processing step is something the artist opts into,
    /// so the default never alters colours it was not asked to.
    fn default() -> Self {
        BlendSettings {
            mask: MaskSource::FaceAlpha,
            erode_px: 0.0,
            feather_px: 0.0,
            invert: false,
            colour_match: ColourMatch::None,
            seamless: false,
            mix: 1.0,
            colour_space: ColourSpace::Linear,
            output: BlendOutput::Composite,
        }
    }
}

/// Why [`blend`] produced nothing; the caller shows it and passes Source through.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BlendError {
    /// `clip` (Face or Matte) does not have Source's size.
    SizeMismatch {
        clip: &'static str,
        size: (usize, usize),
        source: (usize, usize),
    },
    /// The mask is set to Matte and no Matte image was given.
    MissingMatte,
    /// A NaN or infinite value in a pixel the blend reads, frame coordinates from the top-left:
    /// the mask clip's alpha anywhere, Source/Face RGB inside the final mask's bounding box plus
    /// one pixel. Pixels the blend never reads are not inspected (a stray NaN far from the face
    /// stays Source's business).
    NonFinite {
        clip: &'static str,
        x: usize,
        y: usize,
    },
    /// The final mask is zero everywhere.
    EmptyMask,
    /// Source has no pixels.
    EmptyFrame { width: usize, height: usize },
    /// A parameter is NaN or infinite.
    InvalidParameter { name: &'static str, value: f32 },
}

impl fmt::Display for BlendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlendError::SizeMismatch { clip, size, source } => write!(
                f,
                "{clip} is {}x{} but Source is {}x{}: connect images of the same size",
                size.0, size.1, source.0, source.1
            ),
            BlendError::MissingMatte => {
                write!(f, "Mask is set to Matte but no Matte image is connected")
            }
            BlendError::NonFinite { clip, x, y } => write!(
                f,
                "{clip} has a NaN or infinite value at pixel ({x}, {y}) counted from the top-left corner"
            ),
            BlendError::EmptyMask => write!(
                f,
                "The mask is empty, nothing to blend: check the mask source, Erode/Dilate and Invert"
            ),
            BlendError::EmptyFrame { width, height } => {
                write!(f, "Source is empty ({width}x{height}): nothing to blend")
            }
            BlendError::InvalidParameter { name, value } => {
                write!(f, "{name} must be a finite number, got {value}")
            }
        }
    }
}

impl std::error::Error for BlendError {}

/// The core mask (after erode/dilate and invert: weights for colour statistics) and the final
/// feathered mask.
fn masks(
    face: &Frame,
    matte: Option<&Frame>,
    s: &BlendSettings,
    w: usize,
    h: usize,
) -> Result<(Plane, Plane), BlendError> {
    let raw = match (s.mask, matte) {
        (MaskSource::FaceAlpha, _) => mask::from_alpha(face, "Face")?,
        (MaskSource::Matte, Some(m)) => mask::from_alpha(m, "Matte")?,
        (MaskSource::Matte, None) => return Err(BlendError::MissingMatte),
        (MaskSource::Ellipse(e), _) => mask::ellipse(&e, w, h),
    };
    let moved = morphology::erode_dilate(&raw, s.erode_px, w, h);
    let core = if s.invert {
        mask::invert(&moved, w, h)
    } else {
        moved
    };
    let core = core.crop(core.support());
    let sigma = f64::from(s.feather_px.max(0.0)) / 2.0;
    let fin = blur::feather(&core, sigma, w, h);
    Ok((core, fin))
}

/// Blends `face` into `source` through the mask `settings` describe. Never panics; any input
/// it cannot blend is an error for the caller to show while passing Source through.
pub fn blend(
    source: &Frame,
    face: &Frame,
    matte: Option<&Frame>,
    settings: &BlendSettings,
) -> Result<Frame, BlendError> {
    blend_towards(source, face, matte, settings, None)
}

/// [`blend`] with the colour match's Source statistics first mapped through `target` (Face
/// Swap's correction towards the plate smoothed over time); `None` is [`blend`] exactly.
pub fn blend_towards(
    source: &Frame,
    face: &Frame,
    matte: Option<&Frame>,
    settings: &BlendSettings,
    target: Option<&TargetCorrection>,
) -> Result<Frame, BlendError> {
    let mut out = Frame::new(0, 0);
    blend_core(source, face, matte, settings, target, &mut out)?;
    Ok(out)
}

/// [`blend`] into `out`, which becomes Source's size; `out` is left as it was on error. A caller
/// that keeps `out` from frame to frame saves allocating a new frame per render, which at 4K
/// costs more than the blend itself (the OS zeroes every fresh page on first touch).
pub fn blend_into(
    source: &Frame,
    face: &Frame,
    matte: Option<&Frame>,
    settings: &BlendSettings,
    out: &mut Frame,
) -> Result<(), BlendError> {
    blend_core(source, face, matte, settings, None, out)
}

fn blend_core(
    source: &Frame,
    face: &Frame,
    matte: Option<&Frame>,
    settings: &BlendSettings,
    target: Option<&TargetCorrection>,
    out: &mut Frame,
) -> Result<(), BlendError> {
    let matte = check_inputs(source, face, matte, settings)?;
    let (w, h) = source.size();
    let (core, fin) = masks(face, matte, settings, w, h)?;
    let support = fin.support();
    if support.is_empty() {
        return Err(BlendError::EmptyMask);
    }
    let mix = settings.mix.clamp(0.0, 1.0);
    // The output's pixels are taken (for reuse) only once nothing can fail any more.
    let take = |out: &mut Frame| std::mem::replace(out, Frame::new(0, 0)).into_pixels();
    if settings.output == BlendOutput::MaskOnly {
        let mut pixels = composite::base(source, true, take(out));
        composite::mask_only(&mut pixels, w, &fin.crop(support).data, support, mix);
        *out = Frame::from_pixels(w, h, pixels).expect("w × h pixels");
        return Ok(());
    }

    // The matched face over the support plus a one pixel ring (the Poisson boundary).
    let work = support.expand(1, w, h);
    check_work(source, face, settings, work)?;
    let reuse = take(out);
    let weights = fin.crop(work);
    let needed = needed(&weights.data, work.width(), settings.seamless);
    // The output starts as a copy of Source (memory-bound) while the face is matched beside it.
    let face_only = settings.output == BlendOutput::FaceOnly;
    let (mut pixels, matched) = par::join(
        || composite::base(source, face_only, reuse),
        || {
            let mut matched = colour_match::matched_face(
                settings.colour_match,
                settings.colour_space,
                source,
                face,
                &core,
                work,
                &needed,
                target,
            );
            if settings.seamless {
                poisson::seamless(source, &mut matched, work, &fin, support);
            }
            matched
        },
    );
    composite::composite(
        &mut pixels,
        w,
        &matched,
        &weights.data,
        work,
        support,
        mix,
        face_only,
    );
    *out = Frame::from_pixels(w, h, pixels).expect("w × h pixels");
    Ok(())
}

/// Where the matched face is needed over a `ww`-wide rectangle of final `weights`: where the
/// composite uses it (weight > 0) and, for `seamless`, next to it (the Poisson boundary reads
/// those pixels); the rest of the rectangle keeps Face as it is.
fn needed(weights: &[f32], ww: usize, seamless: bool) -> Vec<bool> {
    let mut needed = vec![false; weights.len()];
    par::bands(&mut needed, ww, GRAIN, |first, band| {
        let on = |j: usize| weights[j] > 0.0;
        for (r, line) in band.chunks_mut(ww).enumerate() {
            let y = first + r;
            for (x, n) in line.iter_mut().enumerate() {
                let i = y * ww + x;
                *n = on(i)
                    || (seamless
                        && ((x > 0 && on(i - 1))
                            || (x + 1 < ww && on(i + 1))
                            || (y > 0 && on(i - ww))
                            || (i + ww < weights.len() && on(i + ww))));
            }
        }
    });
    needed
}
