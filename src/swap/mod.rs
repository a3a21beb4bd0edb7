//! Face Swap's pipeline on plain frames: find faces, choose, align, run the identity's model on
//! each crop (with pixel boost), build the paste mask, and paste back with colour transfer.
//! Models sit behind two small traits so the pipeline is testable without ONNX Runtime; the
//! optional occlusion and region models ([`mask_models`]) come in through
//! [`CropSwapper::extra_masks`].

pub mod debug;
pub mod engine;
mod engine_adapters;

pub mod mask;
pub mod mask_models;
pub mod model_domain;
pub mod paste;
mod pipeline;
pub mod select;

use std::fmt;

use crate::colour::ColourSpace;
use crate::face::{align, Landmarks, Similarity, Template};
use crate::frame::Patch;
use crate::Frame;
use mask::BoxMask;
use paste::{PasteSettings, PixelOps};
use select::FaceSelection;

#[cfg(test)]
pub(crate) use pipeline::swap_face;
pub use pipeline::{swap_faces, swap_frame, Pick};

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

/// The frame being swapped, as models see it (sRGB-encoded RGB 0..1), made only as far as
/// needed: crops are warped from the host's frame and converted alone, detection runs on a
/// reduced converted view, and the per-pixel work of both is `ops`' (the CPU's or the GPU's).
pub struct ModelFrame<'a> {
    frame: &'a Frame,
    space: ColourSpace,
    ops: &'a dyn PixelOps,
}

impl<'a> ModelFrame<'a> {
    /// `frame` with its per-pixel work on the CPU.
    pub fn new(frame: &'a Frame, space: ColourSpace) -> Self {
        Self::with_ops(frame, space, &paste::CpuOps)
    }

    /// `frame` with its per-pixel work done by `ops`.
    pub fn with_ops(frame: &'a Frame, space: ColourSpace, ops: &'a dyn PixelOps) -> Self {
        ModelFrame { frame, space, ops }
    }

    /// The per-pixel steps this frame's work runs on.
    pub fn ops(&self) -> &'a dyn PixelOps {
        self.ops
    }

    /// A `size × size` crop through the frame→crop similarity `m`, in the model domain.
    pub fn crop(&self, m: &Similarity, size: usize) -> Frame {
        self.ops.model_crop(self.frame, m, size, self.space)
    }

    /// The faces in the frame, in its own pixels (detection runs on a reduced view).
    pub fn find_faces(&self, finder: &dyn FaceFinder) -> Result<Vec<FoundFace>, SwapError> {
        self.find_faces_and_view(finder).map(|(faces, _)| faces)
    }

    /// [`ModelFrame::find_faces`], and the reduced model-domain view detection ran on (what a
    /// temporal cut signature is computed from).
    pub fn find_faces_and_view(
        &self,
        finder: &dyn FaceFinder,
    ) -> Result<(Vec<FoundFace>, Frame), SwapError> {
        let (view, factor) = self.for_detection();
        let found = finder.find(&view)?;
        let faces = found.into_iter().map(|f| scale_face(f, factor)).collect();
        Ok((faces, view))
    }

    /// A reduced copy for detection (longer side near `DETECT_SIDE`) and its integer factor.
    pub fn for_detection(&self) -> (Frame, usize) {
        let factor = (self.frame.width().max(self.frame.height()) / DETECT_SIDE).max(1);
        let view = self.ops.detection_view(self.frame, factor, self.space);
        (view, factor)
    }
}

/// Detectors work near this size; larger frames are box-reduced by an integer factor first.
pub const DETECT_SIDE: usize = 640;

/// Finds faces in a model-domain frame (sRGB-encoded RGB 0..1).
pub trait FaceFinder: Send + Sync {
    fn find(&self, frame: &Frame) -> Result<Vec<FoundFace>, SwapError>;

    /// The identity embedding of `face` (`None` without a recogniser, or when it fails).
    fn embedding(&self, _frame: &ModelFrame, _face: &FoundFace) -> Option<Vec<f32>> {
        None
    }

    /// The reference identity faces are compared with, if one is set.
    fn reference(&self) -> Option<&[f32]> {
        None
    }

    /// Distance of `face` to the reference identity, if one is set.
    fn reference_distance(&self, frame: &ModelFrame, face: &FoundFace) -> Option<f32> {
        select::cosine_distance(self.reference()?, &self.embedding(frame, face)?)
    }
}

/// Runs the identity's model on aligned crops.
pub trait CropSwapper: Send + Sync {
    fn template(&self) -> Template;
    /// The model's crop size S.
    fn crop_size(&self) -> usize;
    /// Swaps one S×S crop. `frame` and `face` let generic swappers measure the target's own
    /// identity for the identity weight.
    fn swap(
        &self,
        crop: &Frame,
        frame: &ModelFrame,
        face: &FoundFace,
    ) -> Result<SwappedCrop, SwapError>;
    /// Further paste masks for the target crop (the full k·S model-domain crop, before the
    /// swap), each `width × width` in 0..1: occlusion and region masks. All combine by `min`.
    fn extra_masks(&self, _crop: &Frame) -> Result<Vec<Vec<f32>>, SwapError> {
        Ok(Vec::new())
    }
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

/// A face found in a reduced view, in the full frame's pixels (centres at +0.5 scale exactly).
fn scale_face(face: FoundFace, factor: usize) -> FoundFace {
    let f = factor as f64;
    let points = face.landmarks.points().map(|(x, y)| (x * f, y * f));
    FoundFace {
        bbox: face.bbox.map(|v| v * factor as f32),
        score: face.score,
        landmarks: Landmarks::new(points),
    }
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

/// A swap's output: the plate with patches over the swapped faces, or a whole new frame.
#[derive(Debug, Clone, PartialEq)]
pub enum SwapResult {
    /// Composite: apply these, in order, over the plate.
    Patches(Vec<Patch>),
    /// Face only, mask only and the debug view.
    Frame(Frame),
}

impl SwapResult {
    /// The output as a whole frame (tests and tools; the OFX layer applies patches itself).
    pub fn into_frame(self, plate: &Frame) -> Frame {
        match self {
            SwapResult::Frame(frame) => frame,
            SwapResult::Patches(patches) => {
                let mut out = plate.clone();
                patches.iter().for_each(|p| p.apply(&mut out));
                out
            }
        }
    }
}

#[cfg(test)]
mod tests;
