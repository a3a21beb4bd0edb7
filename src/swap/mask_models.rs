//! Optional mask models for Face Swap's paste (models.md, Masks): an occlusion model (XSeg: what
//! covers the face is kept from the plate) and a region model (BiSeNet face parsing: only the
//! chosen parts of the face are replaced). Each turns a model-domain crop of any size S into an
//! S×S mask in 0..1 that the pipeline combines with the box and learned masks by `min`.
//!
//! - Occlusion: input NHWC (1,N,N,3) BGR 0..1 (N = 256 for the usual XSeg exports), output
//!   (1,N,N,1) 0..1 with 1 where the face is visible.
//! - Region: input NCHW (1,3,N,N) RGB with ImageNet mean/std (N = 512), output (1,19,N,N)
//!   logits over the CelebAMask-HQ face-parsing classes ([`FaceRegion`]); the mask is 1 where
//!   the argmax class is one of the chosen regions.
//!
//! The crop is resized to N bilinearly (pixel centres aligned) and the mask back to S the same
//! way. Before resizing back, the mask is softened at the model's resolution: a Gaussian blur of
//! σ = `softness`·N px, then `2·b − 1` clamped to 0..1. That keeps the soft edge entirely inside
//! the kept area: a pixel the model excludes (an occluder, hair, background) stays exactly 0
//! (up to the one-pixel blend of resizing back), so nothing of the swapped face leaks onto it.

use std::path::Path;

use super::mask::erode_and_blur;
use super::SwapError;
use crate::face::{warp_to_crop, Similarity};
use crate::identity::conventions::{ChannelOrder, Layout, Normalisation, TensorFormat};
use crate::identity::crop_to_tensor;
use crate::runtime::{load_model, Device, IoSpec, Model};
use crate::Frame;

mod region;
pub use region::FaceRegion;

/// The default softness: σ of the edge blur as a fraction of the model's side (2.56 px at 256).
pub const DEFAULT_SOFTNESS: f32 = 0.01;

const CLASSES: usize = 19;
const XSEG_FORMAT: TensorFormat = TensorFormat {
    layout: Layout::Nhwc,
    channels: ChannelOrder::Bgr,
    normalisation: Normalisation::ZeroOne,
};
const BISENET_FORMAT: TensorFormat = TensorFormat {
    layout: Layout::Nchw,
    channels: ChannelOrder::Rgb,
    normalisation: Normalisation::Imagenet,
};

fn refuse(path: &Path, what: &str, problem: String) -> SwapError {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into(),
    );
    SwapError(format!(
        "{what} model '{name}' ({}): {problem}",
        path.display()
    ))
}

fn shape_text(spec: &IoSpec) -> String {
    let dims: Vec<String> = spec
        .shape
        .iter()
        .map(|d| d.map_or("?".into(), |v| v.to_string()))
        .collect();
    format!("'{}' ({})", spec.name, dims.join(","))
}

/// The model's single input, if it is a batch-1 three-channel square image in `layout`: its
/// name and side N (`fallback` when the side is dynamic).
fn image_input(model: &Model, layout: Layout, fallback: usize) -> Option<(String, usize)> {
    let [input] = model.inputs() else {
        return None;
    };
    let (b, c, h, w) = match (layout, input.shape.as_slice()) {
        (Layout::Nhwc, [b, h, w, c]) | (Layout::Nchw, [b, c, h, w]) => (*b, *c, *h, *w),
        _ => return None,
    };
    let side = match (h, w) {
        (Some(h), Some(w)) if h == w && h > 0 => h,
        (None, None) => fallback,
        _ => return None,
    };
    (matches!(b, None | Some(1)) && c == Some(3)).then(|| (input.name.clone(), side))
}

fn describe_io(model: &Model) -> String {
    let list = |specs: &[IoSpec]| specs.iter().map(shape_text).collect::<Vec<_>>().join(", ");
    format!(
        "found inputs {} and outputs {}",
        list(model.inputs()),
        list(model.outputs())
    )
}

/// The crop resized to the model's `side`, bilinear with centres aligned.
fn resize_crop(crop: &Frame, side: usize) -> Frame {
    if crop.width() == side && crop.height() == side {
        return crop.clone();
    }
    let scale = side as f64 / crop.width().max(1) as f64;
    warp_to_crop(crop, &Similarity::scaling(scale), side)
}

/// Softens a `side²` mask (module docs) and resizes it to `size²`.
fn finish(mask: Vec<f32>, side: usize, softness: f32, size: usize) -> Vec<f32> {
    let sigma = softness.max(0.0) * side as f32;
    let mask = if sigma > 0.0 {
        erode_and_blur(&mask, side, 0, sigma)
            .into_iter()
            .map(|b| (2.0 * b - 1.0).clamp(0.0, 1.0))
            .collect()
    } else {
        mask
    };
    if size == side {
        return mask;
    }
    let plane = Frame::from_fn(side, side, |x, y| [mask[y * side + x]; 4]);
    let resized = warp_to_crop(
        &plane,
        &Similarity::scaling(size as f64 / side as f64),
        size,
    );
    resized
        .pixels()
        .iter()
        .map(|p| p[0].clamp(0.0, 1.0))
        .collect()
}

/// Runs a mask model on `crop` resized to its side `n`: output `output`'s values (empty when the
/// model gave no such output; callers check the length).
fn run_on_crop(
    model: &Model,
    input: &str,
    output: usize,
    crop: &Frame,
    n: usize,
    format: &TensorFormat,
) -> Result<Vec<f32>, SwapError> {
    let tensor = crop_to_tensor(&resize_crop(crop, n), format);
    let outputs = model
        .run(&[(input, &tensor)])
        .map_err(|e| SwapError(e.to_string()))?;
    Ok(outputs
        .get(output)
        .map(|t| t.to_f32_vec())
        .unwrap_or_default())
}

fn check_crop(crop: &Frame, path: &Path, what: &str) -> Result<usize, SwapError> {
    let (w, h) = crop.size();
    if w != h || w == 0 {
        return Err(refuse(
            path,
            what,
            format!("needs a square crop, got {w}×{h}"),
        ));
    }
    Ok(w)
}

/// An XSeg-style occlusion model: 1 where the face is visible, 0 over what covers it.
pub struct OcclusionModel {
    model: Model,
    input: String,
    output: usize,
    side: usize,
    softness: f32,
}

impl OcclusionModel {
    const WHAT: &'static str = "occlusion";

    /// Loads and recognises an occlusion model by its I/O: one (1,N,N,3) input and a
    /// single-channel output.
    pub fn load(path: &Path, device: Device) -> Result<Self, SwapError> {
        let model = load_model(path, device).map_err(|e| SwapError(e.to_string()))?;
        let single = |s: &IoSpec| match s.shape.as_slice() {
            [_, c1, _, c3] => *c1 == Some(1) || *c3 == Some(1),
            [_, _, _] => true,
            _ => false,
        };
        let input = image_input(&model, Layout::Nhwc, 256);
        let output = model.outputs().iter().position(single);
        let (Some((input, side)), Some(output)) = (input, output) else {
            let problem = format!(
                "not an XSeg occlusion model: expected an NHWC input (1,N,N,3) (BGR 0..1) and a \
                 one-channel mask output (1,N,N,1); {}",
                describe_io(&model)
            );
            return Err(refuse(path, Self::WHAT, problem));
        };
        Ok(OcclusionModel {
            model,
            input,
            output,
            side,
            softness: DEFAULT_SOFTNESS,
        })
    }

    /// The same model with another edge softness (σ as a fraction of N; 0 keeps the raw mask).
    pub fn with_softness(mut self, softness: f32) -> Self {
        self.softness = softness;
        self
    }

    /// The model's side N.
    pub fn side(&self) -> usize {
        self.side
    }

    /// The visibility mask of a square model-domain crop (sRGB RGB 0..1), crop-sized.
    pub fn mask(&self, crop: &Frame) -> Result<Vec<f32>, SwapError> {
        let path = self.model.path();
        let size = check_crop(crop, path, Self::WHAT)?;
        let n = self.side;
        let values = run_on_crop(&self.model, &self.input, self.output, crop, n, &XSEG_FORMAT)?;
        if values.len() != n * n {
            return Err(refuse(
                path,
                Self::WHAT,
                format!("gave {} mask values for a {n}×{n} input", values.len()),
            ));
        }
        let mask = values
            .into_iter()
            .map(|v| if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) })
            .collect();
        Ok(finish(mask, n, self.softness, size))
    }
}

/// A BiSeNet-style face parser: 1 where the pixel's class is one of the chosen regions.
pub struct RegionModel {
    model: Model,
    input: String,
    output: usize,
    side: usize,
    keep: [bool; CLASSES],
    softness: f32,
}

impl RegionModel {
    const WHAT: &'static str = "region";

    /// Loads and recognises a face parser by its I/O: one (1,3,N,N) input and a (1,19,N,N)
    /// output (the first such output when there are several). Keeps [`FaceRegion::DEFAULT`].
    pub fn load(path: &Path, device: Device) -> Result<Self, SwapError> {
        let model = load_model(path, device).map_err(|e| SwapError(e.to_string()))?;
        let input = image_input(&model, Layout::Nchw, 512);
        let output = model
            .outputs()
            .iter()
            .position(|s| matches!(s.shape.as_slice(), [_, c, _, _] if *c == Some(CLASSES)));
        let (Some((input, side)), Some(output)) = (input, output) else {
            let problem = format!(
                "not a BiSeNet face parsing model: expected an NCHW input (1,3,N,N) (RGB, \
                 ImageNet mean/std) and an output of 19 class scores (1,19,N,N); {}",
                describe_io(&model)
            );
            return Err(refuse(path, Self::WHAT, problem));
        };
        let mut region = RegionModel {
            model,
            input,
            output,
            side,
            keep: [false; CLASSES],
            softness: DEFAULT_SOFTNESS,
        };
        region.set_regions(&FaceRegion::DEFAULT);
        Ok(region)
    }

    /// The same model keeping `regions` instead.
    pub fn with_regions(mut self, regions: &[FaceRegion]) -> Self {
        self.set_regions(regions);
        self
    }

    fn set_regions(&mut self, regions: &[FaceRegion]) {
        self.keep = [false; CLASSES];
        for r in regions {
            self.keep[r.class()] = true;
        }
    }

    /// The same model with another edge softness (σ as a fraction of N; 0 keeps it binary).
    pub fn with_softness(mut self, softness: f32) -> Self {
        self.softness = softness;
        self
    }

    /// The model's side N.
    pub fn side(&self) -> usize {
        self.side
    }

    /// The region mask of a square model-domain crop (sRGB RGB 0..1), crop-sized.
    pub fn mask(&self, crop: &Frame) -> Result<Vec<f32>, SwapError> {
        let path = self.model.path();
        let size = check_crop(crop, path, Self::WHAT)?;
        let n = self.side;
        let logits = run_on_crop(
            &self.model,
            &self.input,
            self.output,
            crop,
            n,
            &BISENET_FORMAT,
        )?;
        let plane = n * n;
        if logits.len() != CLASSES * plane {
            return Err(refuse(
                path,
                Self::WHAT,
                format!(
                    "gave {} class scores for a {n}×{n} input (expected 19×{n}×{n})",
                    logits.len()
                ),
            ));
        }
        let mask = (0..plane)
            .map(|i| {
                // argmax over the classes; the first wins a tie, NaN never wins.
                let mut best = (0, f32::NEG_INFINITY);
                for class in 0..CLASSES {
                    let v = logits[class * plane + i];
                    if v > best.1 {
                        best = (class, v);
                    }
                }
                if self.keep[best.0] {
                    1.0
                } else {
                    0.0
                }
            })
            .collect();
        Ok(finish(mask, n, self.softness, size))
    }
}

#[cfg(test)]
mod tests;
