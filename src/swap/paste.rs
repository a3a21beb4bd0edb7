//! The per-pixel steps of a swap behind one small interface (warp into a crop, paste a crop back
//! with its mask and colour transfer), so a GPU implementation can replace the CPU one.

use crate::blend::{self, BlendError, BlendOutput, BlendSettings, ColourMatch, MaskSource};
use crate::colour::ColourSpace;
use crate::face::{paste_region, warp_from_crop, warp_to_crop, Region, Similarity};
use crate::Frame;

/// How a pasted face meets the plate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PasteSettings {
    pub colour_match: ColourMatch,
    /// 0..1: how much of the swapped face shows.
    pub strength: f32,
    pub colour_space: ColourSpace,
}

/// What a paste writes into its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// The face blended over the target (which starts as the plate).
    Composite,
    /// The face alone, premultiplied by its mask, "over" the target (which starts transparent).
    FaceOnly,
    /// The mask, max-combined into the target (which starts black).
    MaskOnly,
}

/// A paste that could not be made.
#[derive(Debug, Clone, PartialEq)]
pub struct PasteError(pub String);

pub trait PixelOps: Send + Sync {
    /// Samples `frame` into a `size × size` crop through the frame→crop similarity `m`
    /// (bilinear, replicated border).
    fn warp_to_crop(&self, frame: &Frame, m: &Similarity, size: usize) -> Frame;

    /// Pastes `crop` (RGB in the target's encoding; alpha = the crop-space mask) back through
    /// `m` into `target`, touching only the crop's footprint and only where the mask is non-zero.
    /// `plate` supplies the colour statistics' reference (the untouched frame).
    fn paste(
        &self,
        target: &mut Frame,
        plate: &Frame,
        crop: &Frame,
        m: &Similarity,
        settings: &PasteSettings,
        layer: Layer,
    ) -> Result<(), PasteError>;
}

/// The CPU implementation, and the GPU path's test oracle.
pub struct CpuOps;

fn copy_region(frame: &Frame, r: Region) -> Frame {
    Frame::from_fn(r.width(), r.height(), |x, y| {
        frame.pixel(r.x0 + x, r.y0 + y)
    })
}

impl PixelOps for CpuOps {
    fn warp_to_crop(&self, frame: &Frame, m: &Similarity, size: usize) -> Frame {
        warp_to_crop(frame, m, size)
    }

    fn paste(
        &self,
        target: &mut Frame,
        plate: &Frame,
        crop: &Frame,
        m: &Similarity,
        settings: &PasteSettings,
        layer: Layer,
    ) -> Result<(), PasteError> {
        let (w, h) = target.size();
        let Some(region) = paste_region(m, crop.width(), w, h) else {
            return Ok(());
        };
        let (mut face, inside) = warp_from_crop(crop, m, region);
        for (p, c) in face.pixels_mut().iter_mut().zip(&inside) {
            p[3] *= c;
        }
        let under = copy_region(
            if layer == Layer::Composite {
                target
            } else {
                plate
            },
            region,
        );
        let blend_settings = BlendSettings {
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
        };
        let out = match blend::blend(&under, &face, None, &blend_settings) {
            Ok(out) => out,
            // The mask fell entirely outside the frame or was blanked by other masks: nothing to paste.
            Err(BlendError::EmptyMask) => return Ok(()),
            Err(BlendError::NonFinite { .. }) => {
                return Err(PasteError(
                    "the swap model returned NaN or infinite values".into(),
                ))
            }
            Err(e) => return Err(PasteError(e.to_string())),
        };
        for y in 0..region.height() {
            let row = &mut target.row_mut(region.y0 + y)[region.x0..region.x1];
            for (x, t) in row.iter_mut().enumerate() {
                let o = out.pixel(x, y);
                match layer {
                    Layer::Composite => *t = o,
                    Layer::FaceOnly => {
                        let keep = 1.0 - o[3];
                        *t = [
                            o[0] + t[0] * keep,
                            o[1] + t[1] * keep,
                            o[2] + t[2] * keep,
                            o[3] + t[3] * keep,
                        ];
                    }
                    Layer::MaskOnly => {
                        *t = [
                            t[0].max(o[0]),
                            t[1].max(o[1]),
                            t[2].max(o[2]),
                            t[3].max(o[3]),
                        ]
                    }
                }
            }
        }
        Ok(())
    }
}
