//! OFX names and statuses from `openfx::sys`, plus the host extensions Resolve ships.
#![allow(non_upper_case_globals)]

pub use openfx::sys::generic::core::*;
pub use openfx::sys::generic::property::*;
pub use openfx::sys::image_effect_v1::gpu_render::{
    kOfxImageEffectPropCudaEnabled, kOfxImageEffectPropMetalEnabled,
    kOfxImageEffectPropOpenCLEnabled, kOfxImageEffectPropOpenGLEnabled,
    kOfxImageEffectPropOpenGLRenderSupported,
};
pub use openfx::sys::image_effect_v1::image_effect::*;
pub use openfx::sys::image_effect_v1::memory::*;
pub use openfx::sys::image_effect_v1::message::*;
pub use openfx::sys::image_effect_v1::multi_thread::*;
pub use openfx::sys::image_effect_v1::param::*;

use std::ffi::CStr;

/// Resolve (ofxImageEffectExt.h): int 0/1 on clip instances, true while rendering a thumbnail.
/// Its string value really is spelled with the leading `k`.
pub const kOfxImageClipPropThumbnail: &CStr = c"kOfxImageClipPropThumbnail";
/// Resolve: string on the effect instance, the media file of the clip the effect sits on.
pub const kOfxImageEffectPropSrcFilePath: &CStr = c"OfxImageEffectPropSrcFilePath";
/// Resolve: int on the Render inArgs, the source media frame being rendered.
pub const kOfxImageEffectPropSrcFrame: &CStr = c"OfxImageEffectPropSrcFrame";
/// Resolve: string on the CreateInstance inArgs ("Edit", "Color" or "Fusion").
pub const kOfxImageEffectPropResolvePage: &CStr = c"OfxImageEffectPropResolvePage";
/// Prefix of the per-clip properties in GetRegionsOfInterest outArgs.
pub const ROI_PREFIX: &str = "OfxImageClipPropRoI_";
/// Prefix of the per-clip properties in GetFramesNeeded outArgs.
pub const FRAME_RANGE_PREFIX: &str = "OfxImageClipPropFrameRange_";

/// A property or action name as Rust text (all OFX names are ASCII).
pub fn n(c: &CStr) -> &str {
    c.to_str().unwrap_or("")
}

/// The symbolic name of an OFX status, for messages.
pub fn status_name(status: OfxStatus) -> &'static str {
    match status {
        kOfxStatOK => "kOfxStatOK",
        kOfxStatFailed => "kOfxStatFailed",
        kOfxStatErrFatal => "kOfxStatErrFatal",
        kOfxStatErrUnknown => "kOfxStatErrUnknown",
        kOfxStatErrMissingHostFeature => "kOfxStatErrMissingHostFeature",
        kOfxStatErrUnsupported => "kOfxStatErrUnsupported",
        kOfxStatErrExists => "kOfxStatErrExists",
        kOfxStatErrFormat => "kOfxStatErrFormat",
        kOfxStatErrMemory => "kOfxStatErrMemory",
        kOfxStatErrBadHandle => "kOfxStatErrBadHandle",
        kOfxStatErrBadIndex => "kOfxStatErrBadIndex",
        kOfxStatErrValue => "kOfxStatErrValue",
        kOfxStatReplyYes => "kOfxStatReplyYes",
        kOfxStatReplyNo => "kOfxStatReplyNo",
        kOfxStatReplyDefault => "kOfxStatReplyDefault",
        kOfxStatUnlicensed => "kOfxStatUnlicensed",
        kOfxStatErrImageFormat => "kOfxStatErrImageFormat",
        _ => "unknown status",
    }
}
