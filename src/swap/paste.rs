//! The per-pixel steps of a swap behind one small interface (warp into a crop, paste a crop back
//! with its mask and colour transfer), so a GPU implementation can replace the CPU one.

use super::model_domain;
use crate::blend::{
    self, BlendError, BlendOutput, BlendSettings, ColourMatch, MaskSource, TargetCorrection,
};
use crate::colour::ColourSpace;
use crate::face::{paste_region, warp_from_crop, warp_to_crop, Region, Similarity};
use crate::frame::Patch;
use crate::Frame;

/// How a pasted face meets the plate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PasteSettings {
    pub colour_match: ColourMatch,
    /// 0..1: how much of the swapped face shows.
    pub strength: f32,
    pub colour_space: ColourSpace,
}

/// What a paste produces for its region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// The face blended over the plate (and over earlier faces' patches).
    Composite,
    /// The face alone, premultiplied by its mask.
    FaceOnly,
    /// The mask.
    MaskOnly,
}

/// A paste that could not be made.
#[derive(Debug, Clone, PartialEq)]
pub struct PasteError(pub String);

pub trait PixelOps: Send + Sync {
    /// Samples `frame` into a `size × size` crop through the frame→crop similarity `m`
    /// (bilinear, replicated border).
    fn warp_to_crop(&self, frame: &Frame, m: &Similarity, size: usize) -> Frame;

    /// [`PixelOps::warp_to_crop`] put in the model domain (see [`model_domain`]).
    fn model_crop(&self, frame: &Frame, m: &Similarity, size: usize, space: ColourSpace) -> Frame {
        model_domain::to_model_domain(self.warp_to_crop(frame, m, size), space)
    }

    /// `frame` reduced by `factor` (block means) in the model domain: what detection runs on.
    fn detection_view(&self, frame: &Frame, factor: usize, space: ColourSpace) -> Frame {
        model_domain::detection_view(frame, factor, space)
    }

    /// Pastes `crop` (RGB in the plate's encoding; alpha = the crop-space mask) back through `m`:
    /// returns the new pixels of the crop's footprint on `plate` (with `earlier` patches applied
    /// first), changed only where the mask is non-zero; `None` when nothing lands in the frame.
    /// `target` corrects the plate statistics the colour match aims at (a temporal smooth);
    /// `None` matches each frame's own.
    #[allow(clippy::too_many_arguments)]
    fn paste(
        &self,
        plate: &Frame,
        earlier: &[Patch],
        crop: &Frame,
        m: &Similarity,
        settings: &PasteSettings,
        target: Option<&TargetCorrection>,
        layer: Layer,
    ) -> Result<Option<Patch>, PasteError>;
}

/// The CPU implementation, and the GPU path's test oracle.
pub struct CpuOps;

/// `frame`'s pixels in `r`, with the parts of `earlier` patches that overlap it.
pub(crate) fn copy_region(frame: &Frame, earlier: &[Patch], r: Region) -> Frame {
    let mut out = Frame::from_fn(r.width(), r.height(), |x, y| {
        frame.pixel(r.x0 + x, r.y0 + y)
    });
    for patch in earlier {
        let (px1, py1) = (
            patch.x + patch.pixels.width(),
            patch.y + patch.pixels.height(),
        );
        for y in r.y0.max(patch.y)..r.y1.min(py1) {
            for x in r.x0.max(patch.x)..r.x1.min(px1) {
                out.set_pixel(
                    x - r.x0,
                    y - r.y0,
                    patch.pixels.pixel(x - patch.x, y - patch.y),
                );
            }
        }
    }
    out
}

impl PixelOps for CpuOps {
    fn warp_to_crop(&self, frame: &Frame, m: &Similarity, size: usize) -> Frame {
        warp_to_crop(frame, m, size)
    }

    fn paste(
        &self,
        plate: &Frame,
        earlier: &[Patch],
        crop: &Frame,
        m: &Similarity,
        settings: &PasteSettings,
        target: Option<&TargetCorrection>,
        layer: Layer,
    ) -> Result<Option<Patch>, PasteError> {
        let settings = blend_settings(settings, layer);
        let (w, h) = plate.size();
        let Some(region) = paste_region(m, crop.width(), w, h) else {
            return Ok(None);
        };
        let (mut face, inside) = warp_from_crop(crop, m, region);
        for (p, c) in face.pixels_mut().iter_mut().zip(&inside) {
            p[3] *= c;
        }
        let under = copy_region(plate, earlier, region);
        patch_of(
            blend::blend_towards(&under, &face, None, &settings, target),
            region,
        )
    }
}

/// Whether any of `patches` covers part of `r`.
pub(crate) fn overlaps(patches: &[Patch], r: Region) -> bool {
    patches.iter().any(|p| {
        p.x < r.x1 && r.x0 < p.x + p.pixels.width() && p.y < r.y1 && r.y0 < p.y + p.pixels.height()
    })
}

/// How a paste blends its region: the face's alpha is the mask.
pub(crate) fn blend_settings(settings: &PasteSettings, layer: Layer) -> BlendSettings {
    BlendSettings {
        mask: MaskSource::FaceAlpha,
        colour_match: settings.colour_match,
        mix: settings.strength,
        colour_space: settings.colour_space,
        output: match layer {
            Layer::Composite => BlendOutput::Composite,
            Layer::FaceOnly => BlendOutput::FaceOnly,
            Layer::MaskOnly => BlendOutput::MaskOnly,
        },
        ..BlendSettings::default()
    }
}

/// A paste's blended region as a patch at `region`, or why there is none.
pub(crate) fn patch_of(
    blended: Result<Frame, BlendError>,
    region: Region,
) -> Result<Option<Patch>, PasteError> {
    match blended {
        Ok(pixels) => Ok(Some(Patch {
            x: region.x0,
            y: region.y0,
            pixels,
        })),
        // The mask fell outside the frame or was blanked by other masks: nothing to paste.
        Err(BlendError::EmptyMask) => Ok(None),
        Err(BlendError::NonFinite { clip: "Face", .. }) => Err(PasteError(
            "the swap model returned NaN or infinite values".into(),
        )),
        Err(BlendError::NonFinite { clip, x, y }) => Err(PasteError(
            BlendError::NonFinite {
                clip,
                x: x + region.x0,
                y: y + region.y0,
            }
            .to_string(),
        )),
        Err(e) => Err(PasteError(e.to_string())),
    }
}
