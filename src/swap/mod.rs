//! Face Swap's pipeline on plain frames: find faces, choose, align, run the identity's model on
//! each crop (with pixel boost), build the paste mask, and paste back with colour transfer.
//! Models sit behind two small traits so the pipeline is testable without ONNX Runtime.

pub mod debug;
pub mod engine;

pub mod mask;
pub mod paste;
pub mod select;

use std::fmt;

use crate::colour::ColourSpace;
use crate::face::{align, boost_merge, boost_split, Landmarks, Similarity, Template};
use crate::Frame;
use mask::{box_mask, combine_min, BoxMask};
use paste::{Layer, PasteSettings, PixelOps};
use select::{select, FaceSelection};

/// A face found in a frame (frame pixels, top-down).
#[derive(Debug, Clone, PartialEq)]
pub struct FoundFace {
    pub bbox: [f32; 4],
    pub score: f32,
    pub landmarks: Landmarks,
}

/// What a swap model gives back for one crop.
pub struct SwappedCrop {
    /// RGB in the model domain (sRGB-encoded 0..1), the crop's size.
    pub face: Frame,
    /// The model's own mask (DFM), crop-sized, if it has one.
    pub mask: Option<Vec<f32>>,
}

/// A failure the user must see: names the model or file and the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwapError(pub String);

impl fmt::Display for SwapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SwapError {}

/// Finds faces in a model-domain frame (sRGB-encoded RGB 0..1).
pub trait FaceFinder: Send + Sync {
    fn find(&self, frame: &Frame) -> Result<Vec<FoundFace>, SwapError>;

    /// Distance of face `face` (found in `frame`) to the reference identity, if one is set.
    fn reference_distance(&self, _frame: &Frame, _face: &FoundFace) -> Option<f32> {
        None
    }
}

/// Runs the identity's model on aligned crops.
pub trait CropSwapper: Send + Sync {
    fn template(&self) -> Template;
    /// The model's crop size S.
    fn crop_size(&self) -> usize;
    /// Swaps one S×S crop. `frame` and `face` let generic swappers measure the target's own
    /// identity for the identity weight.
    fn swap(&self, crop: &Frame, frame: &Frame, face: &FoundFace)
        -> Result<SwappedCrop, SwapError>;
}

/// k² polyphase crops let a model of crop S paint a k·S crop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelBoost {
    Off,
    Times(usize),
    /// The smallest k (up to 4) whose k·S covers the face's footprint at full resolution.
    Auto,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwapOutput {
    Composite,
    /// Premultiplied, with its alpha: for Face Blend.
    FaceOnly,
    MaskOnly,
    /// Boxes, landmarks and the chosen faces drawn over the plate.
    Debug,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SwapSettings {
    pub selection: FaceSelection,
    pub pixel_boost: PixelBoost,
    pub box_mask: BoxMask,
    /// Use the model's own masks where it has them (DFM).
    pub learned_masks: bool,
    pub paste: PasteSettings,
    pub output: SwapOutput,
}

/// What happened on a frame, for messages and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SwapReport {
    pub faces_found: usize,
    pub faces_swapped: usize,
}

/// The frame as models see it: sRGB-encoded RGB clamped to 0..1, alpha 1.
pub fn model_view(frame: &Frame, space: ColourSpace) -> Frame {
    let mut out = frame.clone();
    for p in out.pixels_mut() {
        for c in p.iter_mut().take(3) {
            let encoded = if space == ColourSpace::Linear {
                crate::colour::srgb_encode(*c)
            } else {
                *c
            };
            *c = if encoded.is_finite() {
                encoded.clamp(0.0, 1.0)
            } else {
                0.0
            };
        }
        p[3] = 1.0;
    }
    out
}

fn boost_factor(
    boost: PixelBoost,
    template: Template,
    size: usize,
    landmarks: &Landmarks,
) -> usize {
    match boost {
        PixelBoost::Off => 1,
        PixelBoost::Times(k) => k.clamp(1, 4),
        PixelBoost::Auto => {
            // The crop's footprint in frame pixels is size / scale at k = 1.
            let scale = align(landmarks, template, size).map_or(1.0, |m| m.scale());
            let footprint = size as f64 / scale.max(1e-9);
            ((footprint / size as f64).ceil() as usize).clamp(1, 4)
        }
    }
}

/// Swaps the chosen faces of `frame` (in `settings.paste.colour_space`) and returns the output.
pub fn swap_frame(
    frame: &Frame,
    finder: &dyn FaceFinder,
    swapper: &dyn CropSwapper,
    ops: &dyn PixelOps,
    settings: &SwapSettings,
) -> Result<(Frame, SwapReport), SwapError> {
    let view = model_view(frame, settings.paste.colour_space);
    let faces = finder.find(&view)?;
    let boxes: Vec<[f32; 4]> = faces.iter().map(|f| f.bbox).collect();
    let chosen = select(&boxes, settings.selection, |i| {
        finder.reference_distance(&view, &faces[i])
    });
    let mut report = SwapReport {
        faces_found: faces.len(),
        faces_swapped: 0,
    };

    if settings.output == SwapOutput::Debug {
        let mut out = frame.clone();
        let marks: Vec<bool> = (0..faces.len()).map(|i| chosen.contains(&i)).collect();
        let drawn: Vec<_> = faces.iter().map(|f| (f.bbox, f.landmarks)).collect();
        debug::draw(&mut out, &drawn, &marks);
        return Ok((out, report));
    }
    let (mut target, layer) = match settings.output {
        SwapOutput::FaceOnly => (Frame::new(frame.width(), frame.height()), Layer::FaceOnly),
        SwapOutput::MaskOnly => (Frame::new(frame.width(), frame.height()), Layer::MaskOnly),
        _ => (frame.clone(), Layer::Composite),
    };
    for &i in &chosen {
        let face = &faces[i];
        if let Some((crop, m)) = swap_face(&view, face, swapper, ops, settings)? {
            let crop = to_host_encoding(crop, settings.paste.colour_space);
            ops.paste(&mut target, frame, &crop, &m, &settings.paste, layer)
                .map_err(|e| SwapError(format!("pasting the swapped face failed: {}", e.0)))?;
            report.faces_swapped += 1;
        }
    }
    Ok((target, report))
}

/// Runs the model on one face: returns the swapped crop (alpha = paste mask) and the
/// frame→crop similarity, or `None` for a face whose landmarks cannot be aligned.
fn swap_face(
    view: &Frame,
    face: &FoundFace,
    swapper: &dyn CropSwapper,
    ops: &dyn PixelOps,
    settings: &SwapSettings,
) -> Result<Option<(Frame, Similarity)>, SwapError> {
    let (template, size) = (swapper.template(), swapper.crop_size());
    let k = boost_factor(settings.pixel_boost, template, size, &face.landmarks);
    let Some(m) = align(&face.landmarks, template, size * k) else {
        return Ok(None);
    };
    let crop = ops.warp_to_crop(view, &m, size * k);
    let parts = if k == 1 {
        vec![crop]
    } else {
        boost_split(&crop, k).map_err(|e| SwapError(format!("{e:?}")))?
    };
    let mut faces = Vec::with_capacity(parts.len());
    let mut masks = Vec::with_capacity(parts.len());
    for part in &parts {
        let out = swapper.swap(part, view, face)?;
        if (out.face.width(), out.face.height()) != (size, size) {
            return Err(SwapError(format!(
                "the swap model returned a {}×{} face for a {size}×{size} crop",
                out.face.width(),
                out.face.height()
            )));
        }
        if let Some(mask) = out.mask {
            masks.push(Frame::from_fn(size, size, |x, y| [mask[y * size + x]; 4]));
        }
        faces.push(out.face);
    }
    let merge = |parts: &[Frame]| {
        if k == 1 {
            Ok(parts[0].clone())
        } else {
            boost_merge(parts, k)
        }
    };
    let mut swapped = merge(&faces).map_err(|e| SwapError(format!("{e:?}")))?;
    let full = size * k;
    let box_mask = box_mask(full, &settings.box_mask);
    let learned = if settings.learned_masks && masks.len() == faces.len() {
        let merged = merge(&masks).map_err(|e| SwapError(format!("{e:?}")))?;
        Some(
            merged
                .pixels()
                .iter()
                .map(|p| p[0].clamp(0.0, 1.0))
                .collect::<Vec<f32>>(),
        )
    } else {
        None
    };
    let mask = match &learned {
        Some(l) => combine_min(&[&box_mask, l]),
        None => box_mask,
    };
    for (p, a) in swapped.pixels_mut().iter_mut().zip(&mask) {
        p[3] = *a;
    }
    Ok(Some((swapped, m)))
}

/// Model output (sRGB-encoded) back to the host's encoding; alpha kept.
fn to_host_encoding(mut crop: Frame, space: ColourSpace) -> Frame {
    if space == ColourSpace::Linear {
        for p in crop.pixels_mut() {
            for c in p.iter_mut().take(3) {
                *c = crate::colour::srgb_decode(*c);
            }
        }
    }
    crop
}

#[cfg(test)]
mod tests;
