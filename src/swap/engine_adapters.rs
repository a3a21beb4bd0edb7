//! The swap engine as the pipeline sees it: [`EngineFinder`] and [`EngineSwapper`], the
//! `FaceFinder` and `CropSwapper` over a loaded [`SwapEngine`] (ONNX Runtime), with the optional
//! occlusion and region mask models as the swapper's extra masks; and [`DetectorFinder`], a
//! detector alone. Re-exported from [`super::engine`].

use super::engine::{err, SwapEngine, NEUTRAL_WEIGHT};
use super::{CropSwapper, FaceFinder, FoundFace, ModelFrame, SwapError, SwappedCrop};
use crate::detect::{DetectSettings, Detector};
use crate::face::Template;
use crate::identity::arcface::PreparedSource;
use crate::identity::embedding::identity_weight_mix;
use crate::identity::{crop_to_tensor, tensor_to_crop, tensor_to_mask};
use crate::runtime::Tensor;
use crate::Frame;

/// Finds faces with a detector alone (no identity): Face Blend's detected-face mask.
pub struct DetectorFinder {
    pub detector: Detector,
    pub settings: DetectSettings,
}

impl FaceFinder for DetectorFinder {
    fn find(&self, frame: &Frame) -> Result<Vec<FoundFace>, SwapError> {
        detect_faces(&self.detector, frame, &self.settings)
    }
}

fn detect_faces(
    detector: &Detector,
    frame: &Frame,
    settings: &DetectSettings,
) -> Result<Vec<FoundFace>, SwapError> {
    let found = detector.detect(frame, settings).map_err(err)?;
    Ok(found
        .into_iter()
        .map(|d| FoundFace {
            bbox: d.bbox,
            score: d.score,
            landmarks: d.landmarks,
        })
        .collect())
}

impl SwapEngine {
    pub fn finder(&self, settings: DetectSettings) -> EngineFinder<'_> {
        EngineFinder {
            engine: self,
            settings,
        }
    }

    pub fn swapper(&self, identity_weight: f32, morph: f32) -> EngineSwapper<'_> {
        EngineSwapper {
            engine: self,
            identity_weight,
            morph,
        }
    }
}

pub struct EngineFinder<'a> {
    engine: &'a SwapEngine,
    settings: DetectSettings,
}

impl FaceFinder for EngineFinder<'_> {
    fn find(&self, frame: &Frame) -> Result<Vec<FoundFace>, SwapError> {
        detect_faces(&self.engine.detector, frame, &self.settings)
    }

    fn embedding(&self, frame: &ModelFrame, face: &FoundFace) -> Option<Vec<f32>> {
        let recogniser = self.engine.recogniser.as_ref()?;
        recogniser
            .embed_with(&face.landmarks, |m, size| frame.crop(m, size))
            .ok()
    }

    fn reference(&self) -> Option<&[f32]> {
        self.engine.reference.as_deref()
    }
}

pub struct EngineSwapper<'a> {
    engine: &'a SwapEngine,
    identity_weight: f32,
    morph: f32,
}

impl EngineSwapper<'_> {
    fn source_tensor(
        &self,
        frame: &ModelFrame,
        face: &FoundFace,
    ) -> Result<Option<Tensor>, SwapError> {
        let e = self.engine;
        Ok(match &e.source {
            PreparedSource::None => None,
            PreparedSource::Image(t) => Some(t.clone()),
            PreparedSource::Vector(v) => {
                let weighted = (self.identity_weight - NEUTRAL_WEIGHT).abs() > 1e-6;
                let v = if weighted {
                    let recogniser = e.recogniser.as_ref().ok_or_else(|| {
                        SwapError(
                            "an identity weight other than 0.5 needs a Recogniser model (ArcFace)"
                                .into(),
                        )
                    })?;
                    let target = recogniser
                        .embed_with(&face.landmarks, |m, size| frame.crop(m, size))
                        .map_err(err)?;
                    identity_weight_mix(v, &target, self.identity_weight, e.identity.kind())
                } else {
                    v.clone()
                };
                Some(Tensor::f32(vec![1, v.len()], v))
            }
        })
    }
}

impl CropSwapper for EngineSwapper<'_> {
    fn template(&self) -> Template {
        self.engine.identity.conventions.template
    }

    fn crop_size(&self) -> usize {
        self.engine.identity.conventions.crop_size
    }

    fn extra_masks(&self, crop: &Frame) -> Result<Vec<Vec<f32>>, SwapError> {
        let e = self.engine;
        let mut masks = Vec::new();
        if let Some(occlusion) = &e.occlusion {
            masks.push(occlusion.mask(crop)?);
        }
        if let Some(region) = &e.region {
            masks.push(region.mask(crop)?);
        }
        Ok(masks)
    }

    fn swap(
        &self,
        crop: &Frame,
        frame: &ModelFrame,
        face: &FoundFace,
    ) -> Result<SwappedCrop, SwapError> {
        let e = self.engine;
        let conv = &e.identity.conventions;
        let target = crop_to_tensor(crop, &conv.input);
        let source = self.source_tensor(frame, face)?;
        let morph = conv
            .morph
            .as_ref()
            .map(|(name, _)| (name.as_str(), Tensor::f32(vec![1], vec![self.morph])));
        let mut inputs: Vec<(&str, &Tensor)> = vec![(conv.io.target.as_str(), &target)];
        if let (Some(name), Some(t)) = (conv.io.source.as_deref(), source.as_ref()) {
            inputs.push((name, t));
        }
        if let Some((name, t)) = &morph {
            inputs.push((name, t));
        }
        let outputs = e.model.run(&inputs).map_err(err)?;
        let output = |name: &str| {
            e.model
                .outputs()
                .iter()
                .position(|o| o.name == name)
                .and_then(|i| outputs.get(i))
                .ok_or_else(|| {
                    SwapError(format!(
                        "{}: no output named {name}",
                        e.model.path().display()
                    ))
                })
        };
        let size = conv.crop_size;
        let face_out = tensor_to_crop(
            output(&conv.io.face)?,
            &conv.output,
            conv.output_range,
            size,
        )
        .map_err(|t| SwapError(format!("{}: {}", e.model.path().display(), t.0)))?;
        let mut mask: Option<Vec<f32>> = None;
        for name in &conv.io.masks {
            let m = tensor_to_mask(output(name)?, conv.output.layout, size)
                .map_err(|t| SwapError(format!("{}: {}", e.model.path().display(), t.0)))?;
            mask = Some(match mask {
                Some(prev) => prev.iter().zip(&m).map(|(a, b)| a.min(*b)).collect(),
                None => m,
            });
        }
        Ok(SwappedCrop {
            face: face_out,
            mask,
        })
    }
}
