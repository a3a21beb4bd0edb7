//! Recognising a model file: which family it is (DFM, a Doppel per-identity export, or a generic
//! swapper of models.md, by I/O signature first and file name second), and the
//! [`SwapConventions`] to run it with, from the family's defaults, declared values and the file's
//! own tensor names and shapes.

use std::path::Path;

use serde::de::DeserializeOwned;

use super::conventions::{
    ChannelOrder, IoNames, Layout, ModelKind, Normalisation, OutputRange, SourceInput,
    SwapConventions, TensorFormat,
};
use super::error::{file_name, IdentityError};
use super::families::{self, FamilySource};
use super::model_info::{image_side, is_vector, ModelInfo};
use crate::face::Template;
use crate::onnx::ValueInfo;

/// DFM's morph input and its default value (models.md).
pub const DFM_MORPH_DEFAULT: f32 = 0.75;

/// Conventions declared by an identity pack or a model's `doppel.*` metadata; what is left out
/// comes from the family (or is required, for per-identity models).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Declared {
    pub template: Option<Template>,
    pub crop_size: Option<usize>,
    pub layout: Option<Layout>,
    pub channels: Option<ChannelOrder>,
    pub normalisation: Option<Normalisation>,
    pub output_range: Option<OutputRange>,
    /// DFM / AMP morph value (0..1).
    pub morph: Option<f32>,
}

impl Declared {
    /// `self`'s values, with `fallback`'s where `self` has none.
    pub fn or(self, fallback: Declared) -> Declared {
        Declared {
            template: self.template.or(fallback.template),
            crop_size: self.crop_size.or(fallback.crop_size),
            layout: self.layout.or(fallback.layout),
            channels: self.channels.or(fallback.channels),
            normalisation: self.normalisation.or(fallback.normalisation),
            output_range: self.output_range.or(fallback.output_range),
            morph: self.morph.or(fallback.morph),
        }
    }
}

/// A convention that is missing or contradicts the model file; `field` is the `model.*` key.
#[derive(Debug, Clone, PartialEq)]
pub struct ConventionError {
    pub field: &'static str,
    pub message: String,
}

fn err(field: &'static str, message: impl Into<String>) -> ConventionError {
    ConventionError {
        field,
        message: message.into(),
    }
}

/// Parses a convention name (`nchw`, `minus_one_one`, ...) as `identity.json` spells it.
pub fn parse_name<T: DeserializeOwned>(value: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(value.trim().to_owned()))
        .map_err(|e| e.to_string())
}

/// The `doppel.*` metadata of a model as declared conventions (plus `doppel.kind` when present).
pub fn metadata_declared(info: &ModelInfo) -> Result<(Declared, Option<ModelKind>), IdentityError> {
    let bad = |key: &str, value: &str, why: String| {
        IdentityError::model(
            &info.path,
            format!("metadata {key} = {value:?} is not valid: {why}"),
        )
    };
    let get = |key: &'static str| info.metadata_value(key).map(|v| (key, v));
    let mut d = Declared::default();
    macro_rules! named {
        ($key:literal, $field:ident) => {
            if let Some((k, v)) = get($key) {
                d.$field = Some(parse_name(v).map_err(|e| bad(k, v, e))?);
            }
        };
    }
    if let Some((k, v)) = get("doppel.template") {
        d.template = Some(v.parse().map_err(|e: crate::face::UnknownTemplate| bad(k, v, e.to_string()))?);
    }
    if let Some((k, v)) = get("doppel.crop_size") {
        let n: usize = v
            .trim()
            .parse()
            .map_err(|_| bad(k, v, "expected a whole number of pixels".into()))?;
        d.crop_size = Some(n);
    }
    named!("doppel.layout", layout);
    named!("doppel.channels", channels);
    named!("doppel.normalisation", normalisation);
    named!("doppel.output_range", output_range);
    let kind = match get("doppel.kind") {
        Some((k, v)) => Some(parse_name::<ModelKind>(v).map_err(|e| bad(k, v, e))?),
        None => None,
    };
    Ok((d, kind))
}

/// What recognition found about a bare model file.
#[derive(Debug, Clone, PartialEq)]
pub struct Recognised {
    pub kind: ModelKind,
    /// Conventions from the file's metadata.
    pub declared: Declared,
}

/// Recognises a bare `.dfm` / `.onnx` file: DFM by extension or its `in_face:0` input; a Doppel
/// export by its `doppel.*` metadata; a generic swapper by its inputs (file name breaks ties).
pub fn recognise(info: &ModelInfo) -> Result<Recognised, IdentityError> {
    let (declared, meta_kind) = metadata_declared(info)?;
    let name = file_name(&info.path);
    let is_dfm_ext = Path::new(&name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("dfm"));
    let kind = if let Some(kind) = meta_kind {
        kind
    } else if is_dfm_ext || info.input("in_face:0").is_some() {
        ModelKind::Dfm
    } else if info.has_doppel_metadata() {
        ModelKind::PerIdentity
    } else {
        generic_kind(info, &name)?
    };
    Ok(Recognised { kind, declared })
}

/// A generic family from the I/O signature, the file name choosing among look-alikes.
fn generic_kind(info: &ModelInfo, name: &str) -> Result<ModelKind, IdentityError> {
    use ModelKind::*;
    let images: Vec<&ValueInfo> = info
        .inputs
        .iter()
        .filter(|v| image_side(v, 3, false).is_some())
        .collect();
    let vectors: Vec<&ValueInfo> = info.inputs.iter().filter(|v| is_vector(v)).collect();
    let candidates: Vec<ModelKind> = match (images.as_slice(), vectors.as_slice()) {
        ([target], [_]) if info.inputs.len() == 2 => {
            if info.has_buff2fs {
                vec![Inswapper]
            } else {
                match image_side(target, 3, false).flatten() {
                    Some(128) => vec![Inswapper],
                    Some(512) => vec![Simswap],
                    Some(256) => vec![Hyperswap, Simswap, Ghost, Hififace],
                    None => vec![Inswapper, Hyperswap, Simswap, Ghost, Hififace],
                    Some(_) => vec![],
                }
            }
        }
        ([a, b], []) if info.inputs.len() == 2 => {
            let source = if a.name == "source" || b.name == "target" { a } else { b };
            match image_side(source, 3, false).flatten() {
                Some(112) => vec![Blendswap],
                Some(256) => vec![Uniface],
                None => vec![Blendswap, Uniface],
                Some(_) => vec![],
            }
        }
        _ => vec![],
    };
    let hint = families::kind_from_name(name);
    match candidates.as_slice() {
        [] => Err(IdentityError::Unrecognised {
            path: info.path.clone(),
            found: info.describe(),
        }),
        [only] => {
            if hint.is_some_and(|h| h != *only) {
                log::warn!("{name}: its inputs are those of {only}, not what its name says; using {only}");
            }
            Ok(*only)
        }
        many => match hint.filter(|h| many.contains(h)) {
            Some(kind) => Ok(kind),
            None => {
                let names: Vec<&str> = many.iter().map(|k| k.name()).collect();
                Err(IdentityError::model(
                    &info.path,
                    format!(
                        "its inputs ({}) fit several swapper families ({}) and its file name does \
                         not say which; rename it to its FaceFusion name (e.g. hyperswap_1a_256.onnx, \
                         ghost_1_256.onnx) or name model.kind in an identity pack",
                        info.describe(),
                        names.join(", ")
                    ),
                ))
            }
        },
    }
}

/// The single input among `inputs` that is an image of `channels` in `layout`.
fn find_image<'a>(inputs: &[&'a ValueInfo], channels: usize, layout: Layout) -> Vec<&'a ValueInfo> {
    let nhwc = layout == Layout::Nhwc;
    inputs
        .iter()
        .copied()
        .filter(|v| image_side(v, channels, nhwc).is_some())
        .collect()
}

/// Everything needed to run the model: the family's (or DFM's) defaults, overridden by
/// `declared`, checked against the file's inputs and outputs. `converter` is the embedding
/// converter for simswap, ghost and hififace.
pub fn build_conventions(
    kind: ModelKind,
    info: &ModelInfo,
    declared: &Declared,
    converter: Option<std::path::PathBuf>,
) -> Result<SwapConventions, ConventionError> {
    let family = kind
        .is_generic()
        .then(|| {
            let target = info.input("target").or_else(|| {
                info.inputs
                    .iter()
                    .find(|v| v.name != "source" && image_side(v, 3, false).is_some())
            });
            families::variant(kind, target.and_then(|t| image_side(t, 3, false).flatten()))
        })
        .flatten();
    let defaults = match (kind, family) {
        (ModelKind::Dfm, _) => Declared {
            template: Some(Template::DflWholeFace),
            layout: Some(Layout::Nhwc),
            channels: Some(ChannelOrder::Bgr),
            normalisation: Some(Normalisation::ZeroOne),
            output_range: Some(OutputRange::ZeroOne),
            ..Declared::default()
        },
        (_, Some(v)) => Declared {
            template: Some(v.template),
            layout: Some(Layout::Nchw),
            channels: Some(ChannelOrder::Rgb),
            normalisation: Some(v.normalisation),
            output_range: Some(v.output_range),
            ..Declared::default()
        },
        _ => Declared::default(),
    };
    let d = declared.clone().or(defaults);
    let required = |field: &'static str, what: &str| {
        err(field, format!("is required for a {kind} model ({what})"))
    };
    let template = d.template.ok_or_else(|| required("template", "an alignment template name"))?;
    let channels = d.channels.ok_or_else(|| required("channels", "rgb or bgr"))?;
    let normalisation = d
        .normalisation
        .ok_or_else(|| required("normalisation", "zero_one, minus_one_one, imagenet, raw255 or arcface"))?;
    let output_range = d
        .output_range
        .ok_or_else(|| required("output_range", "zero_one, minus_one_one or raw255"))?;

    // Inputs: target crop, identity source, morph; nothing else may be left over.
    let all: Vec<&ValueInfo> = info.inputs.iter().collect();
    let morph = all
        .iter()
        .find(|v| v.name == "morph_value:0" || v.name == "morph_value")
        .map(|v| (v.name.clone(), d.morph.unwrap_or(DFM_MORPH_DEFAULT)));
    let source_vi = kind
        .is_generic()
        .then(|| {
            info.input("source").or_else(|| {
                all.iter()
                    .copied()
                    .find(|v| v.name != "target" && (is_vector(v) || kind.takes_source_image()))
            })
        })
        .flatten();
    let rest: Vec<&ValueInfo> = all
        .iter()
        .copied()
        .filter(|v| Some(&v.name) != morph.as_ref().map(|m| &m.0) && Some(*v) != source_vi)
        .collect();
    let named_target = ["target", "in_face:0"]
        .into_iter()
        .find_map(|n| rest.iter().copied().find(|v| v.name == n));
    let layout = match d.layout {
        Some(l) => l,
        None => {
            let probe = named_target.map(|t| vec![t]).unwrap_or_else(|| rest.clone());
            let fits = |l| !find_image(&probe, 3, l).is_empty();
            match (fits(Layout::Nchw), fits(Layout::Nhwc)) {
                (true, false) => Layout::Nchw,
                (false, true) => Layout::Nhwc,
                _ => return Err(required("layout", "nchw or nhwc")),
            }
        }
    };
    let target = match named_target {
        Some(t) => t,
        None => match find_image(&rest, 3, layout).as_slice() {
            [one] => one,
            [] => {
                return Err(err(
                    "layout",
                    format!(
                        "is {} but the model has no {layout:?} 3-channel image input ({})",
                        layout_name(layout),
                        info.describe()
                    ),
                ))
            }
            _ => return Err(err("file", format!("has several image inputs and none is named target ({})", info.describe()))),
        },
    };
    let side = match image_side(target, 3, layout == Layout::Nhwc) {
        Some(side) => side,
        None => {
            return Err(err(
                "layout",
                format!(
                    "is {} but the model's input {} is not a batch-1 square {layout:?} image",
                    layout_name(layout),
                    super::model_info::describe_value(target)
                ),
            ))
        }
    };
    if let Some(extra) = rest.iter().find(|v| v.name != target.name) {
        return Err(err(
            "file",
            format!(
                "has an input Doppel does not know how to feed: {} ({})",
                super::model_info::describe_value(extra),
                info.describe()
            ),
        ));
    }
    let crop_size = match (side, d.crop_size, family) {
        (Some(s), Some(c), _) if s != c => {
            return Err(err(
                "crop_size",
                format!("is {c} but the model's input {} takes {s}×{s} crops", target.name),
            ))
        }
        (Some(s), _, _) => s,
        (None, Some(c), _) => c,
        (None, None, Some(v)) => v.crop,
        (None, None, None) => {
            return Err(required("crop_size", "the model's input size is dynamic"))
        }
    };

    let source = source_input(kind, family, source_vi, converter, info)?;
    let (face, masks) = outputs(kind, info, layout)?;
    let input = TensorFormat {
        layout,
        channels,
        normalisation,
    };
    let output = TensorFormat {
        normalisation: match output_range {
            OutputRange::ZeroOne => Normalisation::ZeroOne,
            OutputRange::MinusOneOne => Normalisation::MinusOneOne,
            OutputRange::Raw255 => Normalisation::Raw255,
        },
        ..input
    };
    Ok(SwapConventions {
        kind,
        template,
        crop_size,
        input,
        output,
        output_range,
        source,
        morph,
        learned_masks: !masks.is_empty(),
        io: IoNames {
            target: target.name.clone(),
            source: source_vi.map(|v| v.name.clone()),
            face,
            masks,
        },
    })
}

fn layout_name(l: Layout) -> &'static str {
    match l {
        Layout::Nchw => "nchw",
        Layout::Nhwc => "nhwc",
    }
}

fn source_input(
    kind: ModelKind,
    family: Option<&families::Variant>,
    source_vi: Option<&ValueInfo>,
    converter: Option<std::path::PathBuf>,
    info: &ModelInfo,
) -> Result<SourceInput, ConventionError> {
    let Some(family) = family else {
        return Ok(SourceInput::None);
    };
    let Some(vi) = source_vi else {
        return Err(err("kind", format!("is {kind} but the model has no identity (source) input ({})", info.describe())));
    };
    match family.source {
        FamilySource::Vector { normalise, emap, converter: needs } => {
            if !is_vector(vi) {
                return Err(err("kind", format!("is {kind}, whose source input is a (1,512) vector, but the model's is {}", super::model_info::describe_value(vi))));
            }
            if needs && converter.is_none() {
                return Err(err("converter", format!("is required for {kind} models: the embedding converter ({})", families::converter_names(kind).join(" or "))));
            }
            Ok(SourceInput::Embedding { normalise, emap, converter: if needs { converter } else { None } })
        }
        FamilySource::Image { template, size, normalisation } => {
            match image_side(vi, 3, false) {
                Some(None) => {}
                Some(Some(s)) if s == size => {}
                _ => return Err(err("kind", format!("is {kind}, whose source input is a (1,3,{size},{size}) image, but the model's is {}", super::model_info::describe_value(vi)))),
            }
            Ok(SourceInput::Image { template, size, normalisation })
        }
    }
}

/// The face output and the learned mask outputs.
fn outputs(kind: ModelKind, info: &ModelInfo, layout: Layout) -> Result<(String, Vec<String>), ConventionError> {
    let nhwc = layout == Layout::Nhwc;
    let preferred = if kind == ModelKind::Dfm { "out_celeb_face:0" } else { "output" };
    let face = info
        .output(preferred)
        .or_else(|| info.outputs.iter().find(|v| image_side(v, 3, nhwc).is_some()))
        .or_else(|| if info.outputs.len() == 1 { info.outputs.first() } else { None })
        .ok_or_else(|| err("layout", format!("the model has no {layout:?} 3-channel image output ({})", info.describe())))?;
    let masks = if kind.is_generic() {
        Vec::new()
    } else {
        info.outputs
            .iter()
            .filter(|v| v.name != face.name && image_side(v, 1, nhwc).is_some())
            .map(|v| v.name.clone())
            .collect()
    };
    Ok((face.name.clone(), masks))
}
