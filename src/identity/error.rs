//! `IdentityError`: everything that can go wrong turning a user's file into an [`Identity`],
//! with messages that name the file, the field and what to do.
//!
//! [`Identity`]: super::Identity

use std::fmt;
use std::path::{Path, PathBuf};

use crate::onnx::OnnxError;
use crate::runtime::ModelError;

/// Why an identity could not be loaded or its source prepared.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum IdentityError {
    /// A file could not be read (or a folder listed).
    Io { path: PathBuf, message: String },
    /// `identity.json` is not valid JSON.
    Json {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// `identity.json` is valid JSON that breaks the schema; `field` is a dotted path
    /// (`model.crop_size`), `line` where the field's key appears, when that is unambiguous.
    Schema {
        file: PathBuf,
        field: String,
        message: String,
        line: Option<usize>,
    },
    /// A file named by the pack does not exist.
    MissingFile {
        file: PathBuf,
        field: String,
        name: String,
        dir: PathBuf,
    },
    /// The model file is not a readable ONNX model.
    Onnx { path: PathBuf, error: OnnxError },
    /// A model Doppel cannot recognise; `found` describes its inputs and outputs.
    Unrecognised { path: PathBuf, found: String },
    /// A model that does not fit what was declared or detected about it.
    Model { path: PathBuf, message: String },
    /// The identity source (embedding, photos) is unusable.
    Source { message: String },
    /// A model failed to load or run (recogniser, converter, detector).
    Runtime(ModelError),
}

/// The last path component, or the whole path when it has none.
pub(crate) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// How to declare conventions for a model Doppel does not recognise (used in messages).
pub const HOW_TO_DECLARE: &str = "declare its conventions in an identity pack (a folder with \
     identity.json naming model.kind, template, crop_size, layout, channels, normalisation and \
     output_range; see docs/identities.md) or in the model's metadata_props (doppel.template, \
     doppel.crop_size, doppel.layout, doppel.channels, doppel.normalisation, doppel.output_range)";

impl IdentityError {
    pub(crate) fn io(path: &Path, e: impl fmt::Display) -> Self {
        IdentityError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }

    pub(crate) fn model(path: &Path, message: impl Into<String>) -> Self {
        IdentityError::Model {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    pub(crate) fn source(message: impl Into<String>) -> Self {
        IdentityError::Source {
            message: message.into(),
        }
    }

    /// The dotted field path of a schema or missing-file error.
    pub fn field(&self) -> Option<&str> {
        match self {
            IdentityError::Schema { field, .. } | IdentityError::MissingFile { field, .. } => {
                Some(field)
            }
            _ => None,
        }
    }

    /// The file the error is about.
    pub fn path(&self) -> Option<&Path> {
        match self {
            IdentityError::Io { path, .. }
            | IdentityError::Onnx { path, .. }
            | IdentityError::Unrecognised { path, .. }
            | IdentityError::Model { path, .. } => Some(path),
            IdentityError::Runtime(e) => Some(e.path()),
            IdentityError::Json { file, .. }
            | IdentityError::Schema { file, .. }
            | IdentityError::MissingFile { file, .. } => Some(file),
            IdentityError::Source { .. } => None,
        }
    }
}

impl fmt::Display for IdentityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdentityError::Io { path, message } => {
                write!(f, "cannot read {}: {message}", path.display())
            }
            IdentityError::Json {
                file,
                line,
                column,
                message,
            } => write!(
                f,
                "{}: invalid JSON at line {line}, column {column}: {message}",
                file_name(file)
            ),
            IdentityError::Schema {
                file,
                field,
                message,
                line,
            } => {
                write!(f, "{}: {field} {message}", file_name(file))?;
                if let Some(line) = line {
                    write!(f, " (line {line})")?;
                }
                Ok(())
            }
            IdentityError::MissingFile {
                file,
                field,
                name,
                dir,
            } => {
                let what = match field.as_str() {
                    "model.file" => "model file".to_owned(),
                    "model.converter" => "converter file".to_owned(),
                    "thumbnail" => "thumbnail".to_owned(),
                    other => format!("{other} file"),
                };
                write!(
                    f,
                    "{}: {what} {name} is missing in {}",
                    file_name(file),
                    dir.display()
                )
            }
            IdentityError::Onnx { path, error } => write!(f, "{}: {error}", path.display()),
            IdentityError::Unrecognised { path, found } => write!(
                f,
                "{}: not a face-swap model Doppel recognises. It has {found}. To use it, \
                 {HOW_TO_DECLARE}",
                path.display()
            ),
            IdentityError::Model { path, message } => write!(f, "{}: {message}", path.display()),
            IdentityError::Source { message } => f.write_str(message),
            IdentityError::Runtime(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for IdentityError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            IdentityError::Onnx { error, .. } => Some(error),
            IdentityError::Runtime(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ModelError> for IdentityError {
    fn from(e: ModelError) -> Self {
        IdentityError::Runtime(e)
    }
}
