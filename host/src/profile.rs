//! Host profiles: which real host the test host imitates, and each one's known behaviour.

use crate::consts::*;

/// The host to imitate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HostProfile {
    /// DaVinci Resolve: optional clips always "connected" but yielding no image; message suite V2
    /// without its persistent-message functions; thumbnails flagged with `kOfxImageClipPropThumbnail`
    /// and images without render scale or field; `OfxImageEffectPropSrcFilePath`/`SrcFrame`; numeric
    /// parameters without both ranges clamped to (-1, 1) / (0, 0); paramCopy does nothing.
    Resolve,
    /// Nuke: constant `kOfxImagePropUniqueIdentifier`; XY/XYAbsolute double defaults normalised
    /// unless the plugin says otherwise; an error persistent message left set after a good render
    /// is a violation (Nuke keeps the node in error).
    Nuke,
    /// The OFX 1.5 specification, no quirks.
    Generic,
}

impl HostProfile {
    /// `kOfxPropName` of the host.
    pub fn host_name(self) -> &'static str {
        match self {
            HostProfile::Resolve => "DaVinciResolve",
            HostProfile::Nuke => "uk.co.thefoundry.nuke",
            HostProfile::Generic => "org.doppel.testhost",
        }
    }

    pub fn host_label(self) -> &'static str {
        match self {
            HostProfile::Resolve => "DaVinci Resolve",
            HostProfile::Nuke => "Nuke",
            HostProfile::Generic => "Doppel test host",
        }
    }

    pub(crate) fn host_version(self) -> &'static [i32] {
        match self {
            HostProfile::Resolve => &[19, 1, 0],
            HostProfile::Nuke => &[15, 1, 0],
            HostProfile::Generic => &[1, 0, 0],
        }
    }

    pub(crate) fn host_version_label(self) -> &'static str {
        match self {
            HostProfile::Resolve => "19.1.0",
            HostProfile::Nuke => "15.1v1",
            HostProfile::Generic => "1.0.0",
        }
    }

    /// The contexts this host offers, in the order it describes them.
    pub fn contexts(self) -> Vec<&'static str> {
        let mut v = vec![
            n(kOfxImageEffectContextFilter),
            n(kOfxImageEffectContextGeneral),
        ];
        if self != HostProfile::Nuke {
            v.push(n(kOfxImageEffectContextGenerator));
            v.push(n(kOfxImageEffectContextTransition));
        }
        v
    }

    /// Parses "resolve", "nuke" or "generic" (the CLI's `--profile`).
    pub fn parse(s: &str) -> Option<HostProfile> {
        match s.to_ascii_lowercase().as_str() {
            "resolve" | "davinciresolve" => Some(HostProfile::Resolve),
            "nuke" => Some(HostProfile::Nuke),
            "generic" => Some(HostProfile::Generic),
            _ => None,
        }
    }

    /// Unconnected clips are reported connected, and their images are null.
    pub(crate) fn clips_always_connected(self) -> bool {
        self == HostProfile::Resolve
    }

    /// GetClipPreferences outArgs list every clip (Resolve: all clips are "connected"; also what
    /// the OFX HostSupport library does), not only the connected inputs and the output (the
    /// specification's wording, which Generic and Nuke follow).
    pub(crate) fn clip_prefs_for_all_clips(self) -> bool {
        self == HostProfile::Resolve
    }

    /// Whether message suite V2 has setPersistentMessage/clearPersistentMessage.
    pub(crate) fn persistent_messages(self) -> bool {
        self != HostProfile::Resolve
    }

    pub(crate) fn constant_unique_id(self) -> bool {
        self == HostProfile::Nuke
    }

    /// Numeric parameters without both a range and a display range are clamped to (-1, 1)/(0, 0).
    pub(crate) fn clamps_unranged(self) -> bool {
        self == HostProfile::Resolve
    }

    /// XY and XYAbsolute doubles default to normalised coordinates unless the plugin sets the
    /// coordinate system.
    pub(crate) fn xy_defaults_normalised(self) -> bool {
        self == HostProfile::Nuke
    }

    /// An error persistent message still set after a successful render is a violation.
    pub(crate) fn error_message_blocks(self) -> bool {
        self == HostProfile::Nuke
    }

    pub(crate) fn param_copy_works(self) -> bool {
        self != HostProfile::Resolve
    }

    /// Resolve's extra properties: thumbnail clip flag, source file path and frame.
    pub(crate) fn resolve_extensions(self) -> bool {
        self == HostProfile::Resolve
    }

    /// The standard OFX 1.5.1 `kOfxImageEffectPropThumbnailRender` on action inArgs.
    pub(crate) fn thumbnail_render_arg(self) -> bool {
        self == HostProfile::Generic
    }

    /// `kOfxPropType` of effect instances (Resolve answers the descriptor's type).
    pub(crate) fn instance_type(self) -> &'static str {
        match self {
            HostProfile::Resolve => n(kOfxTypeImageEffect),
            _ => n(kOfxTypeImageEffectInstance),
        }
    }
}

/// The full OFX name of a context given as "filter", "general"... or already in full.
pub fn context_name(context: &str) -> String {
    if context.starts_with("OfxImageEffectContext") {
        return context.to_owned();
    }
    let mut c = context.chars();
    match c.next() {
        Some(first) => format!(
            "OfxImageEffectContext{}{}",
            first.to_ascii_uppercase(),
            c.as_str().to_ascii_lowercase()
        ),
        None => String::new(),
    }
}
