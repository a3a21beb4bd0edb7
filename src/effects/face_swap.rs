//! Face Swap: replaces the chosen faces with the identity's model; declaration and render glue.

use super::temporal::{self, AnalysisSettings};
use super::{
    ClipDecl, ClipFetch, Context, DoubleKind, Effect, EffectDecl, EffectError, InputFrame,
    ParamDecl, ParamKind, ParamValue, ParamValues, Range, RenderRequest, Rendered,
};
use crate::blend::ColourMatch;
use crate::colour::ColourSpace;
use crate::detect::DetectSettings;
use crate::gpu::ops::FrameOps;
use crate::swap::engine::{EngineConfig, EngineFinder, SwapEngine};
use crate::swap::mask::BoxMask;
use crate::swap::paste::{PasteSettings, PixelOps};
use crate::swap::select::FaceSelection;
use crate::swap::{
    swap_faces, swap_frame, CropSwapper, FaceFinder, ModelFrame, Pick, PixelBoost, SwapError,
    SwapOutput, SwapReport, SwapResult, SwapSettings,
};
use crate::temporal::{colour_target, DEFAULT_RADIUS};

pub struct FaceSwap;

/// Parameter ids: saved in host projects, never renamed.
pub mod ids {
    pub const IDENTITY: &str = "identity";
    pub const SOURCE_PHOTOS: &str = "sourcePhotos";
    pub const IDENTITY_INFO: &str = "identityInfo";
    pub const IDENTITY_WEIGHT: &str = "identityWeight";
    pub const RECOGNISER: &str = "recogniserModel";
    pub const DETECTOR: &str = "detectorModel";
    pub const DETECT_THRESHOLD: &str = "detectThreshold";
    pub const MIN_FACE: &str = "minFaceSize";
    pub const SELECTION: &str = "faceSelection";
    pub const FACE_INDEX: &str = "faceIndex";
    pub const REFERENCE: &str = "referencePhoto";
    pub const REFERENCE_DISTANCE: &str = "referenceDistance";
    pub const TEMPORAL_RADIUS: &str = "temporalRadius";
    pub const DEVICE: &str = "device";
    pub const PIXEL_BOOST: &str = "pixelBoost";
    pub const MORPH: &str = "morph";
    pub const MASK_BLUR: &str = "maskBlur";
    pub const PAD_TOP: &str = "maskPaddingTop";
    pub const PAD_RIGHT: &str = "maskPaddingRight";
    pub const PAD_BOTTOM: &str = "maskPaddingBottom";
    pub const PAD_LEFT: &str = "maskPaddingLeft";
    pub const LEARNED_MASKS: &str = "learnedMasks";
    pub const OCCLUSION: &str = "occlusionModel";
    pub const REGION: &str = "regionModel";
    pub const COLOUR_MATCH: &str = "colourMatch";
    pub const STRENGTH: &str = "strength";
    pub const COLOUR_SPACE: &str = "colourSpace";
    pub const OUTPUT: &str = "output";
    pub const STAMP: &str = "stampLabel";
}

/// Choice option order is saved in projects as an index: append, never reorder.
pub const SELECTIONS: &[&str] = &[
    "Largest",
    "All",
    "By index (left to right)",
    "Closest to reference photo",
];
pub const DEVICES: &[&str] = &["Auto (GPU when available)", "CPU"];
pub const BOOSTS: &[&str] = &["Off", "2x", "4x", "Auto"];
pub const COLOUR_MATCHES: &[&str] = &["None", "Reinhard (LAB)", "Linear (covariance)", "Histogram"];
pub const COLOUR_SPACES: &[&str] = &["Linear", "sRGB"];
pub const OUTPUTS: &[&str] = &["Composite", "Swapped face only", "Mask only", "Debug view"];

const FILTER: &[Context] = &[Context::Filter];

/// The largest temporal radius the parameter allows.
pub const MAX_RADIUS: usize = 12;

const fn unit(default: f64) -> ParamKind {
    ParamKind::Double {
        default,
        range: Range {
            min: 0.0,
            max: 1.0,
            display_min: 0.0,
            display_max: 1.0,
        },
        kind: DoubleKind::Plain,
    }
}

const fn percent() -> ParamKind {
    ParamKind::Double {
        default: 0.0,
        range: Range {
            min: 0.0,
            max: 100.0,
            display_min: 0.0,
            display_max: 50.0,
        },
        kind: DoubleKind::Plain,
    }
}

const fn param(
    id: &'static str,
    label: &'static str,
    hint: &'static str,
    kind: ParamKind,
    animates: bool,
) -> ParamDecl {
    ParamDecl {
        id,
        label,
        hint,
        kind,
        animates,
    }
}

static DECL: EffectDecl = EffectDecl {
    id: "com.doppel.FaceSwap",
    label: "Face Swap",
    description: "Replaces faces with a per-identity model: detect, align, run the model, paste back.",
    grouping: "Doppel",
    version: (1, 0),
    contexts: FILTER,
    clips: &[ClipDecl { name: "Source", label: "Source", optional: false, temporal: true, contexts: FILTER }],
    params: &[
        param(ids::IDENTITY, "Identity", "A Doppel identity pack (identity.json), a DeepFaceLive .dfm, or an ONNX swapper.", ParamKind::Path { directory: false }, false),
        param(ids::SOURCE_PHOTOS, "Source photos", "For generic swappers: a folder of photos of the person (their embeddings are averaged).", ParamKind::Path { directory: true }, false),
        param(ids::IDENTITY_INFO, "Model", "Who the model shows, under which consent and licence, and where it runs.", ParamKind::Label, false),
        param(ids::IDENTITY_WEIGHT, "Identity weight", "Generic swappers: 0.5 = the source identity; lower pulls toward the target's own identity, higher pushes away from it.", unit(0.5), true),
        param(ids::RECOGNISER, "Recogniser model", "An ArcFace recogniser (ONNX), needed for source photos, a reference photo or identity weight.", ParamKind::Path { directory: false }, false),
        param(ids::DETECTOR, "Detector model", "Leave empty for the bundled CenterFace; or SCRFD, RetinaFace, YuNet or yolo_face ONNX files.", ParamKind::Path { directory: false }, false),
        param(ids::DETECT_THRESHOLD, "Detection threshold", "Faces scoring lower are ignored.", unit(0.5), false),
        param(ids::MIN_FACE, "Minimum face size", "Faces smaller than this (box height, pixels) are ignored.", ParamKind::Double { default: 0.0, range: Range { min: 0.0, max: 4000.0, display_min: 0.0, display_max: 400.0 }, kind: DoubleKind::Length }, false),
        param(ids::SELECTION, "Faces", "Which detected faces to swap.", ParamKind::Choice { options: SELECTIONS, default: 0 }, false),
        param(ids::FACE_INDEX, "Face index", "With 'By index': 0 is the leftmost face.", ParamKind::Int { default: 0, range: Range { min: 0, max: 64, display_min: 0, display_max: 8 } }, false),
        param(ids::REFERENCE, "Reference photo", "With 'Closest to reference photo': a photo of the person to replace.", ParamKind::Path { directory: false }, false),
        param(ids::REFERENCE_DISTANCE, "Reference distance", "The largest identity distance (cosine, 0..2) still counted as the reference person.", ParamKind::Double { default: 0.6, range: Range { min: 0.0, max: 2.0, display_min: 0.0, display_max: 1.5 }, kind: DoubleKind::Plain }, false),
        param(ids::TEMPORAL_RADIUS, "Temporal window", "Frames on each side used to stabilise faces (smoothed over time, faded in and out); 0 = off: each frame on its own.", ParamKind::Int { default: DEFAULT_RADIUS as i32, range: Range { min: 0, max: MAX_RADIUS as i32, display_min: 0, display_max: MAX_RADIUS as i32 } }, false),
        param(ids::DEVICE, "Device", "Where models and pixel work run: the best available provider (CUDA, TensorRT, CoreML, DirectML) and the GPU, or only the CPU.", ParamKind::Choice { options: DEVICES, default: 0 }, false),
        param(ids::PIXEL_BOOST, "Pixel boost", "Runs the model on k x k interleaved crops so a small model paints a large face.", ParamKind::Choice { options: BOOSTS, default: 3 }, false),
        param(ids::MORPH, "Morph", "DeepFaceLive AMP models: how far the face morphs towards the identity.", unit(0.75), true),
        param(ids::MASK_BLUR, "Mask blur", "Softness of the paste mask's edge.", unit(0.3), true),
        param(ids::PAD_TOP, "Mask padding top", "Cuts the top of the paste mask (percent of the crop).", percent(), true),
        param(ids::PAD_RIGHT, "Mask padding right", "Cuts the right of the paste mask (percent of the crop).", percent(), true),
        param(ids::PAD_BOTTOM, "Mask padding bottom", "Cuts the bottom of the paste mask (percent of the crop).", percent(), true),
        param(ids::PAD_LEFT, "Mask padding left", "Cuts the left of the paste mask (percent of the crop).", percent(), true),
        param(ids::LEARNED_MASKS, "Use model masks", "Use the masks a DeepFaceLive model predicts, combined with the box mask.", ParamKind::Bool { default: true }, false),
        param(ids::OCCLUSION, "Occlusion model", "An XSeg occlusion model (ONNX): hands, hair or objects in front of the face are kept from the plate.", ParamKind::Path { directory: false }, false),
        param(ids::REGION, "Region model", "A BiSeNet face parsing model (ONNX): only skin, eyes, nose, mouth and lips are replaced.", ParamKind::Path { directory: false }, false),
        param(ids::COLOUR_MATCH, "Colour match", "Matches the swapped face's colour to the plate before pasting.", ParamKind::Choice { options: COLOUR_MATCHES, default: 1 }, false),
        param(ids::STRENGTH, "Strength", "How much of the swapped face shows: 0 gives the plate.", unit(1.0), true),
        param(ids::COLOUR_SPACE, "Input colour space", "How the plate is encoded; models see sRGB.", ParamKind::Choice { options: COLOUR_SPACES, default: 0 }, false),
        param(ids::OUTPUT, "Output", "The composite, the swapped face alone (premultiplied, for Face Blend), the mask, or the debug view.", ParamKind::Choice { options: OUTPUTS, default: 0 }, false),
        param(ids::STAMP, "Stamp AI label", "Writes a visible AI-GENERATED label on the output.", ParamKind::Bool { default: false }, false),
    ],
};

impl FaceSwap {
    /// The temporal radius k at these settings (0 = per-frame).
    pub fn temporal_radius(params: &ParamValues) -> usize {
        (params.int(ids::TEMPORAL_RADIUS).max(0) as usize).min(MAX_RADIUS)
    }

    pub fn engine_config(params: &ParamValues) -> EngineConfig {
        let path = |id| {
            let text = params.text(id).trim();
            (!text.is_empty()).then(|| std::path::PathBuf::from(text))
        };
        EngineConfig {
            identity: path(ids::IDENTITY),
            source_photos: path(ids::SOURCE_PHOTOS),
            recogniser: path(ids::RECOGNISER),
            detector: path(ids::DETECTOR),
            reference: path(ids::REFERENCE),
            occlusion: path(ids::OCCLUSION),
            region: path(ids::REGION),
            cpu_only: params.choice(ids::DEVICE) == 1,
        }
    }

    pub fn settings(params: &ParamValues) -> SwapSettings {
        let selection = match params.choice(ids::SELECTION) {
            1 => FaceSelection::All,
            2 => FaceSelection::Index(params.int(ids::FACE_INDEX).max(0) as usize),
            3 => FaceSelection::ClosestTo {
                max_distance: params.double(ids::REFERENCE_DISTANCE) as f32,
            },
            _ => FaceSelection::Largest,
        };
        SwapSettings {
            selection,
            pixel_boost: match params.choice(ids::PIXEL_BOOST) {
                0 => PixelBoost::Off,
                1 => PixelBoost::Times(2),
                2 => PixelBoost::Times(4),
                _ => PixelBoost::Auto,
            },
            box_mask: BoxMask {
                blur: params.double(ids::MASK_BLUR) as f32,
                padding: [ids::PAD_TOP, ids::PAD_RIGHT, ids::PAD_BOTTOM, ids::PAD_LEFT]
                    .map(|id| params.double(id) as f32),
            },
            learned_masks: params.flag(ids::LEARNED_MASKS),
            paste: PasteSettings {
                colour_match: match params.choice(ids::COLOUR_MATCH) {
                    1 => ColourMatch::Reinhard,
                    2 => ColourMatch::Linear,
                    3 => ColourMatch::Histogram,
                    _ => ColourMatch::None,
                },
                strength: params.double(ids::STRENGTH) as f32,
                colour_space: if params.choice(ids::COLOUR_SPACE) == 1 {
                    ColourSpace::Srgb
                } else {
                    ColourSpace::Linear
                },
            },
            output: match params.choice(ids::OUTPUT) {
                1 => SwapOutput::FaceOnly,
                2 => SwapOutput::MaskOnly,
                3 => SwapOutput::Debug,
                _ => SwapOutput::Composite,
            },
        }
    }
}

impl Effect for FaceSwap {
    fn declaration() -> &'static EffectDecl {
        &DECL
    }

    fn create() -> Self {
        FaceSwap
    }

    fn frames_needed(&self, time: f64, params: &ParamValues) -> Option<(f64, f64)> {
        let radius = Self::temporal_radius(params);
        (radius > 0).then(|| temporal::window_range(time, radius))
    }

    fn changed(&self, param: &str, params: &ParamValues) -> Vec<(&'static str, ParamValue)> {
        let watched = [
            ids::IDENTITY,
            ids::SOURCE_PHOTOS,
            ids::DEVICE,
            ids::RECOGNISER,
            ids::OCCLUSION,
            ids::REGION,
        ];
        if !watched.contains(&param) {
            return Vec::new();
        }
        let info = SwapEngine::describe(&Self::engine_config(params));
        vec![(ids::IDENTITY_INFO, ParamValue::Text(info))]
    }

    fn render(
        &self,
        source: &InputFrame,
        request: &RenderRequest,
        clips: &mut dyn ClipFetch,
    ) -> Result<Rendered, EffectError> {
        let params = &request.params;
        let config = Self::engine_config(params);
        let engine =
            SwapEngine::get(&config).map_err(|e| EffectError(format!("Face Swap: {e}")))?;
        let mut settings = Self::settings(params);
        let min_face = source
            .placement
            .canonical_height(params.double(ids::MIN_FACE));
        let detect = engine.detect_settings(params.double(ids::DETECT_THRESHOLD) as f32, min_face);
        let finder = engine.finder(detect);
        let swapper = engine.swapper(
            params.double(ids::IDENTITY_WEIGHT) as f32,
            params.double(ids::MORPH) as f32,
        );
        if request.thumbnail {
            // Thumbnails are tiny: a boost would only cost time.
            settings.pixel_boost = PixelBoost::Off;
        }
        // Pixel work on the GPU unless the user chose the CPU or there is no adapter (then
        // the log says why, once); thumbnails are too small to be worth an upload.
        let gpu = (!config.cpu_only && !request.thumbnail)
            .then(crate::gpu::context)
            .flatten();
        let frame_ops = FrameOps::own(gpu, &source.frame);
        let ops = frame_ops.get();
        let radius = Self::temporal_radius(params);
        let swapped = if radius == 0 || request.thumbnail {
            swap_frame(&source.frame, &finder, &swapper, ops, &settings)
        } else {
            let window = TemporalSwap {
                gpu,
                config: &config,
                finder: &finder,
                detect,
                settings: &settings,
            };
            window.swap(source, request, radius, clips, (&swapper, ops))?
        };
        let (result, _report) = swapped.map_err(|e| EffectError(format!("Face Swap: {e}")))?;
        let (w, h) = source.frame.size();
        let stamp = params
            .flag(ids::STAMP)
            .then(|| crate::stamp::label_patch(w, h));
        Ok(match result {
            SwapResult::Patches(mut patches) => {
                patches.extend(stamp);
                Rendered::Patches(patches)
            }
            SwapResult::Frame(mut frame) => {
                if let Some(label) = stamp {
                    label.apply(&mut frame);
                }
                Rendered::Frame(frame)
            }
        })
    }
}

/// Face Swap with the temporal window: the faces at t smoothed over the analyses of the
/// Source frames around it.
struct TemporalSwap<'a> {
    /// Where neighbours' pixel work runs (the rendered frame's is the render's own ops).
    gpu: Option<&'static crate::gpu::Gpu>,
    config: &'a EngineConfig,
    finder: &'a EngineFinder<'a>,
    detect: DetectSettings,
    settings: &'a SwapSettings,
}

impl TemporalSwap<'_> {
    fn swap(
        &self,
        source: &InputFrame,
        request: &RenderRequest,
        radius: usize,
        clips: &mut dyn ClipFetch,
        (swapper, ops): (&dyn CropSwapper, &dyn PixelOps),
    ) -> Result<Result<(SwapResult, SwapReport), SwapError>, EffectError> {
        let settings = self.settings;
        let space = settings.paste.colour_space;
        // Identities are measured per frame only when the selection compares them.
        let identities = matches!(settings.selection, FaceSelection::ClosestTo { .. });
        let key = AnalysisSettings {
            detector: self.config.detector.as_deref(),
            cpu_only: self.config.cpu_only,
            threshold: self.detect.score_threshold,
            min_face_px: self.detect.min_face_px,
            render_scale: request.render_scale,
            colour_space: space,
            recogniser: self.config.recogniser.as_deref().filter(|_| identities),
        }
        .hash();
        let finder = self.finder;
        let analyse = |frame: &crate::Frame| {
            let frame_ops = FrameOps::for_frame(self.gpu, frame, (&source.frame, ops));
            temporal::analyse(frame, frame_ops.get(), finder, space, identities)
        };
        let window = temporal::window_analyses(source, request.time, radius, key, clips, &analyse)
            .map_err(|e| EffectError(format!("Face Swap: {}", e.0)))?;
        let matching = settings.paste.colour_match != ColourMatch::None;
        let faces =
            temporal::smoothed_faces(&window, radius, settings.selection, finder.reference());
        let picks: Vec<Pick> = faces
            .into_iter()
            .map(|f| Pick {
                // The match aims at the plate smoothed over the face's track.
                colour_target: matching
                    .then(|| colour_target(&source.frame, space, &f.face, f.colour.as_ref()))
                    .flatten(),
                face: f.face,
                strength: f.fade,
            })
            .collect();
        let detected = window[radius + 1]
            .as_ref()
            .map_or(&[][..], |a| &a.faces[..]);
        let model = ModelFrame::with_ops(&source.frame, space, ops);
        Ok(swap_faces(&model, detected, &picks, swapper, settings))
    }
}
