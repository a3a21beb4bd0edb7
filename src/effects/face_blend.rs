//! Face Blend: composites a processed face into the plate; declaration and render glue only.

use super::face_blend_matte::detected_face_matte;
use super::face_swap::{DEVICES, MAX_RADIUS};
use super::temporal;
use super::{
    ClipDecl, ClipFetch, Context, DoubleKind, Effect, EffectDecl, EffectError, InputFrame,
    ParamDecl, ParamKind, ParamValues, PointKind, Range, RenderRequest, Rendered,
};
use crate::blend::{self, BlendOutput, BlendSettings, ColourMatch, Ellipse, MaskSource};
use crate::colour::ColourSpace;
use crate::gpu::ops::FrameOps;
use crate::temporal::DEFAULT_RADIUS;
use crate::Frame;

pub struct FaceBlend;

pub const FACE_CLIP: &str = "Face";
pub const MATTE_CLIP: &str = "Matte";

/// Parameter ids: saved in host projects, never renamed.
pub mod ids {
    pub const MASK_SOURCE: &str = "maskSource";
    pub const ELLIPSE_CENTRE: &str = "ellipseCentre";
    pub const ELLIPSE_SIZE: &str = "ellipseSize";
    pub const ELLIPSE_ANGLE: &str = "ellipseAngle";
    pub const ERODE: &str = "maskErode";
    pub const FEATHER: &str = "maskFeather";
    pub const INVERT: &str = "maskInvert";
    pub const COLOUR_MATCH: &str = "colourMatch";
    pub const SEAMLESS: &str = "seamless";
    pub const MIX: &str = "mix";
    pub const COLOUR_SPACE: &str = "colourSpace";
    pub const OUTPUT: &str = "output";
    pub const DETECTOR: &str = "detectorModel";
    pub const TEMPORAL_RADIUS: &str = "temporalRadius";
    pub const DEVICE: &str = "device";
}

/// Choice option order is saved in projects as an index: append, never reorder.
pub const MASK_SOURCES: &[&str] = &["Face alpha", "Matte clip", "Ellipse", "Detected face"];
pub const COLOUR_MATCHES: &[&str] = &["None", "Reinhard (LAB)", "Linear (covariance)", "Histogram"];
pub const COLOUR_SPACES: &[&str] = &["Linear", "sRGB"];
pub const OUTPUTS: &[&str] = &["Composite", "Mask only", "Face only"];

const GENERAL: &[Context] = &[Context::General];

const fn lengths(max: f64, display_max: f64) -> Range<f64> {
    Range {
        min: -max,
        max,
        display_min: -display_max,
        display_max,
    }
}

static DECL: EffectDecl = EffectDecl {
    id: "com.doppel.FaceBlend",
    label: "Face Blend",
    description: "Blends a processed face into the original plate: mask, colour match and seamless compositing.",
    grouping: "Doppel",
    version: (1, 0),
    contexts: GENERAL,
    clips: &[
        // Temporal: the detected-face mask reads neighbouring frames (see `temporalRadius`).
        ClipDecl { name: "Source", label: "Source", optional: false, temporal: true, contexts: GENERAL },
        ClipDecl { name: FACE_CLIP, label: "Face", optional: false, temporal: false, contexts: GENERAL },
        ClipDecl { name: MATTE_CLIP, label: "Matte", optional: true, temporal: false, contexts: GENERAL },
    ],
    params: &[
        ParamDecl {
            id: ids::MASK_SOURCE,
            label: "Mask from",
            hint: "Where the blend mask comes from: the Face clip's alpha, the Matte clip's alpha, an ellipse, or the faces detected in Source.",
            kind: ParamKind::Choice { options: MASK_SOURCES, default: 0 },
            animates: false,
        },
        ParamDecl {
            id: ids::ELLIPSE_CENTRE,
            label: "Ellipse centre",
            hint: "Centre of the ellipse mask.",
            kind: ParamKind::Point { default: (0.5, 0.5), kind: PointKind::Position },
            animates: true,
        },
        ParamDecl {
            id: ids::ELLIPSE_SIZE,
            label: "Ellipse radii",
            hint: "Horizontal and vertical radius of the ellipse mask, before rotation.",
            kind: ParamKind::Point { default: (0.12, 0.2), kind: PointKind::Size },
            animates: true,
        },
        ParamDecl {
            id: ids::ELLIPSE_ANGLE,
            label: "Ellipse angle",
            hint: "Rotation of the ellipse mask in degrees, counter-clockwise.",
            kind: ParamKind::Double {
                default: 0.0,
                range: Range { min: -360.0, max: 360.0, display_min: -180.0, display_max: 180.0 },
                kind: DoubleKind::Angle,
            },
            animates: true,
        },
        ParamDecl {
            id: ids::DETECTOR,
            label: "Detector model",
            hint: "With Mask from Detected face: leave empty for the bundled CenterFace, or choose a SCRFD, RetinaFace, YuNet or yolo_face ONNX file.",
            kind: ParamKind::Path { directory: false },
            animates: false,
        },
        ParamDecl {
            id: ids::ERODE,
            label: "Erode (negative) / dilate",
            hint: "Shrinks (negative) or grows (positive) the mask, in pixels.",
            kind: ParamKind::Double { default: 0.0, range: lengths(500.0, 50.0), kind: DoubleKind::Length },
            animates: true,
        },
        ParamDecl {
            id: ids::FEATHER,
            label: "Feather",
            hint: "Width of the soft edge of the mask, in pixels.",
            kind: ParamKind::Double {
                default: 12.0,
                range: Range { min: 0.0, max: 1000.0, display_min: 0.0, display_max: 100.0 },
                kind: DoubleKind::Length,
            },
            animates: true,
        },
        ParamDecl {
            id: ids::INVERT,
            label: "Invert mask",
            hint: "Blends outside the mask instead of inside.",
            kind: ParamKind::Bool { default: false },
            animates: false,
        },
        ParamDecl {
            id: ids::COLOUR_MATCH,
            label: "Colour match",
            hint: "Matches the face's colour to the plate inside the mask before blending.",
            kind: ParamKind::Choice { options: COLOUR_MATCHES, default: 1 },
            animates: false,
        },
        ParamDecl {
            id: ids::SEAMLESS,
            label: "Seamless (Poisson)",
            hint: "Solves for the face's detail with the plate's colours at the mask border, hiding seams.",
            kind: ParamKind::Bool { default: false },
            animates: false,
        },
        ParamDecl {
            id: ids::MIX,
            label: "Mix",
            hint: "Strength of the blend: 0 gives the Source, 1 the full blend.",
            kind: ParamKind::Double {
                default: 1.0,
                range: Range { min: 0.0, max: 1.0, display_min: 0.0, display_max: 1.0 },
                kind: DoubleKind::Plain,
            },
            animates: true,
        },
        ParamDecl {
            id: ids::COLOUR_SPACE,
            label: "Input colour space",
            hint: "How the inputs are encoded; colour statistics are taken in linear light.",
            kind: ParamKind::Choice { options: COLOUR_SPACES, default: 0 },
            animates: false,
        },
        ParamDecl {
            id: ids::OUTPUT,
            label: "Output",
            hint: "The composite, the final mask, or the colour-matched face alone (premultiplied).",
            kind: ParamKind::Choice { options: OUTPUTS, default: 0 },
            animates: false,
        },
        ParamDecl {
            id: ids::TEMPORAL_RADIUS,
            label: "Temporal window",
            hint: "With Mask from Detected face: frames on each side used to stabilise the faces (smoothed over time, faded in and out); 0 = off: each frame on its own.",
            kind: ParamKind::Int {
                default: DEFAULT_RADIUS as i32,
                range: Range { min: 0, max: MAX_RADIUS as i32, display_min: 0, display_max: MAX_RADIUS as i32 },
            },
            animates: false,
        },
        ParamDecl {
            id: ids::DEVICE,
            label: "Device",
            hint: "Where the pixel work runs: the GPU when there is one (else the CPU, with a note in the log), or always the CPU.",
            kind: ParamKind::Choice { options: DEVICES, default: 0 },
            animates: false,
        },
    ],
};

impl FaceBlend {
    /// The temporal radius k at these settings: 0 (per-frame) unless the mask is the detected
    /// face, else the parameter clamped to 0 ..= [`MAX_RADIUS`].
    pub fn temporal_radius(params: &ParamValues) -> usize {
        if params.choice(ids::MASK_SOURCE) != DETECTED_FACE {
            return 0;
        }
        (params.int(ids::TEMPORAL_RADIUS).max(0) as usize).min(MAX_RADIUS)
    }

    /// Turns host parameter values into pipeline settings, in the Source frame's pixels.
    pub fn settings(params: &ParamValues, source: &InputFrame) -> BlendSettings {
        let placement = &source.placement;
        let mask = match params.choice(ids::MASK_SOURCE) {
            // The detected-face mask reaches the blend as a computed matte.
            1 | DETECTED_FACE => MaskSource::Matte,
            2 => {
                let (rx, ry) = params.point(ids::ELLIPSE_SIZE);
                MaskSource::Ellipse(Ellipse {
                    centre: placement.canonical_to_frame(params.point(ids::ELLIPSE_CENTRE)),
                    radii: (
                        placement.canonical_width(rx),
                        placement.canonical_height(ry),
                    ),
                    angle_deg: params.double(ids::ELLIPSE_ANGLE) as f32,
                })
            }
            _ => MaskSource::FaceAlpha,
        };
        BlendSettings {
            mask,
            erode_px: placement.canonical_width(params.double(ids::ERODE)),
            feather_px: placement.canonical_width(params.double(ids::FEATHER)),
            invert: params.flag(ids::INVERT),
            colour_match: match params.choice(ids::COLOUR_MATCH) {
                1 => ColourMatch::Reinhard,
                2 => ColourMatch::Linear,
                3 => ColourMatch::Histogram,
                _ => ColourMatch::None,
            },
            seamless: params.flag(ids::SEAMLESS),
            mix: params.double(ids::MIX) as f32,
            colour_space: match params.choice(ids::COLOUR_SPACE) {
                1 => ColourSpace::Srgb,
                _ => ColourSpace::Linear,
            },
            output: match params.choice(ids::OUTPUT) {
                1 => BlendOutput::MaskOnly,
                2 => BlendOutput::FaceOnly,
                _ => BlendOutput::Composite,
            },
        }
    }
}

/// `maskSource` index of the detected-face mask.
pub(crate) const DETECTED_FACE: usize = 3;

/// The output where the detected-face mask is empty: the plate untouched, or an empty mask or
/// face layer (never the plate where a mask was asked for).
fn no_face(source: &InputFrame, output: BlendOutput) -> Rendered {
    match output {
        BlendOutput::Composite => Rendered::Patches(Vec::new()),
        BlendOutput::MaskOnly | BlendOutput::FaceOnly => {
            Rendered::Frame(Frame::new(source.frame.width(), source.frame.height()))
        }
    }
}

/// Inputs must cover the Source's pixels exactly: the blend is per pixel.
fn lines_up(clip: &str, input: &InputFrame, source: &InputFrame) -> Result<(), EffectError> {
    if input.placement.bounds == source.placement.bounds {
        return Ok(());
    }
    let [x1, y1, x2, y2] = input.placement.bounds;
    let [sx1, sy1, sx2, sy2] = source.placement.bounds;
    Err(EffectError(format!(
        "The {clip} input ({}×{} at {x1},{y1}) does not line up with the Source ({}×{} at {sx1},{sy1}); \
         both must be the same plate size.",
        x2 - x1,
        y2 - y1,
        sx2 - sx1,
        sy2 - sy1
    )))
}

impl Effect for FaceBlend {
    fn declaration() -> &'static EffectDecl {
        &DECL
    }

    fn create() -> Self {
        FaceBlend
    }

    fn frames_needed(&self, time: f64, params: &ParamValues) -> Option<(f64, f64)> {
        let radius = Self::temporal_radius(params);
        (radius > 0).then(|| temporal::window_range(time, radius))
    }

    fn identity_clip(&self, params: &ParamValues) -> Option<&'static str> {
        let composite = params.choice(ids::OUTPUT) == 0;
        (composite && params.double(ids::MIX) == 0.0).then_some("Source")
    }

    fn render(
        &self,
        source: &InputFrame,
        request: &RenderRequest,
        clips: &mut dyn ClipFetch,
    ) -> Result<Rendered, EffectError> {
        let settings = Self::settings(&request.params, source);
        let face = clips.fetch(FACE_CLIP, request.time)?.ok_or_else(|| {
            EffectError(
                "Face Blend needs an image on its Face input; none was given at this frame.".into(),
            )
        })?;
        lines_up(FACE_CLIP, &face, source)?;
        let on_cpu = request.params.choice(ids::DEVICE) == 1;
        let gpu = (!on_cpu).then(crate::gpu::context).flatten();
        // Source goes up once: for detection (a detected-face mask) and for the blend.
        let source_ops = FrameOps::own(gpu, &source.frame);
        let matte = match (settings.mask, request.params.choice(ids::MASK_SOURCE)) {
            (MaskSource::Matte, DETECTED_FACE) => {
                match detected_face_matte(source, request, clips, (gpu, source_ops.get()))? {
                    Some(matte) => Some(matte),
                    // No face in this frame: an empty mask (all face once inverted).
                    None if settings.invert => Some(InputFrame {
                        frame: Frame::new(source.frame.width(), source.frame.height()),
                        placement: source.placement,
                    }),
                    None => return Ok(no_face(source, settings.output)),
                }
            }
            (MaskSource::Matte, _) => clips.fetch(MATTE_CLIP, request.time)?,
            _ => None,
        };
        if let Some(m) = &matte {
            lines_up(MATTE_CLIP, m, source)?;
        }
        let matte = matte.as_ref().map(|m| &m.frame);
        match (gpu, &source_ops) {
            (Some(gpu), FrameOps::Gpu(ops)) => crate::gpu::blend::blend_towards_resident(
                gpu,
                &source.frame,
                Some(ops.resident()),
                &face.frame,
                matte,
                &settings,
                None,
            ),
            _ => blend::blend(&source.frame, &face.frame, matte, &settings),
        }
        .map(Rendered::Frame)
        .map_err(|e| EffectError(format!("Face Blend: {e}")))
    }
}
