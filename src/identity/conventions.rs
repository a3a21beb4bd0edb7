//! How to talk to one swap model: crop template and size, tensor layout, channel order,
//! normalisation, output range, and what identity input it takes (models.md is the contract).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::face::Template;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// (1, 3, H, W): most models.
    Nchw,
    /// (1, H, W, 3): DeepFaceLive / DeepFaceLab exports, XSeg.
    Nhwc,
}

impl Layout {
    /// The name used in `identity.json` (`nchw`, `nhwc`).
    pub fn name(self) -> &'static str {
        match self {
            Layout::Nchw => "nchw",
            Layout::Nhwc => "nhwc",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChannelOrder {
    Rgb,
    Bgr,
}

/// How 8-bit-domain pixel values x (0..255, sRGB-encoded) become model input values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Normalisation {
    /// x / 255
    ZeroOne,
    /// (x / 255 − 0.5) / 0.5
    MinusOneOne,
    /// (x / 255 − mean) / std with ImageNet's mean and std (per channel, RGB order).
    Imagenet,
    /// x (0..255)
    Raw255,
    /// x / 127.5 − 1 (ArcFace recognisers; equal to MinusOneOne up to rounding, named for clarity)
    Arcface,
}

/// The value range of a model's image output, mapped back to 0..1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputRange {
    ZeroOne,
    MinusOneOne,
    Raw255,
}

/// The pixel side of one image tensor (input or output).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TensorFormat {
    pub layout: Layout,
    pub channels: ChannelOrder,
    pub normalisation: Normalisation,
}

/// What identity input a swapper takes besides the target crop.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceInput {
    /// A per-identity model: the identity is baked in (fine-tuned exports, DFM).
    None,
    /// A (1, 512) vector derived from the ArcFace embedding.
    Embedding {
        /// L2-normalise the final vector.
        normalise: bool,
        /// inswapper: latent = normalise(normalise(emb) · emap), emap read from the model file.
        emap: bool,
        /// simswap / ghost / hififace: a (1,512)→(1,512) converter model applied to the embedding.
        converter: Option<PathBuf>,
    },
    /// An aligned image of the source face (blendswap, uniface).
    Image {
        template: Template,
        size: usize,
        normalisation: Normalisation,
    },
}

/// Everything the pipeline needs to run one swap model.
#[derive(Debug, Clone, PartialEq)]
pub struct SwapConventions {
    pub kind: ModelKind,
    pub template: Template,
    pub crop_size: usize,
    pub input: TensorFormat,
    pub output: TensorFormat,
    pub output_range: OutputRange,
    pub source: SourceInput,
    /// DFM AMP models: name of the morph input and its value (default 0.75).
    pub morph: Option<(String, f32)>,
    /// DFM: the model outputs its own face masks (min of face and celeb masks).
    pub learned_masks: bool,
    /// Tensor names of the model file.
    pub io: IoNames,
}

/// What family a swap model belongs to: `model.kind` in `identity.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// A model fine-tuned on one person, exported with Doppel's conventions.
    PerIdentity,
    /// A DeepFaceLive / DeepFaceLab `.dfm` export.
    Dfm,
    Inswapper,
    Hyperswap,
    Simswap,
    Ghost,
    Hififace,
    Blendswap,
    Uniface,
}

impl ModelKind {
    pub const ALL: [ModelKind; 9] = [
        ModelKind::PerIdentity,
        ModelKind::Dfm,
        ModelKind::Inswapper,
        ModelKind::Hyperswap,
        ModelKind::Simswap,
        ModelKind::Ghost,
        ModelKind::Hififace,
        ModelKind::Blendswap,
        ModelKind::Uniface,
    ];

    /// The name used in `identity.json`.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::PerIdentity => "per_identity",
            ModelKind::Dfm => "dfm",
            ModelKind::Inswapper => "inswapper",
            ModelKind::Hyperswap => "hyperswap",
            ModelKind::Simswap => "simswap",
            ModelKind::Ghost => "ghost",
            ModelKind::Hififace => "hififace",
            ModelKind::Blendswap => "blendswap",
            ModelKind::Uniface => "uniface",
        }
    }

    /// A generic swapper: the identity comes from a source (embedding or photos), not the model.
    pub fn is_generic(self) -> bool {
        !matches!(self, ModelKind::PerIdentity | ModelKind::Dfm)
    }

    /// Families whose ArcFace embedding goes through a per-family converter model first.
    pub fn needs_converter(self) -> bool {
        matches!(
            self,
            ModelKind::Simswap | ModelKind::Ghost | ModelKind::Hififace
        )
    }

    /// Families that take an aligned source image instead of a vector.
    pub fn takes_source_image(self) -> bool {
        matches!(self, ModelKind::Blendswap | ModelKind::Uniface)
    }

    /// The licence of the public weights of this family (models.md), `None` where it is the
    /// author's own (per-identity exports, DFM) or unknown.
    pub fn family_licence(self) -> Option<&'static str> {
        match self {
            ModelKind::Inswapper | ModelKind::Simswap | ModelKind::Blendswap => {
                Some("Non-commercial")
            }
            ModelKind::Hyperswap => Some("ResearchRAIL"),
            ModelKind::Ghost => Some("Apache-2.0"),
            _ => None,
        }
    }
}

impl std::fmt::Display for ModelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The model's tensor names: read from the file, never assumed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IoNames {
    /// The target crop input (`target`, `in_face:0`).
    pub target: String,
    /// The identity input (`source`) of a generic swapper.
    pub source: Option<String>,
    /// The swapped-face output (`output`, `out_celeb_face:0`).
    pub face: String,
    /// Learned mask outputs, combined with `min` (DFM: `out_face_mask:0`, `out_celeb_face_mask:0`).
    pub masks: Vec<String>,
}
