//! Face Swap's pipeline on plain frames: find faces, choose, align, run the identity's model on
//! each crop (with pixel boost), build the paste mask, and paste back with colour transfer.
//! Models sit behind two small traits so the pipeline is testable without ONNX Runtime; the
//! optional occlusion and region models ([`mask_models`]) come in through
//! [`CropSwapper::extra_masks`].

pub mod debug;
pub mod engine;

pub mod mask;
pub mod mask_models;
pub mod paste;
pub mod select;

use std::fmt;
use std::sync::OnceLock;

use crate::colour::ColourSpace;
use crate::face::{align, boost_merge, boost_split, Landmarks, Similarity, Template};
use crate::frame::Patch;
use crate::Frame;
use mask::{box_mask_cached, combine_min, BoxMask};
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

/// The frame being swapped, as models see it (sRGB-encoded RGB 0..1), made only as far as
/// needed: crops are warped from the host's frame and converted alone, and the whole converted
/// frame is built only for the recogniser (identity weight, reference photo) of linear input.
pub struct ModelFrame<'a> {
    frame: &'a Frame,
    space: ColourSpace,
    full: OnceLock<Frame>,
}

impl<'a> ModelFrame<'a> {
    pub fn new(frame: &'a Frame, space: ColourSpace) -> Self {
        ModelFrame {
            frame,
            space,
            full: OnceLock::new(),
        }
    }

    /// The whole frame in the model domain.
    pub fn full(&self) -> &Frame {
        match self.space {
            // Already display-encoded: crops are clamped where they are used.
            ColourSpace::Srgb => self.frame,
            ColourSpace::Linear => self.full.get_or_init(|| model_view(self.frame, self.space)),
        }
    }

    /// A `size × size` crop through the frame→crop similarity `m`, in the model domain.
    pub fn crop(&self, ops: &dyn PixelOps, m: &Similarity, size: usize) -> Frame {
        to_model_domain(ops.warp_to_crop(self.frame, m, size), self.space)
    }

    /// The faces in the frame, in its own pixels (detection runs on a reduced view).
    pub fn find_faces(&self, finder: &dyn FaceFinder) -> Result<Vec<FoundFace>, SwapError> {
        let (view, factor) = self.for_detection();
        let found = finder.find(&view)?;
        Ok(found.into_iter().map(|f| scale_face(f, factor)).collect())
    }

    /// A reduced copy for detection (longer side near `DETECT_SIDE`) and its integer factor.
    pub fn for_detection(&self) -> (Frame, usize) {
        let factor = (self.frame.width().max(self.frame.height()) / DETECT_SIDE).max(1);
        let view = to_model_domain(box_reduce(self.frame, factor), self.space);
        (view, factor)
    }
}

/// Detectors work near this size; larger frames are box-reduced by an integer factor first.
pub const DETECT_SIDE: usize = 640;

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

/// Finds faces in a model-domain frame (sRGB-encoded RGB 0..1).
pub trait FaceFinder: Send + Sync {
    fn find(&self, frame: &Frame) -> Result<Vec<FoundFace>, SwapError>;

    /// Distance of `face` to the reference identity, if one is set.
    fn reference_distance(&self, _frame: &ModelFrame, _face: &FoundFace) -> Option<f32> {
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

/// The frame as models see it: sRGB-encoded RGB clamped to 0..1, alpha 1.
pub fn model_view(frame: &Frame, space: ColourSpace) -> Frame {
    to_model_domain(frame.clone(), space)
}

fn to_model_domain(mut frame: Frame, space: ColourSpace) -> Frame {
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

/// Swaps the chosen faces of `frame` (in `settings.paste.colour_space`).
pub fn swap_frame(
    frame: &Frame,
    finder: &dyn FaceFinder,
    swapper: &dyn CropSwapper,
    ops: &dyn PixelOps,
    settings: &SwapSettings,
) -> Result<(SwapResult, SwapReport), SwapError> {
    let model = ModelFrame::new(frame, settings.paste.colour_space);
    let faces = model.find_faces(finder)?;
    let boxes: Vec<[f32; 4]> = faces.iter().map(|f| f.bbox).collect();
    let chosen = select(&boxes, settings.selection, |i| {
        finder.reference_distance(&model, &faces[i])
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
        return Ok((SwapResult::Frame(out), report));
    }
    let layer = match settings.output {
        SwapOutput::FaceOnly => Layer::FaceOnly,
        SwapOutput::MaskOnly => Layer::MaskOnly,
        _ => Layer::Composite,
    };
    let mut patches = Vec::new();
    for &i in &chosen {
        let Some((crop, m)) = swap_face(&model, &faces[i], swapper, ops, settings)? else {
            continue;
        };
        let crop = to_host_encoding(crop, settings.paste.colour_space);
        // Later faces blend over earlier ones only in the composite.
        let earlier: &[Patch] = if layer == Layer::Composite {
            &patches
        } else {
            &[]
        };
        let patch = ops
            .paste(frame, earlier, &crop, &m, &settings.paste, layer)
            .map_err(|e| SwapError(format!("pasting the swapped face failed: {}", e.0)))?;
        if let Some(patch) = patch {
            patches.push(patch);
            report.faces_swapped += 1;
        }
    }
    let result = match layer {
        Layer::Composite => SwapResult::Patches(patches),
        _ => SwapResult::Frame(merge_layers(frame.width(), frame.height(), &patches, layer)),
    };
    Ok((result, report))
}

/// Face-only patches composited "over" each other, or masks max-combined, on a clear frame.
fn merge_layers(width: usize, height: usize, patches: &[Patch], layer: Layer) -> Frame {
    let mut out = Frame::new(width, height);
    for patch in patches {
        for y in 0..patch.pixels.height() {
            let row = &mut out.row_mut(patch.y + y)[patch.x..patch.x + patch.pixels.width()];
            for (t, o) in row.iter_mut().zip(patch.pixels.row(y)) {
                *t = match layer {
                    Layer::MaskOnly => [
                        t[0].max(o[0]),
                        t[1].max(o[1]),
                        t[2].max(o[2]),
                        t[3].max(o[3]),
                    ],
                    _ => {
                        let keep = 1.0 - o[3];
                        [
                            o[0] + t[0] * keep,
                            o[1] + t[1] * keep,
                            o[2] + t[2] * keep,
                            o[3] + t[3] * keep,
                        ]
                    }
                };
            }
        }
    }
    out
}

/// Runs the model on one face: returns the swapped crop (alpha = paste mask) and the
/// frame→crop similarity, or `None` for a face whose landmarks cannot be aligned.
fn swap_face(
    view: &ModelFrame,
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
    let crop = view.crop(ops, &m, size * k);
    // Judged on the target, before the swap: what covers the face, which parts are face.
    let full = size * k;
    let extra = swapper.extra_masks(&crop)?;
    if let Some(bad) = extra.iter().find(|e| e.len() != full * full) {
        return Err(SwapError(format!(
            "a mask model returned {} values for a {full}×{full} crop",
            bad.len()
        )));
    }
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
    let box_mask = box_mask_cached(full, &settings.box_mask);
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
    let mut all: Vec<&[f32]> = vec![&box_mask];
    all.extend(learned.as_deref());
    all.extend(extra.iter().map(Vec::as_slice));
    let mask = combine_min(&all);
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
