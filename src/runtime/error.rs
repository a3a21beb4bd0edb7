//! `ModelError`: every failure of the runtime and of the model users, naming the file and the
//! problem in words a compositor understands.

use std::fmt;
use std::path::{Path, PathBuf};

/// What kind of problem a [`ModelError`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ModelErrorKind {
    /// The ONNX Runtime library is missing, broken, or too old.
    Runtime,
    /// The model file cannot be read (missing, permissions).
    Unreadable,
    /// The file is damaged, truncated, or not an ONNX model.
    Invalid,
    /// ONNX Runtime refused the model (unsupported operators, bad graph).
    Rejected,
    /// The model is valid but not what the caller needs (wrong inputs/outputs for its role).
    Unsupported,
    /// The inputs given to a run do not fit the model.
    Inputs,
    /// Running the model failed.
    Run,
}

/// A runtime or model failure. `Display` names the model file and says what went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError {
    path: PathBuf,
    kind: ModelErrorKind,
    message: String,
}

impl ModelError {
    /// A new error about the model at `path`.
    pub fn new(path: impl Into<PathBuf>, kind: ModelErrorKind, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            kind,
            message: message.into(),
        }
    }

    /// The model file concerned.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn kind(&self) -> ModelErrorKind {
        self.kind
    }

    /// The problem, without the file name.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.path.file_name().map_or_else(
            || self.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let what = match self.kind {
            ModelErrorKind::Runtime => "cannot run",
            ModelErrorKind::Unreadable => "cannot be read",
            ModelErrorKind::Invalid => "is not a usable ONNX model",
            ModelErrorKind::Rejected => "was refused by ONNX Runtime",
            ModelErrorKind::Unsupported => "is not supported here",
            ModelErrorKind::Inputs => "was given unsuitable inputs",
            ModelErrorKind::Run => "failed while running",
        };
        write!(
            f,
            "model '{name}' {what} ({}): {}",
            self.path.display(),
            self.message
        )
    }
}

impl std::error::Error for ModelError {}
