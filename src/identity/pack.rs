//! Doppel identity packs: `identity.json` checked value by value (each error names the file and
//! the field) and turned into an [`Identity`], the model's conventions resolved against the file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::conventions::ModelKind;
use super::embedding::{read_embedding_file, EMBEDDING_LEN};
use super::error::IdentityError;
use super::model_info::analyse;
use super::recognise::{metadata_declared, Declared};
use super::resolve::build_conventions;
use super::schema::{parse_pack_text, ConsentKind, Doc, EmbeddingSpec, PackFile};
use super::{Identity, IdentitySource, MaskDefaults};
use crate::face::Template;

const IMAGE_EXTENSIONS: [&str; 3] = ["png", "jpg", "jpeg"];

fn has_image_extension(name: &str) -> bool {
    Path::new(name)
        .extension()
        .is_some_and(|e| IMAGE_EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// Loads the pack whose `identity.json` is `file`.
pub fn load_pack(file: &Path) -> Result<Identity, IdentityError> {
    let text = std::fs::read_to_string(file).map_err(|e| IdentityError::io(file, e))?;
    let pack = parse_pack_text(file, &text)?;
    let doc = Doc {
        file: file.to_path_buf(),
        text: &text,
    };
    let dir = file.parent().unwrap_or(Path::new(".")).to_path_buf();
    Checker { doc, dir }.identity(pack)
}

struct Checker<'a> {
    doc: Doc<'a>,
    dir: PathBuf,
}

impl Checker<'_> {
    fn error(&self, field: &str, message: impl Into<String>) -> IdentityError {
        self.doc.error(field, message)
    }

    /// `name` resolved against the pack folder; it must exist.
    fn existing(&self, field: &str, name: &str) -> Result<PathBuf, IdentityError> {
        if name.trim().is_empty() {
            return Err(self.error(field, "must name a file, got an empty string"));
        }
        let path = self.dir.join(name);
        if !path.is_file() {
            return Err(IdentityError::MissingFile {
                file: self.doc.file.clone(),
                field: field.to_owned(),
                name: name.to_owned(),
                dir: self.dir.clone(),
            });
        }
        Ok(path)
    }

    fn identity(&self, pack: PackFile) -> Result<Identity, IdentityError> {
        if pack.person.name.trim().is_empty() {
            return Err(self.error("person.name", "must not be empty"));
        }
        let c = &pack.consent;
        let documented = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.trim().is_empty());
        if matches!(c.kind, ConsentKind::SignedRelease | ConsentKind::Licensed)
            && !documented(&c.reference)
            && !documented(&c.note)
        {
            return Err(self.error(
                "consent.reference",
                format!(
                    "is required when consent.kind is {} (where the {} is kept: a document id, \
                     contract number or URL)",
                    c.kind.name(),
                    if c.kind == ConsentKind::Licensed {
                        "licence"
                    } else {
                        "signed release"
                    }
                ),
            ));
        }
        let kind = pack.model.kind;
        if let Some(l) = &pack.licence {
            check_licence(l).map_err(|m| self.error("licence", m))?;
        } else if !kind.is_generic() {
            return Err(self.error(
                "licence",
                format!(
                    "is required for a {kind} model: the licence of the model file, an SPDX \
                     identifier such as CC-BY-4.0 or LicenseRef-<name>"
                ),
            ));
        }

        let m = &pack.model;
        let model_path = self.existing("model.file", &m.file)?;
        let template = match &m.template {
            Some(t) => Some(
                t.parse::<Template>()
                    .map_err(|e| self.error("model.template", format!("is not valid: {e}")))?,
            ),
            None => None,
        };
        let crop_size = match m.crop_size {
            Some(c) if !(c >= 8.0 && c.fract() == 0.0 && c % 8.0 == 0.0) => {
                return Err(self.error(
                    "model.crop_size",
                    format!("must be a positive multiple of 8, got {c}"),
                ))
            }
            Some(c) if c > 4096.0 => {
                return Err(self.error("model.crop_size", format!("must be at most 4096, got {c}")))
            }
            Some(c) => Some(c as usize),
            None => None,
        };
        let converter = match &m.converter {
            Some(_) if !kind.needs_converter() => {
                return Err(self.error(
                    "model.converter",
                    format!("is only used by simswap, ghost and hififace models, not {kind}"),
                ))
            }
            Some(name) => Some(self.existing("model.converter", name)?),
            None => None,
        };
        let morph = match m.morph {
            Some(_) if kind.is_generic() => {
                return Err(self.error(
                    "model.morph",
                    format!("is only used by dfm and per_identity models, not {kind}"),
                ))
            }
            Some(v) if !(0.0..=1.0).contains(&v) => {
                return Err(self.error("model.morph", format!("must be between 0 and 1, got {v}")))
            }
            v => v.map(|v| v as f32),
        };

        let info = analyse(&model_path)?;
        let (meta, _) = metadata_declared(&info)?;
        let declared = Declared {
            template,
            crop_size,
            layout: m.layout,
            channels: m.channels,
            normalisation: m.normalisation,
            output_range: m.output_range,
            morph,
        }
        .or(meta);
        let conventions = build_conventions(kind, &info, &declared, converter).map_err(|e| {
            let field = format!("model.{}", e.field);
            let message = if e.field == "file" {
                format!("{} {}", m.file, e.message)
            } else {
                e.message
            };
            self.error(&field, message)
        })?;
        let emap = if kind == ModelKind::Inswapper {
            Some(super::emap_of(&info)?)
        } else {
            None
        };

        let source = self.source(&pack, kind)?;
        let mask = self.mask(&pack, conventions.learned_masks, &m.file)?;
        let thumbnail = match &pack.thumbnail {
            Some(name) if !has_image_extension(name) => {
                return Err(self.error(
                    "thumbnail",
                    format!("must be a .png or .jpg image, got {name}"),
                ))
            }
            Some(name) => Some(self.existing("thumbnail", name)?),
            None => None,
        };
        let licence = pack
            .licence
            .clone()
            .or_else(|| kind.family_licence().map(str::to_owned));
        Ok(Identity {
            person: Some(pack.person),
            consent: Some(pack.consent),
            licence,
            licence_declared: pack.licence.is_some(),
            model_path,
            conventions,
            source,
            mask,
            thumbnail,
            emap,
            pack: Some(self.doc.file.clone()),
        })
    }

    fn source(&self, pack: &PackFile, kind: ModelKind) -> Result<IdentitySource, IdentityError> {
        let Some(s) = &pack.source else {
            return Ok(if kind.is_generic() {
                IdentitySource::Missing
            } else {
                IdentitySource::BakedIn
            });
        };
        if !kind.is_generic() {
            return Err(self.error(
                "source",
                format!(
                    "is only used by generic swappers; a {kind} model carries its identity in \
                     its weights"
                ),
            ));
        }
        match (&s.embedding, &s.photos) {
            (Some(_), Some(_)) => {
                Err(self.error("source", "must give either embedding or photos, not both"))
            }
            (None, None) => Err(self.error("source", "must give embedding or photos")),
            (Some(_), None) if kind.takes_source_image() => Err(self.error(
                "source.embedding",
                format!(
                    "cannot drive a {kind} model, which takes an image of the source face: \
                     give source.photos"
                ),
            )),
            (Some(EmbeddingSpec::Values(v)), None) => self.inline_embedding(v),
            (Some(EmbeddingSpec::File(name)), None) => {
                let path = self.existing("source.embedding", name)?;
                let v = read_embedding_file(&path)
                    .map_err(|e| self.error("source.embedding", format!("cannot be used: {e}")))?;
                Ok(IdentitySource::Embedding(Arc::new(v)))
            }
            (None, Some(photos)) => self.photos(photos),
        }
    }

    fn inline_embedding(&self, v: &[f64]) -> Result<IdentitySource, IdentityError> {
        if v.len() != EMBEDDING_LEN {
            let message = format!("must hold {EMBEDDING_LEN} numbers, got {}", v.len());
            return Err(self.error("source.embedding", message));
        }
        let too_big = |x: &f64| !x.is_finite() || x.abs() > f64::from(f32::MAX);
        if let Some(i) = v.iter().position(too_big) {
            let field = format!("source.embedding[{i}]");
            return Err(self.error(&field, "must be a finite number"));
        }
        let values = v.iter().map(|&x| x as f32).collect();
        Ok(IdentitySource::Embedding(Arc::new(values)))
    }

    fn photos(&self, photos: &[String]) -> Result<IdentitySource, IdentityError> {
        if photos.is_empty() {
            return Err(self.error("source.photos", "must list at least one photo"));
        }
        let mut paths = Vec::with_capacity(photos.len());
        for (i, name) in photos.iter().enumerate() {
            let field = format!("source.photos[{i}]");
            if !has_image_extension(name) {
                let message = format!("must be a .png or .jpg image, got {name}");
                return Err(self.error(&field, message));
            }
            paths.push(self.existing(&field, name)?);
        }
        Ok(IdentitySource::Photos(paths))
    }

    fn mask(
        &self,
        pack: &PackFile,
        has_learned: bool,
        model: &str,
    ) -> Result<MaskDefaults, IdentityError> {
        let mut mask = MaskDefaults {
            learned: has_learned,
            ..MaskDefaults::default()
        };
        let Some(m) = &pack.mask else { return Ok(mask) };
        if let Some(b) = m.blur {
            if !(0.0..=1.0).contains(&b) {
                return Err(self.error("mask.blur", format!("must be between 0 and 1, got {b}")));
            }
            mask.blur = b as f32;
        }
        if let Some(p) = &m.padding {
            if p.len() != 4 {
                return Err(self.error(
                    "mask.padding",
                    format!(
                        "must be 4 percentages [top, right, bottom, left], got {} values",
                        p.len()
                    ),
                ));
            }
            for (i, v) in p.iter().enumerate() {
                if !(0.0..=100.0).contains(v) {
                    return Err(self.error(
                        &format!("mask.padding[{i}]"),
                        format!("must be a percentage between 0 and 100, got {v}"),
                    ));
                }
                mask.padding[i] = *v as f32;
            }
        }
        if let Some(o) = m.occlusion {
            mask.occlusion = o;
        }
        if let Some(l) = m.learned {
            if l && !has_learned {
                return Err(self.error(
                    "mask.learned",
                    format!("is true but {model} has no mask outputs"),
                ));
            }
            mask.learned = l;
        }
        Ok(mask)
    }
}

/// An SPDX-like licence: an identifier or expression (`MIT OR Apache-2.0`), `LicenseRef-...`, or
/// a short name such as `Non-commercial`.
pub fn check_licence(l: &str) -> Result<(), String> {
    let t = l.trim();
    if t.is_empty() {
        return Err("must not be empty (an SPDX identifier such as CC0-1.0)".to_owned());
    }
    if t.len() > 200 {
        return Err(format!(
            "is {} characters long; give an SPDX identifier, at most 200",
            t.len()
        ));
    }
    if let Some(c) = t
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || " .-+():_/".contains(*c)))
    {
        return Err(format!(
            "must be an SPDX-like identifier such as CC0-1.0, MIT OR Apache-2.0 or \
             LicenseRef-<name>; {c:?} is not allowed in {t:?}"
        ));
    }
    Ok(())
}
