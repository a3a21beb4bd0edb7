//! The effects Doppel registers, each declared as data plus a few lifecycle methods.
//!
//! Nothing here knows about OFX handles: the OFX layer gathers parameter values and images,
//! calls [`Effect::render`] and writes the returned frame back.

pub mod decl;
pub mod face_blend;
mod face_blend_matte;
pub mod face_swap;
pub mod temporal;

use std::fmt;

pub use decl::{
    ClipDecl, Context, DoubleKind, EffectDecl, ParamDecl, ParamKind, ParamValue, ParamValues,
    PointKind, Range,
};

use crate::frame::Patch;
use crate::Frame;

/// What a render produced, in Source's placement.
#[derive(Debug, Clone, PartialEq)]
pub enum Rendered {
    /// A whole new frame.
    Frame(Frame),
    /// The Source with these patches applied in order: effects that change a small part of the
    /// frame (a face) never copy the rest.
    Patches(Vec<Patch>),
}

impl Rendered {
    /// The output as a whole frame, given the Source it was rendered from.
    pub fn into_frame(self, source: &Frame) -> Frame {
        match self {
            Rendered::Frame(frame) => frame,
            Rendered::Patches(patches) => {
                let mut out = source.clone();
                patches.iter().for_each(|p| p.apply(&mut out));
                out
            }
        }
    }
}

/// Where a frame's pixels sit in the host's coordinate system.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// Pixel bounds at the render scale, OFX convention (y up, x2/y2 exclusive).
    pub bounds: [i32; 4],
    pub render_scale: (f64, f64),
    pub pixel_aspect: f64,
}

impl Placement {
    /// A placement at full scale whose bounds start at the origin.
    pub fn full(width: usize, height: usize) -> Self {
        Self {
            bounds: [0, 0, width as i32, height as i32],
            render_scale: (1.0, 1.0),
            pixel_aspect: 1.0,
        }
    }

    pub fn width(&self) -> usize {
        (self.bounds[2] - self.bounds[0]).max(0) as usize
    }

    pub fn height(&self) -> usize {
        (self.bounds[3] - self.bounds[1]).max(0) as usize
    }

    /// Canonical coordinates (y up, project pixels) to frame coordinates (y down, this frame's pixels).
    pub fn canonical_to_frame(&self, (x, y): (f64, f64)) -> (f32, f32) {
        let px = x * self.render_scale.0 / self.pixel_aspect;
        let py = y * self.render_scale.1;
        (
            (px - f64::from(self.bounds[0])) as f32,
            (f64::from(self.bounds[3]) - py) as f32,
        )
    }

    /// A horizontal canonical length in this frame's pixels.
    pub fn canonical_width(&self, length: f64) -> f32 {
        (length * self.render_scale.0 / self.pixel_aspect) as f32
    }

    /// A vertical canonical length in this frame's pixels.
    pub fn canonical_height(&self, length: f64) -> f32 {
        (length * self.render_scale.1) as f32
    }
}

/// A clip's image at one time, converted to a plain frame.
#[derive(Debug, Clone)]
pub struct InputFrame {
    pub frame: Frame,
    pub placement: Placement,
}

/// A user-facing failure: shown in the host, with the Source frame passed through untouched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectError(pub String);

impl fmt::Display for EffectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EffectError {}

/// What a render is asked for, besides the images.
#[derive(Debug, Clone)]
pub struct RenderRequest {
    pub time: f64,
    pub params: ParamValues,
    pub render_scale: (f64, f64),
    /// A host thumbnail: small, and never worth temporal work.
    pub thumbnail: bool,
}

/// A clip's image identified by its content, with its pixels only when they were wanted.
#[derive(Debug, Clone)]
pub struct Identified {
    pub placement: Placement,
    /// [`crate::temporal::content_hash`] of the image.
    pub content: u64,
    pub frame: Option<Frame>,
}

/// Fetches other clips' images during a render; each image is copied and released at once.
pub trait ClipFetch {
    /// The clip's image at `time`, or `None` when the clip is unconnected or yields no image.
    fn fetch(&mut self, clip: &str, time: f64) -> Result<Option<InputFrame>, EffectError>;

    /// The clip's image at `time` identified by content; its pixels are copied only when
    /// `wants_pixels(content, placement)` says so. Temporal effects read a dozen neighbours a
    /// render and usually need only their identity (their analysis is cached), so hosts'
    /// implementations hash the image in place.
    fn fetch_identified(
        &mut self,
        clip: &str,
        time: f64,
        wants_pixels: &mut dyn FnMut(u64, &Placement) -> bool,
    ) -> Result<Option<Identified>, EffectError> {
        Ok(self.fetch(clip, time)?.map(|input| {
            let content = crate::temporal::content_hash(&input.frame);
            let wanted = wants_pixels(content, &input.placement);
            Identified {
                placement: input.placement,
                content,
                frame: wanted.then_some(input.frame),
            }
        }))
    }
}

/// One effect: its declaration and the few lifecycle methods hosts drive.
pub trait Effect: Send + Sync + 'static {
    fn declaration() -> &'static EffectDecl
    where
        Self: Sized;

    /// A new instance; cheap, since hosts create and destroy instances freely.
    fn create() -> Self
    where
        Self: Sized;

    /// The clip that the output equals at these settings, if any (lets the host skip the render).
    fn identity_clip(&self, _params: &ParamValues) -> Option<&'static str> {
        None
    }

    /// The Source frames (inclusive range) a render at `time` reads through [`ClipFetch`];
    /// `None` = only `time`. Hosts are told in GetFramesNeeded and refuse other frames.
    fn frames_needed(&self, _time: f64, _params: &ParamValues) -> Option<(f64, f64)> {
        None
    }

    /// Renders the output in Source's placement.
    fn render(
        &self,
        source: &InputFrame,
        request: &RenderRequest,
        clips: &mut dyn ClipFetch,
    ) -> Result<Rendered, EffectError>;

    /// A user edited `param`: returns parameter values the effect sets in reply (labels that
    /// describe the chosen model, say). Hosts only accept such writes during this action.
    fn changed(&self, _param: &str, _params: &ParamValues) -> Vec<(&'static str, ParamValue)> {
        Vec::new()
    }

    /// Drops any memory the instance holds that can be rebuilt.
    fn purge_caches(&self) {}
}
