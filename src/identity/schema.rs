//! The `identity.json` schema, `doppel.identity/1`, as serde types, and its parsing with errors
//! that name the field (`model.crop_size`) and, when unambiguous, the line.
//!
//! Parsing goes JSON text → `serde_json::Value` (syntax errors with line and column) → each
//! field deserialised on its own (type errors name the field) → unknown fields refused (keys
//! starting with `x-` are extensions, ignored). Semantic checks are in `pack.rs`.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::conventions::{ChannelOrder, Layout, ModelKind, Normalisation, OutputRange};
use super::error::IdentityError;

/// The schema identifier this Doppel reads and writes.
pub const SCHEMA: &str = "doppel.identity/1";

/// The whole `identity.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackFile {
    pub schema: String,
    pub person: Person,
    pub consent: Consent,
    /// SPDX-like licence of the model (`CC0-1.0`, `LicenseRef-...`, `Non-commercial`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    pub model: ModelSection,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceSection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mask: Option<MaskSection>,
    /// A PNG or JPEG next to `identity.json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<String>,
}

/// Who the identity is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// On what grounds the likeness may be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub kind: ConsentKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Where the release or licence is kept (document id, contract number, URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentKind {
    /// The person made the pack of themselves.
    #[serde(rename = "self")]
    SelfConsent,
    /// A signed release from the person.
    SignedRelease,
    /// A licence for the likeness (stock, agency).
    Licensed,
    /// Not a real person.
    Synthetic,
    PublicDomain,
}

impl ConsentKind {
    pub fn name(self) -> &'static str {
        match self {
            ConsentKind::SelfConsent => "self",
            ConsentKind::SignedRelease => "signed_release",
            ConsentKind::Licensed => "licensed",
            ConsentKind::Synthetic => "synthetic",
            ConsentKind::PublicDomain => "public_domain",
        }
    }
}

/// The model file and its conventions; what is left out comes from the family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSection {
    pub file: String,
    pub kind: ModelKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crop_size: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<Layout>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<ChannelOrder>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalisation: Option<Normalisation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_range: Option<OutputRange>,
    /// The embedding converter (simswap, ghost, hififace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub converter: Option<String>,
    /// DFM / AMP morph value, 0..1 (default 0.75).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub morph: Option<f64>,
}

/// A stored embedding: 512 numbers inline, or a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EmbeddingSpec {
    Values(Vec<f64>),
    File(String),
}

/// The identity of a generic swapper.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceSection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedding: Option<EmbeddingSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photos: Option<Vec<String>>,
}

/// Default paste-mask settings for this identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MaskSection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blur: Option<f64>,
    /// Top, right, bottom, left, in percent of the crop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub padding: Option<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occlusion: Option<bool>,
    /// Use the model's own masks (DFM, exports with mask outputs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learned: Option<bool>,
}

/// Reads `identity.json`'s text and the field paths in it, for precise errors.
pub(crate) struct Doc<'a> {
    pub file: PathBuf,
    pub text: &'a str,
}

impl Doc<'_> {
    /// A schema error at `field`; the line is found when the key's last component appears
    /// exactly once in the text.
    pub fn error(&self, field: &str, message: impl Into<String>) -> IdentityError {
        let key = field.rsplit('.').next().unwrap_or(field);
        let key = key.split('[').next().unwrap_or(key);
        let quoted = format!("\"{key}\"");
        let mut hits = self.text.match_indices(&quoted);
        let line = match (hits.next(), hits.next()) {
            (Some((at, _)), None) => Some(self.text[..at].matches('\n').count() + 1),
            _ => None,
        };
        IdentityError::Schema {
            file: self.file.clone(),
            field: field.to_owned(),
            message: message.into(),
            line,
        }
    }
}

/// serde_json's message without its trailing " at line L column C".
fn bare_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// Deserialises each listed field of `obj` on its own and refuses unknown ones.
fn section<T: DeserializeOwned>(
    doc: &Doc<'_>,
    path: &str,
    value: &Value,
    known: &[&str],
) -> Result<T, IdentityError> {
    let here = |f: &str| {
        if path.is_empty() {
            f.to_owned()
        } else {
            format!("{path}.{f}")
        }
    };
    let obj: &Map<String, Value> = value.as_object().ok_or_else(|| {
        doc.error(
            if path.is_empty() { "(top level)" } else { path },
            format!("must be an object, got {}", kind_of(value)),
        )
    })?;
    let mut clean = Map::new();
    for (k, v) in obj {
        if k.starts_with("x-") {
            continue;
        }
        if !known.contains(&k.as_str()) {
            return Err(doc.error(
                &here(k),
                format!("is not a known field (known: {})", known.join(", ")),
            ));
        }
        clean.insert(k.clone(), v.clone());
    }
    // Per field first, so a type error names its field.
    for (k, v) in &clean {
        if v.is_null() {
            return Err(doc.error(&here(k), "must not be null (leave the field out instead)"));
        }
    }
    serde_json::from_value(Value::Object(clean.clone())).map_err(|e| {
        let msg = bare_message(&e);
        // "missing field `x`" names the field itself.
        if let Some(name) = msg
            .strip_prefix("missing field `")
            .and_then(|s| s.strip_suffix('`'))
        {
            return doc.error(&here(name), "is required");
        }
        // A type error does not name its field: the culprit is the key whose removal changes
        // the error (serde stops at the first bad field; removing a good one changes nothing).
        let culprit = clean.keys().find(|k| {
            let mut without = clean.clone();
            without.remove(k.as_str());
            serde_json::from_value::<T>(Value::Object(without))
                .map_err(|e| bare_message(&e))
                .err()
                != Some(msg.clone())
        });
        match culprit {
            Some(k) => doc.error(&here(k), describe_type_error(&msg, &clean[k])),
            None => doc.error(if path.is_empty() { "(top level)" } else { path }, msg),
        }
    })
}

fn describe_type_error(msg: &str, value: &Value) -> String {
    format!(
        "has the wrong type or value ({msg}); got {}",
        compact(value)
    )
}

fn compact(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    }
}

pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

const TOP: [&str; 8] = [
    "schema",
    "person",
    "consent",
    "licence",
    "model",
    "source",
    "mask",
    "thumbnail",
];
const PERSON: [&str; 2] = ["name", "notes"];
const CONSENT: [&str; 3] = ["kind", "note", "reference"];
const MODEL: [&str; 10] = [
    "file",
    "kind",
    "template",
    "crop_size",
    "layout",
    "channels",
    "normalisation",
    "output_range",
    "converter",
    "morph",
];
const SOURCE: [&str; 2] = ["embedding", "photos"];
const MASK: [&str; 4] = ["blur", "padding", "occlusion", "learned"];

/// Parses `identity.json` text into a [`PackFile`]: JSON syntax, the schema version, field
/// names and types. Values are checked by the caller.
pub fn parse_pack_text(file: &Path, text: &str) -> Result<PackFile, IdentityError> {
    let doc = Doc {
        file: file.to_path_buf(),
        text,
    };
    let root: Value = serde_json::from_str(text).map_err(|e| IdentityError::Json {
        file: file.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: bare_message(&e),
    })?;
    let obj = root.as_object().ok_or_else(|| {
        doc.error(
            "(top level)",
            format!("must be a JSON object, got {}", kind_of(&root)),
        )
    })?;
    let schema_error = match obj.get("schema") {
        Some(Value::String(s)) if s == SCHEMA => None,
        None => Some(format!(
            "is missing; an identity pack starts with \"schema\": \"{SCHEMA}\""
        )),
        Some(Value::String(s)) if s.starts_with("doppel.identity/") => Some(format!(
            "is {s:?}, a version this Doppel does not know (it reads {SCHEMA}); update Doppel \
             or write the pack as {SCHEMA}"
        )),
        Some(other) => Some(format!(
            "is {}, not a Doppel identity schema (expected \"{SCHEMA}\")",
            compact(other)
        )),
    };
    if let Some(message) = schema_error {
        return Err(doc.error("schema", message));
    }
    let sub = |name: &str| obj.get(name);
    let mut top = obj.clone();
    for name in ["person", "consent", "model", "source", "mask"] {
        top.remove(name);
    }
    // Top-level scalars and unknown keys.
    #[derive(Deserialize)]
    struct Top {
        #[allow(dead_code)]
        schema: String,
        licence: Option<String>,
        thumbnail: Option<String>,
    }
    let known_top: Vec<&str> = TOP.to_vec();
    for k in obj.keys() {
        if !k.starts_with("x-") && !known_top.contains(&k.as_str()) {
            return Err(doc.error(
                k,
                format!("is not a known field (known: {})", TOP.join(", ")),
            ));
        }
    }
    let top: Top = section(
        &doc,
        "",
        &Value::Object(top),
        &["schema", "licence", "thumbnail"],
    )?;
    let required = |name: &str| sub(name).ok_or_else(|| doc.error(name, "is required"));
    Ok(PackFile {
        schema: SCHEMA.to_owned(),
        person: section(&doc, "person", required("person")?, &PERSON)?,
        consent: section(&doc, "consent", required("consent")?, &CONSENT)?,
        licence: top.licence,
        model: section(&doc, "model", required("model")?, &MODEL)?,
        source: sub("source")
            .map(|v| section(&doc, "source", v, &SOURCE))
            .transpose()?,
        mask: sub("mask")
            .map(|v| section(&doc, "mask", v, &MASK))
            .transpose()?,
        thumbnail: top.thumbnail,
    })
}
