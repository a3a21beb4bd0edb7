//! Errors of the host API: host-level failures and failed renders.

use std::fmt;

use crate::consts::status_name;

/// A failure of the host itself or of an action it cannot go on without (Load, Describe,
/// CreateInstance), or a misuse of the host API.
#[derive(Debug, Clone, PartialEq)]
pub enum HostError {
    /// The bundle could not be found or opened, or an entry point is missing or misbehaved.
    Bundle(String),
    /// No plugin with this identifier in the bundle.
    NoSuchPlugin(String),
    /// An action answered a status that stops the host.
    Action {
        action: String,
        status: i32,
        message: Option<String>,
    },
    /// The request does not fit what the plugin declared (unknown clip, param, context...).
    Invalid(String),
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostError::Bundle(s) => write!(f, "bundle: {s}"),
            HostError::NoSuchPlugin(id) => write!(f, "no plugin '{id}' in the bundle"),
            HostError::Action {
                action,
                status,
                message,
            } => {
                write!(f, "{action} returned {}", status_name(*status))?;
                if let Some(m) = message {
                    write!(f, ": {m}")?;
                }
                Ok(())
            }
            HostError::Invalid(s) => write!(f, "{s}"),
        }
    }
}

impl std::error::Error for HostError {}

/// A frame that did not render: the status of the failing action and what the plugin said.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderFailure {
    /// The failing action, e.g. `OfxImageEffectActionRender`.
    pub action: String,
    /// Its OFX status.
    pub status: i32,
    /// The persistent message, or (hosts without persistent messages, like the Resolve profile)
    /// the last error message posted during the failing action: (type, text).
    pub message: Option<(String, String)>,
}

impl RenderFailure {
    pub fn status_name(&self) -> &'static str {
        status_name(self.status)
    }

    pub(crate) fn host(text: impl Into<String>) -> Self {
        RenderFailure {
            action: "host".into(),
            status: crate::consts::kOfxStatFailed,
            message: Some(("OfxMessageError".into(), text.into())),
        }
    }
}

impl fmt::Display for RenderFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} returned {}", self.action, self.status_name())?;
        if let Some((_, text)) = &self.message {
            write!(f, ": {text}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RenderFailure {}
