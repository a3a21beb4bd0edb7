//! Recognising a model file: which family it is (DFM, a Doppel per-identity export, or a generic
//! swapper of models.md, by I/O signature first and file name second), and the conventions
//! declared in its `doppel.*` metadata. `resolve.rs` turns the family and declarations into
//! [`SwapConventions`](super::SwapConventions).

use std::path::Path;

use serde::de::DeserializeOwned;

use super::conventions::{ChannelOrder, Layout, ModelKind, Normalisation, OutputRange};
use super::error::{file_name, IdentityError};
use super::families;
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

pub(crate) fn err(field: &'static str, message: impl Into<String>) -> ConventionError {
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
        d.template = Some(
            v.parse()
                .map_err(|e: crate::face::UnknownTemplate| bad(k, v, e.to_string()))?,
        );
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
    } else if info.has_doppel_conventions() {
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
            let source = if a.name == "source" || b.name == "target" {
                a
            } else {
                b
            };
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
                log::warn!(
                    "{name}: its inputs are those of {only}, not what its name says; using {only}"
                );
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
                        "its inputs ({}) fit several swapper families ({}) and its file name \
                         does not say which; rename it to its FaceFusion name (e.g. \
                         hyperswap_1a_256.onnx, ghost_1_256.onnx) or name model.kind in an \
                         identity pack",
                        info.describe(),
                        names.join(", ")
                    ),
                ))
            }
        },
    }
}
