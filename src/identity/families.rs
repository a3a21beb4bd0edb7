//! The known model families of models.md as data: template, crop, normalisation, output range,
//! identity input and licence of each generic swapper, and recognition by file name.

use super::conventions::{ModelKind, Normalisation, OutputRange};
use crate::face::Template;

/// What identity input a family's `source` takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FamilySource {
    /// A (1, 512) vector: `normalise` the final vector, `emap` (inswapper), `converter`.
    Vector {
        normalise: bool,
        emap: bool,
        converter: bool,
    },
    /// An aligned source face: template, size, normalisation (RGB, NCHW).
    Image {
        template: Template,
        size: usize,
        normalisation: Normalisation,
    },
}

/// One published model of a generic family (models.md's swapper table).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Variant {
    /// FaceFusion's model name.
    pub name: &'static str,
    pub kind: ModelKind,
    pub template: Template,
    pub crop: usize,
    pub normalisation: Normalisation,
    pub output_range: OutputRange,
    pub source: FamilySource,
}

const fn vector(normalise: bool, emap: bool, converter: bool) -> FamilySource {
    FamilySource::Vector {
        normalise,
        emap,
        converter,
    }
}

/// models.md's swapper table (one row per distinct convention; name variants share a row).
pub const VARIANTS: [Variant; 8] = [
    Variant {
        name: "inswapper_128",
        kind: ModelKind::Inswapper,
        template: Template::Arcface128,
        crop: 128,
        normalisation: Normalisation::ZeroOne,
        output_range: OutputRange::ZeroOne,
        source: vector(true, true, false),
    },
    Variant {
        name: "hyperswap_1a_256",
        kind: ModelKind::Hyperswap,
        template: Template::Arcface128,
        crop: 256,
        normalisation: Normalisation::MinusOneOne,
        output_range: OutputRange::MinusOneOne,
        source: vector(true, false, false),
    },
    Variant {
        name: "simswap_256",
        kind: ModelKind::Simswap,
        template: Template::Arcface112V1,
        crop: 256,
        normalisation: Normalisation::Imagenet,
        output_range: OutputRange::ZeroOne,
        source: vector(true, false, true),
    },
    Variant {
        name: "simswap_unofficial_512",
        kind: ModelKind::Simswap,
        template: Template::Arcface112V1,
        crop: 512,
        normalisation: Normalisation::ZeroOne,
        output_range: OutputRange::ZeroOne,
        source: vector(true, false, true),
    },
    Variant {
        name: "ghost_256",
        kind: ModelKind::Ghost,
        template: Template::Arcface112V1,
        crop: 256,
        normalisation: Normalisation::MinusOneOne,
        output_range: OutputRange::MinusOneOne,
        source: vector(false, false, true),
    },
    Variant {
        name: "hififace_unofficial_256",
        kind: ModelKind::Hififace,
        template: Template::Mtcnn512,
        crop: 256,
        normalisation: Normalisation::MinusOneOne,
        output_range: OutputRange::MinusOneOne,
        source: vector(true, false, true),
    },
    Variant {
        name: "blendswap_256",
        kind: ModelKind::Blendswap,
        template: Template::Ffhq512,
        crop: 256,
        normalisation: Normalisation::ZeroOne,
        output_range: OutputRange::ZeroOne,
        source: FamilySource::Image {
            template: Template::Arcface112V2,
            size: 112,
            normalisation: Normalisation::ZeroOne,
        },
    },
    Variant {
        name: "uniface_256",
        kind: ModelKind::Uniface,
        template: Template::Ffhq512,
        crop: 256,
        normalisation: Normalisation::MinusOneOne,
        output_range: OutputRange::MinusOneOne,
        source: FamilySource::Image {
            template: Template::Ffhq512,
            size: 256,
            normalisation: Normalisation::ZeroOne,
        },
    },
];

/// The variant of a generic family for a model whose crop side is `side` (when known):
/// simswap's 512 model is the unofficial one with x/255 input; every other family has one row.
pub fn variant(kind: ModelKind, side: Option<usize>) -> Option<&'static Variant> {
    let mut rows = VARIANTS.iter().filter(|v| v.kind == kind);
    let first = rows.next()?;
    Some(
        std::iter::once(first)
            .chain(rows)
            .find(|v| Some(v.crop) == side)
            .unwrap_or(first),
    )
}

/// The family a file name points to (`inswapper_128_fp16.onnx` → inswapper), case-insensitive.
pub fn kind_from_name(file_name: &str) -> Option<ModelKind> {
    let name = file_name.to_ascii_lowercase();
    [
        ("inswapper", ModelKind::Inswapper),
        ("hyperswap", ModelKind::Hyperswap),
        ("simswap", ModelKind::Simswap),
        ("ghost", ModelKind::Ghost),
        ("hififace", ModelKind::Hififace),
        ("blendswap", ModelKind::Blendswap),
        ("uniface", ModelKind::Uniface),
    ]
    .into_iter()
    .find(|(key, _)| name.contains(key))
    .map(|(_, kind)| kind)
}

/// File names of a family's embedding converter as FaceFusion ships them (3.4: `crossface_*`,
/// earlier: `arcface_converter_*`), looked for next to a bare model file.
pub fn converter_names(kind: ModelKind) -> &'static [&'static str] {
    match kind {
        ModelKind::Simswap => &["crossface_simswap.onnx", "arcface_converter_simswap.onnx"],
        ModelKind::Ghost => &["crossface_ghost.onnx", "arcface_converter_ghost.onnx"],
        ModelKind::Hififace => &["crossface_hififace.onnx"],
        _ => &[],
    }
}

/// The licence of the ArcFace recogniser every embedding-based swapper needs (models.md).
pub const RECOGNISER_LICENCE: &str = "Non-commercial";
