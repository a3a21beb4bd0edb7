//! Face detection: CenterFace, SCRFD / RetinaFace, YuNet and yolo_face models, recognised by
//! their outputs, run on a letterboxed frame and decoded into boxes, scores and 5-point
//! [`Landmarks`](crate::face::Landmarks) in frame pixels.
//!
//! Pipeline: [`Letterbox`] (the frame at the canvas's top-left, on black) → the model → a pure
//! decoder in [`decode`] (threshold) → [`decode::nms`] → back to frame coordinates → minimum
//! face size → sorted by score.
//!
//! Geometry: a model with a fixed input size gets models.md's letterbox (downscale-only fit into
//! that size). A model taking any size (CenterFace, dynamic SCRFD/YuNet exports) works at a
//! fixed resolution instead: the frame scaled, up or down, so its longer side is
//! [`Detector::max_side`] (640), on a canvas rounded up to multiples of 32 (1920×1080 → 640×384).
//! So the same picture at any host proxy scale gives the same detections, and CenterFace runs
//! as its reference numbers were made (astronaut.png, 512 px, found at 640×640: a 512 px run
//! moves the eyes by 2 px and the score to 0.93).
//!
//! Coordinates: decoders work in OpenCV's convention like the reference tools; a
//! [`Detection`] is in Doppel's (x right, y down, pixel centres at +0.5; see [`crate::face`]),
//! box and landmarks alike: `ours = (opencv_in_model + 0.5) / scale`.
//! That is the exact inverse of the half-pixel-centre resize used here (and by OpenCV);
//! FaceFusion's `u / ratio` is off by half an input pixel (1 frame pixel at ratio 1/3).
//!
//! Pixels: the frame is RGB 0..1, sRGB-encoded (the caller converts from linear). Each kind
//! gets what its reference implementation feeds it: CenterFace RGB 0..255 (deface), SCRFD /
//! RetinaFace RGB (x−127.5)/128 (insightface), YuNet BGR 0..255 (OpenCV), yolo_face RGB 0..1.
//!
//! CenterFace's file declares a fixed (10,3,32,32) input and lists its weights as inputs: each
//! canvas size gets its own session with the input declared (1,3,H,W) and the initializer
//! inputs dropped (cached process-wide by the runtime). deface's own threshold is 0.5 in its
//! library and 0.2 on its command line (made for blurring, where a miss costs more than a false
//! hit); [`DetectSettings::default`]'s 0.5 suits swapping. deface uses NMS IoU 0.3; Doppel uses
//! [`DetectSettings::nms_iou`] for every kind.

pub mod decode;
mod kind;
mod letterbox;

#[cfg(test)]
mod decode_tests;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;

pub use kind::DetectorKind;
pub use letterbox::{letterbox, Letterbox, Normalise, Scratch};

use crate::face::Landmarks;
use crate::onnx::{Dim, OnnxModel};
use crate::runtime::{self, Device, ElemType, IoSpec, Model, ModelError, ModelErrorKind, Tensor};
use crate::Frame;
use decode::Candidate;

/// One face found in a frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// x0, y0, x1, y1 in frame pixels, top-down (Doppel's convention, like `landmarks`).
    pub bbox: [f32; 4],
    pub score: f32,
    pub landmarks: Landmarks,
}

/// What counts as a face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectSettings {
    /// Keep faces scoring at least this (0..1).
    pub score_threshold: f32,
    /// Non-maximum suppression: drop a face overlapping a better one by more than this IoU.
    pub nms_iou: f32,
    /// Drop faces whose box is narrower or shorter than this, in frame pixels.
    pub min_face_px: f32,
}

impl Default for DetectSettings {
    fn default() -> Self {
        Self {
            score_threshold: 0.5,
            nms_iou: 0.4,
            min_face_px: 0.0,
        }
    }
}

/// A loaded face detector. Cheap to clone; usable from several threads (runs take turns).
#[derive(Clone)]
pub struct Detector {
    inner: Arc<Inner>,
}

struct Inner {
    kind: DetectorKind,
    path: PathBuf,
    device: Device,
    max_side: usize,
    input: String,
    /// The session's input (width, height) when fixed (not CenterFace, whose size is rewritten).
    fixed: Option<(usize, usize)>,
    /// CenterFace: one session per canvas size; others: their one session.
    models: Mutex<Vec<((usize, usize), Model)>>,
    buffers: Mutex<(Vec<f32>, Scratch)>,
}

/// The working resolution (longer side) for models that take any input size.
pub const DEFAULT_MAX_SIDE: usize = 640;

impl Detector {
    /// Loads a detector, recognising its kind from the outputs.
    pub fn load(path: &Path, device: Device) -> Result<Detector, ModelError> {
        Self::load_sized(path, device, DEFAULT_MAX_SIDE)
    }

    /// Like [`Detector::load`], with another working resolution (longer side, rounded up to a
    /// multiple of 32) for models that take any input size.
    pub fn load_sized(
        path: &Path,
        device: Device,
        max_side: usize,
    ) -> Result<Detector, ModelError> {
        let max_side = max_side.max(32).div_ceil(32) * 32;
        let declared = std::fs::read(path)
            .ok()
            .and_then(|b| OnnxModel::from_vec(b).ok());
        let declared_outputs: Vec<IoSpec> = declared
            .as_ref()
            .map(|m| m.outputs().iter().map(kind::declared_spec).collect())
            .unwrap_or_default();
        let (kind, model, canvas) =
            if DetectorKind::recognise(&declared_outputs) == Some(DetectorKind::CenterFace) {
                let size = (max_side, max_side);
                let model = centerface_session(path, device, size)?;
                (DetectorKind::CenterFace, model, size)
            } else {
                let model = runtime::load_model(path, device)?;
                let kind = DetectorKind::recognise(model.outputs()).ok_or_else(|| {
                    ModelError::new(
                        path,
                        ModelErrorKind::Unsupported,
                        format!(
                        "it is not a face detector Doppel knows (CenterFace, SCRFD, RetinaFace, \
                         YuNet, yolo_face); its outputs are {}",
                        describe(model.outputs())
                    ),
                    )
                })?;
                (kind, model, (0, 0))
            };
        let input = check_input(path, &model)?;
        let fixed = match (kind, &input.shape[..]) {
            (DetectorKind::CenterFace, _) => None,
            (_, [_, _, Some(h), Some(w)]) => Some((*w, *h)),
            _ => None,
        };
        Ok(Detector {
            inner: Arc::new(Inner {
                kind,
                path: path.to_path_buf(),
                device,
                max_side,
                input: input.name.clone(),
                fixed,
                models: Mutex::new(vec![(canvas, model)]),
                buffers: Mutex::new((Vec::new(), Scratch::default())),
            }),
        })
    }

    pub fn kind(&self) -> DetectorKind {
        self.inner.kind
    }

    /// The model file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The working resolution (longer side) for models that take any input size.
    pub fn max_side(&self) -> usize {
        self.inner.max_side
    }

    /// The execution provider running the detector.
    pub fn provider(&self) -> String {
        self.inner.models.lock()[0].1.provider().to_owned()
    }

    /// Where `frame_size` (width, height) goes in the model input.
    pub fn letterbox_for(&self, frame_size: (usize, usize)) -> Letterbox {
        match self.inner.fixed {
            Some(canvas) => Letterbox::fit(frame_size, canvas),
            None => Letterbox::working(frame_size, self.inner.max_side, 32),
        }
    }

    /// The faces in `frame` (RGB 0..1, sRGB-encoded), best first.
    pub fn detect(
        &self,
        frame: &Frame,
        settings: &DetectSettings,
    ) -> Result<Vec<Detection>, ModelError> {
        if frame.width() == 0 || frame.height() == 0 {
            return Ok(Vec::new());
        }
        let lb = self.letterbox_for(frame.size());
        let model = self.model_for(lb.canvas)?;
        let (cw, ch) = lb.canvas;
        let outputs = {
            let mut buffers = self.inner.buffers.lock();
            let (data, scratch) = &mut *buffers;
            letterbox(frame, &lb, self.inner.kind.normalise(), data, scratch);
            let tensor = Tensor::f32([1, 3, ch, cw], std::mem::take(data));
            let result = model.run(&[(self.inner.input.as_str(), &tensor)]);
            if let runtime::TensorData::F32(v) = tensor.data {
                *data = v;
            }
            result?
        };
        let t = settings.score_threshold;
        let decoded = match self.inner.kind {
            DetectorKind::CenterFace => decode::centerface(&outputs, lb.canvas, t),
            DetectorKind::Scrfd => decode::scrfd(&outputs, lb.canvas, t),
            DetectorKind::YuNet => decode::yunet(&outputs, lb.canvas, t),
            DetectorKind::YoloFace => decode::yolo_face(&outputs, t),
        }
        .map_err(|e| ModelError::new(&self.inner.path, ModelErrorKind::Run, e))?;
        Ok(finish(decoded, &lb, settings))
    }

    /// The session for this canvas: CenterFace builds one per size, others have one.
    fn model_for(&self, canvas: (usize, usize)) -> Result<Model, ModelError> {
        let mut models = self.inner.models.lock();
        if self.inner.kind != DetectorKind::CenterFace {
            return Ok(models[0].1.clone());
        }
        if let Some((_, m)) = models.iter().find(|(size, _)| *size == canvas) {
            return Ok(m.clone());
        }
        let model = centerface_session(&self.inner.path, self.inner.device, canvas)?;
        models.push((canvas, model.clone()));
        Ok(model)
    }
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detector")
            .field("kind", &self.inner.kind)
            .field("path", &self.inner.path)
            .finish()
    }
}

/// NMS, frame coordinates, minimum size, best first.
pub fn finish(
    candidates: Vec<Candidate>,
    lb: &Letterbox,
    settings: &DetectSettings,
) -> Vec<Detection> {
    decode::nms(candidates, settings.nms_iou)
        .into_iter()
        .filter_map(|c| {
            let (x0, y0) = lb.to_frame((f64::from(c.bbox[0]), f64::from(c.bbox[1])));
            let (x1, y1) = lb.to_frame((f64::from(c.bbox[2]), f64::from(c.bbox[3])));
            let bbox = [x0 as f32, y0 as f32, x1 as f32, y1 as f32];
            let small = bbox[2] - bbox[0] < settings.min_face_px
                || bbox[3] - bbox[1] < settings.min_face_px;
            let landmarks = Landmarks::new(
                c.landmarks
                    .map(|(x, y)| lb.to_frame((f64::from(x), f64::from(y)))),
            );
            (!small && landmarks.is_finite() && bbox.iter().all(|v| v.is_finite())).then_some(
                Detection {
                    bbox,
                    score: c.score,
                    landmarks,
                },
            )
        })
        .collect()
}

/// CenterFace with its input declared (1,3,H,W), its outputs (1,c,H/4,W/4), weights not inputs.
fn centerface_session(
    path: &Path,
    device: Device,
    (w, h): (usize, usize),
) -> Result<Model, ModelError> {
    let tag = format!("centerface-{w}x{h}");
    runtime::load_model_with(path, device, &tag, |m| {
        let input = m
            .data_inputs()
            .first()
            .map(|v| v.name.clone())
            .unwrap_or_default();
        let dims = |c: usize, div: usize| {
            [1, c, h / div, w / div]
                .map(|d| Dim::Fixed(d as i64))
                .to_vec()
        };
        let mut rewrite = m
            .rewrite()
            .input_dims(input, dims(3, 1))
            .drop_initializer_inputs();
        for (o, c) in m.outputs().iter().zip([1, 2, 2, 10]) {
            rewrite = rewrite.output_dims(o.name.clone(), dims(c, 4));
        }
        rewrite.finish()
    })
}

/// The detector's one image input, NCHW with 3 channels.
fn check_input<'m>(path: &Path, model: &'m Model) -> Result<&'m IoSpec, ModelError> {
    match model.inputs() {
        [input]
            if input.shape.len() == 4
                && matches!(input.shape[1], Some(3) | None)
                && input.elem != ElemType::Other =>
        {
            Ok(input)
        }
        inputs => Err(ModelError::new(
            path,
            ModelErrorKind::Unsupported,
            format!(
                "a face detector takes one image input (1, 3, H, W); this model takes {}",
                describe(inputs)
            ),
        )),
    }
}

/// `name (1, 3, ?, ?)` lists for messages.
fn describe(specs: &[IoSpec]) -> String {
    let one = |s: &IoSpec| {
        let dims: Vec<String> = s
            .shape
            .iter()
            .map(|d| d.map_or("?".into(), |d| d.to_string()))
            .collect();
        format!("{} ({})", s.name, dims.join(", "))
    };
    specs.iter().map(one).collect::<Vec<_>>().join(", ")
}
