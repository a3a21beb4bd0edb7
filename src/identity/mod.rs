//! What a user points Face Swap at, turned into something the pipeline can run.
//!
//! [`load_identity`] accepts, unmodified:
//! - a **Doppel identity pack** (a folder with `identity.json`, or that file itself; schema
//!   `doppel.identity/1`, documented in `docs/identities.md`);
//! - a **DeepFaceLive `.dfm`** (NHWC BGR 0..1, `in_face:0`, optional `morph_value:0`, learned
//!   masks);
//! - an **ONNX export with Doppel conventions** in its `metadata_props` (`doppel.template`, ...);
//! - a **generic swapper** of models.md (inswapper, hyperswap, simswap, ghost, hififace, blendswap,
//!   uniface), recognised by its inputs and, among look-alikes, its file name. These need an
//!   identity source: the pack's embedding or photos, or Face Swap's "Source photos"
//!   ([`Identity::with_photos`]).
//!
//! The result, an [`Identity`], carries the person, consent and licence to show the user, the
//! model path and its [`SwapConventions`], the identity source and default mask settings.
//! [`tensor`] converts crops to model tensors and back; [`embedding`] and [`arcface`] compute
//! identity vectors.

pub mod arcface;
pub mod conventions;
pub mod embedding;
mod error;
pub mod families;
pub mod model_info;
mod pack;
pub mod recognise;
pub mod resolve;
pub mod schema;
pub mod tensor;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_build;
#[cfg(test)]
mod tests_pack;
#[cfg(test)]
mod tests_pack_generic;
#[cfg(test)]
mod tests_per_identity;
#[cfg(test)]
mod tests_run;
#[cfg(test)]
mod tests_tensor;
#[cfg(test)]
mod tests_vectors;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use conventions::{
    ChannelOrder, IoNames, Layout, ModelKind, Normalisation, OutputRange, SourceInput,
    SwapConventions, TensorFormat,
};
pub use embedding::Emap;
pub use error::IdentityError;
pub use pack::check_licence;
pub use schema::{Consent, ConsentKind, PackFile, Person, SCHEMA};
pub use tensor::{crop_to_tensor, tensor_to_crop, tensor_to_crop_inverse, tensor_to_mask};

use model_info::{analyse, ModelInfo};
use recognise::recognise;
use resolve::build_conventions;

/// Where a swap's identity comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum IdentitySource {
    /// A per-identity model (DFM, fine-tuned export): the identity is in the weights.
    BakedIn,
    /// A stored raw ArcFace embedding (512 values).
    Embedding(Arc<Vec<f32>>),
    /// Photos of the person: the largest face of each, embeddings averaged (the first photo is
    /// the source image of blendswap and uniface).
    Photos(Vec<PathBuf>),
    /// A generic swapper with no source yet: Face Swap's "Source photos" must supply one.
    Missing,
}

/// Default paste-mask settings of an identity (the user can change them in Face Swap).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MaskDefaults {
    /// Box mask blur, 0..1 (models.md: 0.3).
    pub blur: f32,
    /// Box mask padding per side in percent: top, right, bottom, left.
    pub padding: [f32; 4],
    /// Use the occlusion (XSeg) model.
    pub occlusion: bool,
    /// Use the model's own learned masks (DFM).
    pub learned: bool,
}

impl Default for MaskDefaults {
    fn default() -> Self {
        MaskDefaults {
            blur: 0.3,
            padding: [0.0; 4],
            occlusion: false,
            learned: false,
        }
    }
}

/// A loaded identity: everything Face Swap needs, and what to show the user about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    /// Who (a pack's `person`, a DFM's or export's name); `None` for a bare generic swapper.
    pub person: Option<Person>,
    /// On what grounds the likeness is used; `None` when not declared (bare model files).
    pub consent: Option<Consent>,
    /// The model's licence: declared, else the family's from models.md; `None` when unknown.
    pub licence: Option<String>,
    /// Whether `licence` was declared (pack or `doppel.licence`) rather than the family's.
    pub licence_declared: bool,
    pub model_path: PathBuf,
    pub conventions: SwapConventions,
    pub source: IdentitySource,
    pub mask: MaskDefaults,
    pub thumbnail: Option<PathBuf>,
    /// inswapper's emap, read from the model file.
    pub emap: Option<Arc<Emap>>,
    /// The `identity.json` this came from, if any.
    pub pack: Option<PathBuf>,
}

impl Identity {
    pub fn kind(&self) -> ModelKind {
        self.conventions.kind
    }

    /// The name to show: the person's, else the model file's.
    pub fn display_name(&self) -> String {
        match &self.person {
            Some(p) => p.name.clone(),
            None => error::file_name(&self.model_path),
        }
    }

    /// The licences to surface, one line: the model's and, for swappers that need the ArcFace
    /// recogniser, its licence too.
    pub fn licence_text(&self) -> String {
        let model = match &self.licence {
            Some(l) if self.licence_declared => l.clone(),
            Some(l) => format!("{l} ({} family)", self.kind()),
            None => "not declared".to_owned(),
        };
        if matches!(self.conventions.source, SourceInput::Embedding { .. }) {
            format!(
                "model: {model}; ArcFace recogniser: {}",
                families::RECOGNISER_LICENCE
            )
        } else {
            format!("model: {model}")
        }
    }

    /// Whether Face Swap must supply source photos before this identity can swap.
    pub fn needs_source(&self) -> bool {
        self.source == IdentitySource::Missing
    }

    /// This identity with `photos` as its source (Face Swap's "Source photos" parameter, which
    /// overrides a pack's source). Refused for per-identity models and for a missing photo.
    pub fn with_photos(mut self, photos: Vec<PathBuf>) -> Result<Identity, IdentityError> {
        if !self.kind().is_generic() {
            return Err(IdentityError::source(format!(
                "{} is a {} model with its identity built in; source photos are not used",
                self.display_name(),
                self.kind()
            )));
        }
        if photos.is_empty() {
            return Err(IdentityError::source("no source photos given"));
        }
        if let Some(p) = photos.iter().find(|p| !p.is_file()) {
            return Err(IdentityError::source(format!(
                "source photo {} does not exist",
                p.display()
            )));
        }
        self.source = IdentitySource::Photos(photos);
        Ok(self)
    }
}

/// Loads what the user pointed at: a pack folder, an `identity.json`, a `.dfm` or an `.onnx`.
pub fn load_identity(path: &Path) -> Result<Identity, IdentityError> {
    if path.is_dir() {
        let json = path.join("identity.json");
        if !json.is_file() {
            return Err(IdentityError::model(
                path,
                "has no identity.json: an identity pack is a folder with identity.json, the model \
                 file and an optional thumbnail (see docs/identities.md); or pick a .dfm or \
                 .onnx file directly",
            ));
        }
        return pack::load_pack(&json);
    }
    if !path.exists() {
        return Err(IdentityError::io(path, "no such file or folder"));
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "json" => pack::load_pack(path),
        "dfm" | "onnx" => load_model_file(path),
        _ => Err(IdentityError::model(
            path,
            "is not something Face Swap can use: pick an identity pack folder, its identity.json, \
             a DeepFaceLive .dfm or an .onnx swap model",
        )),
    }
}

/// inswapper's emap from an analysed model, or why it is unusable.
pub(crate) fn emap_of(info: &ModelInfo) -> Result<Arc<Emap>, IdentityError> {
    match &info.emap {
        Some(Ok(emap)) => Ok(emap.clone()),
        Some(Err(why)) => Err(IdentityError::model(&info.path, why.clone())),
        None => Err(IdentityError::model(
            &info.path,
            "is an inswapper model without its 512×512 emap (initializer buff2fs, or the last \
             initializer); the file is incomplete or was re-exported without it",
        )),
    }
}

/// A bare `.dfm` or `.onnx`: recognised from its signature, metadata and name.
fn load_model_file(path: &Path) -> Result<Identity, IdentityError> {
    let info = analyse(path)?;
    let found = recognise(&info)?;
    let kind = found.kind;
    let converter = if kind.needs_converter() {
        Some(find_converter(path, kind)?)
    } else {
        None
    };
    let conventions = build_conventions(kind, &info, &found.declared, converter).map_err(|e| {
        IdentityError::model(
            path,
            format!(
                "recognised as a {kind} model, but its {} {}. {}",
                e.field,
                e.message,
                error::HOW_TO_DECLARE
            ),
        )
    })?;
    let emap = if kind == ModelKind::Inswapper {
        Some(emap_of(&info)?)
    } else {
        None
    };
    let declared_licence = info.metadata_value("doppel.licence").map(str::to_owned);
    if let Some(l) = &declared_licence {
        check_licence(l)
            .map_err(|m| IdentityError::model(path, format!("metadata doppel.licence {m}")))?;
    }
    let person = if kind.is_generic() {
        None
    } else {
        let name = info
            .metadata_value("doppel.person")
            .map(str::to_owned)
            .unwrap_or_else(|| {
                path.file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default()
            });
        Some(Person { name, notes: None })
    };
    let learned = conventions.learned_masks;
    Ok(Identity {
        person,
        consent: None,
        licence: declared_licence
            .clone()
            .or_else(|| kind.family_licence().map(str::to_owned)),
        licence_declared: declared_licence.is_some(),
        model_path: path.to_path_buf(),
        source: if kind.is_generic() {
            IdentitySource::Missing
        } else {
            IdentitySource::BakedIn
        },
        conventions,
        mask: MaskDefaults {
            learned,
            ..MaskDefaults::default()
        },
        thumbnail: None,
        emap,
        pack: None,
    })
}

/// The embedding converter FaceFusion ships for `kind`, next to the model file.
fn find_converter(model: &Path, kind: ModelKind) -> Result<PathBuf, IdentityError> {
    let dir = model.parent().unwrap_or(Path::new("."));
    let names = families::converter_names(kind);
    names
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            IdentityError::model(
                model,
                format!(
                    "is a {kind} model, which needs its embedding converter ({}) in the same \
                     folder ({}); put it there, or make an identity pack naming model.converter",
                    names.join(" or "),
                    dir.display()
                ),
            )
        })
}
