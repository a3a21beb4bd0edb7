//! The per-frame action sequence: clip preferences, RoD, RoI, frames needed, identity, Render.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::action::{self, d, i, s};
use crate::consts::*;
use crate::error::RenderFailure;
use crate::ffi::imagebuf::ImageBuf;
use crate::image::HostImage;
use crate::instance::Instance;
use crate::props::{PropertySet, Values};
use crate::registry::lock;
use crate::runtime::RenderState;

/// Row order of host images in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RowOrder {
    /// Positive row bytes, row 0 of the data is the bottom of the picture (the OFX norm).
    #[default]
    BottomUp,
    /// Negative row bytes: the data pointer is the bottom row, stored last in memory.
    TopDown,
}

/// How the host lays out every image it hands out during a render (inputs and output).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImageLayout {
    pub row_order: RowOrder,
    /// Extra bytes after each row (rounded up to whole floats).
    pub row_padding_bytes: usize,
    /// Pixel bounds origin of the input clips' images at render scale 1 (their RoD moves with it).
    pub origin: (i32, i32),
}

/// Options of one render.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderOptions {
    /// Render scale in (0, 1]: 1.0 full size, 0.5 proxy; inputs are box-filtered to it.
    pub render_scale: f64,
    pub layout: ImageLayout,
    /// A thumbnail render (Resolve: `kOfxImageClipPropThumbnail` on the clips and images without
    /// render scale or field; Generic: `OfxImageEffectPropThumbnailRender` = 1 on the inArgs).
    pub thumbnail: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            render_scale: 1.0,
            layout: ImageLayout::default(),
            thumbnail: false,
        }
    }
}

impl RenderOptions {
    /// A thumbnail render at `scale` (Resolve renders them around 1/8 to 1/16).
    pub fn thumbnail(scale: f64) -> Self {
        Self {
            render_scale: scale,
            thumbnail: true,
            ..Self::default()
        }
    }
}

pub(crate) fn failure(action: &std::ffi::CStr, status: OfxStatus) -> RenderFailure {
    RenderFailure {
        action: n(action).to_owned(),
        status,
        message: None,
    }
}

impl Instance {
    /// Renders one frame: GetClipPreferences (when needed), RoD, RoI, FramesNeeded (temporal
    /// effects), IsIdentity (copying the named clip when the plugin says so) and Render.
    pub fn render(&self, time: f64, opts: &RenderOptions) -> Result<HostImage, RenderFailure> {
        self.render_frame(time, opts, false)
    }

    /// BeginSequenceRender, the frames in the given order, EndSequenceRender.
    pub fn render_sequence(
        &self,
        times: &[f64],
        opts: &RenderOptions,
    ) -> Vec<Result<HostImage, RenderFailure>> {
        let mut out = Vec::with_capacity(times.len());
        self.render_sequence_each(times, opts, |_, r| {
            out.push(r);
            true
        });
        out
    }

    /// As [`Instance::render_sequence`], handing each frame to `f` as it is done; `f` returns
    /// false to stop early (EndSequenceRender is still sent).
    pub fn render_sequence_each(
        &self,
        times: &[f64],
        opts: &RenderOptions,
        mut f: impl FnMut(f64, Result<HostImage, RenderFailure>) -> bool,
    ) {
        let first = times.iter().copied().fold(f64::INFINITY, f64::min);
        let last = times.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let seq_args = || self.sequence_args(first, last, opts);
        let t = self.target();
        let begin = action::call(
            &t,
            kOfxImageEffectActionBeginSequenceRender,
            Some(seq_args()),
            None,
            None,
        );
        if !begin.ok_or_default() {
            let fail = self.with_message(
                failure(kOfxImageEffectActionBeginSequenceRender, begin.status),
                0,
            );
            for t in times {
                if !f(*t, Err(fail.clone())) {
                    break;
                }
            }
            return;
        }
        for time in times {
            if !f(*time, self.render_frame(*time, opts, true)) {
                break;
            }
        }
        let end = action::call(
            &t,
            kOfxImageEffectActionEndSequenceRender,
            Some(seq_args()),
            None,
            None,
        );
        if !end.ok_or_default() {
            let what = status_name(end.status);
            self.runtime
                .log
                .violation(format!("EndSequenceRender returned {what}"));
        }
    }

    fn sequence_args(&self, first: f64, last: f64, opts: &RenderOptions) -> PropertySet {
        let sc = opts.render_scale;
        let mut a = action::args(vec![
            (kOfxImageEffectPropFrameRange, d(&[first, last])),
            (kOfxImageEffectPropFrameStep, d(&[1.0])),
            (kOfxPropIsInteractive, i(&[0])),
            (kOfxImageEffectPropRenderScale, d(&[sc, sc])),
            (kOfxImageEffectPropSequentialRenderStatus, i(&[1])),
            (kOfxImageEffectPropInteractiveRenderStatus, i(&[0])),
            (kOfxImageEffectPropRenderQualityDraft, i(&[0])),
        ]);
        self.thumbnail_arg(&mut a, opts);
        a
    }

    pub(crate) fn thumbnail_arg(&self, a: &mut PropertySet, opts: &RenderOptions) {
        if self.core.profile.thumbnail_render_arg() {
            let v = Values::Int(vec![i32::from(opts.thumbnail)]);
            a.define(n(kOfxImageEffectPropThumbnailRender), v, false, true);
        }
    }

    /// Adds what the plugin said during the failing action: the persistent message, else the
    /// last error posted since message number `since`.
    fn with_message(&self, mut f: RenderFailure, since: usize) -> RenderFailure {
        let log = &self.runtime.log;
        let recent = lock(&log.messages)
            .iter()
            .skip(since)
            .rfind(|(k, _)| k == n(kOfxMessageError) || k == n(kOfxMessageFatal))
            .cloned();
        f.message = lock(&log.persistent).clone().or(recent);
        f
    }

    fn render_frame(
        &self,
        time: f64,
        opts: &RenderOptions,
        sequential: bool,
    ) -> Result<HostImage, RenderFailure> {
        let sc = opts.render_scale;
        if !(sc > 0.0 && sc <= 1.0) {
            return Err(RenderFailure::host(format!(
                "render scale {sc} is not in (0, 1]"
            )));
        }
        if self.prefs_dirty.load(Ordering::SeqCst) {
            crate::prefs::clip_preferences(self)?;
        }
        if self.core.profile.resolve_extensions() {
            crate::prefs::set_thumbnail_flag(self, opts.thumbnail);
        }
        let since = lock(&self.runtime.log.messages).len();
        let rod = self
            .region_of_definition(time, opts)
            .map_err(|f| self.with_message(f, since))?;
        let bounds = [
            (rod[0] * sc).floor() as i32,
            (rod[1] * sc).floor() as i32,
            (rod[2] * sc).ceil() as i32,
            (rod[3] * sc).ceil() as i32,
        ];
        self.regions_of_interest(time, opts, rod)
            .map_err(|f| self.with_message(f, since))?;
        let allowed = self
            .frames_needed(time, opts)
            .map_err(|f| self.with_message(f, since))?;
        if let Some(img) = self
            .identity(time, opts, bounds)
            .map_err(|f| self.with_message(f, since))?
        {
            return Ok(img);
        }
        let (w, h) = (
            (bounds[2] - bounds[0]) as usize,
            (bounds[3] - bounds[1]) as usize,
        );
        let output = Arc::new(ImageBuf::new(w, h, &opts.layout, f32::NAN));
        let state = Arc::new(RenderState {
            time,
            scale: sc,
            layout: opts.layout.clone(),
            thumbnail: opts.thumbnail,
            allowed,
            output: output.clone(),
            bounds,
            premult: crate::prefs::output_premult(self),
        });
        let mut ins = action::args(vec![
            (kOfxPropTime, d(&[time])),
            (kOfxImageEffectPropFieldToRender, s(n(kOfxImageFieldNone))),
            (kOfxImageEffectPropRenderWindow, i(&bounds)),
            (kOfxImageEffectPropRenderScale, d(&[sc, sc])),
            (
                kOfxImageEffectPropSequentialRenderStatus,
                i(&[i32::from(sequential)]),
            ),
            (kOfxImageEffectPropInteractiveRenderStatus, i(&[0])),
            (kOfxImageEffectPropRenderQualityDraft, i(&[0])),
            (kOfxImageEffectPropOpenGLEnabled, i(&[0])),
        ]);
        self.thumbnail_arg(&mut ins, opts);
        if self.core.profile.resolve_extensions() {
            ins.define(
                n(kOfxImageEffectPropSrcFrame),
                i(&[time.round() as i32]),
                false,
                true,
            );
            for gpu in [
                kOfxImageEffectPropCudaEnabled,
                kOfxImageEffectPropOpenCLEnabled,
                kOfxImageEffectPropMetalEnabled,
            ] {
                ins.define(n(gpu), i(&[0]), false, true);
            }
        }
        let reply = {
            let _serial = self.render_guard();
            action::call(
                &self.frame_target(opts),
                kOfxImageEffectActionRender,
                Some(ins),
                None,
                Some(state),
            )
        };
        if reply.status != kOfxStatOK {
            if reply.status == kOfxStatReplyDefault {
                self.runtime
                    .log
                    .violation("Render replied kOfxStatReplyDefault: Render must render");
            }
            return Err(
                self.with_message(failure(kOfxImageEffectActionRender, reply.status), since)
            );
        }
        if !output.guards_intact() {
            self.runtime.log.violation(format!(
                "Render at time {time} wrote outside the output image's pixels (guard words changed)"
            ));
        }
        self.check_blocking_message();
        Ok(output.read())
    }

    /// Holds the lock the plugin's render thread safety asks for.
    fn render_guard(&self) -> Option<std::sync::MutexGuard<'_, ()>> {
        match self.safety.as_str() {
            s if s == n(kOfxImageEffectRenderFullySafe) => None,
            s if s == n(kOfxImageEffectRenderUnsafe) => Some(lock(&self.plugin.unsafe_lock)),
            _ => Some(lock(&self.render_lock)),
        }
    }

    fn check_blocking_message(&self) {
        if !self.core.profile.error_message_blocks() {
            return;
        }
        if let Some((kind, text)) = lock(&self.runtime.log.persistent).clone() {
            if kind == n(kOfxMessageError) || kind == n(kOfxMessageFatal) {
                self.runtime.log.violation(format!(
                    "Render returned OK with the error message '{text}' set: Nuke shows the node \
                     in error and stops rendering it until the message is cleared (clear it on a \
                     good render; post a warning for a deliberate pass-through)"
                ));
            }
        }
    }
}
