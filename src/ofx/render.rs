//! The Render and IsIdentity actions: gather parameters and images, call the effect, write back.

use std::ffi::CStr;

use openfx::sys::generic::core::*;
use openfx::sys::image_effect_v1::image_effect::*;

use super::image::{fetch_input, Clip};
use super::instance::{self, Instance};
use super::message::{self, Severity};
use super::props::PropSet;
use super::sequence::SequenceMemo;
use super::suites::Suites;
use super::OfxError;
use crate::effects::{
    ClipFetch, Effect, EffectError, Identified, InputFrame, Placement, RenderRequest, Rendered,
};
use crate::Frame;

const SOURCE: &str = "Source";
const OUTPUT: &str = "Output";

/// Lets the effect pull other clips; each image is copied and released at once.
struct HostClips<'a> {
    suites: &'a Suites,
    effect: OfxImageEffectHandle,
    memo: &'a SequenceMemo,
}

impl ClipFetch for HostClips<'_> {
    fn fetch(&mut self, clip: &str, time: f64) -> Result<Option<InputFrame>, EffectError> {
        let Some(handle) = Clip::get(self.suites, self.effect, clip).map_err(to_effect_error)?
        else {
            return Ok(None);
        };
        if !handle.connected() {
            return Ok(None);
        }
        fetch_input(self.suites, &handle, time).map_err(to_effect_error)
    }

    fn fetch_identified(
        &mut self,
        clip: &str,
        time: f64,
        wants_pixels: &mut dyn FnMut(u64, &Placement) -> bool,
    ) -> Result<Option<Identified>, EffectError> {
        let Some(handle) = Clip::get(self.suites, self.effect, clip).map_err(to_effect_error)?
        else {
            return Ok(None);
        };
        if !handle.connected() {
            return Ok(None);
        }
        let Some(image) = handle.image(self.suites, time).map_err(to_effect_error)? else {
            return Ok(None);
        };
        let placement = image.placement().map_err(to_effect_error)?;
        if let Some(content) = self.memo.get(clip, time, &placement) {
            let frame = match wants_pixels(content, &placement) {
                true => Some(image.to_input().map_err(to_effect_error)?.frame),
                false => None,
            };
            return Ok(Some(Identified {
                placement,
                content,
                frame,
            }));
        }
        let identified = image.identify(wants_pixels).map_err(to_effect_error)?;
        self.memo
            .remember(clip, time, identified.placement, identified.content);
        Ok(Some(identified))
    }
}

/// Whether this action serves a thumbnail: OFX 1.5 flags the action's arguments, Resolve flags
/// its clips with `kOfxImageClipPropThumbnail` (spelled with the `k`).
pub fn is_thumbnail(suites: &Suites, effect: OfxImageEffectHandle, in_args: PropSet) -> bool {
    let flagged = |props: PropSet, name: &CStr| props.int(name, 0).unwrap_or(0) != 0;
    flagged(in_args, kOfxImageEffectPropThumbnailRender)
        || Clip::get(suites, effect, SOURCE)
            .ok()
            .flatten()
            .is_some_and(|clip| flagged(clip.props, c"kOfxImageClipPropThumbnail"))
}

fn to_effect_error(e: OfxError) -> EffectError {
    EffectError(e.to_string())
}

pub fn render<E: Effect>(
    suites: &Suites,
    effect: OfxImageEffectHandle,
    in_args: PropSet,
) -> Result<(), OfxError> {
    let instance: &Instance<E> = instance::get(suites, effect)?;
    let time = in_args.double(kOfxPropTime, 0)?;
    let scale = in_args
        .doubles::<2>(kOfxImageEffectPropRenderScale)
        .unwrap_or([1.0, 1.0]);
    let window = in_args.ints::<4>(kOfxImageEffectPropRenderWindow)?;
    let thumbnail = is_thumbnail(suites, effect, in_args);

    let output_clip =
        Clip::get(suites, effect, OUTPUT)?.ok_or(OfxError::BadHandle("no Output clip"))?;
    let mut output = output_clip
        .image(suites, time)?
        .ok_or_else(|| OfxError::User("The host gave no output image to render into.".into()))?;
    let source = match Clip::get(suites, effect, SOURCE)? {
        Some(clip) => fetch_input(suites, &clip, time)?,
        None => None,
    };
    let Some(source) = source else {
        let empty = Frame::new(0, 0);
        output.write(&empty, &output.placement()?, window)?;
        return fail::<E>(effect, "Doppel got no Source image at this frame.");
    };

    let result = instance
        .read_params(suites, time)
        .map_err(to_effect_error)
        .and_then(|params| {
            let request = RenderRequest {
                time,
                params,
                render_scale: (scale[0], scale[1]),
                thumbnail,
            };
            instance.effect.render(
                &source,
                &request,
                &mut HostClips {
                    suites,
                    effect,
                    memo: &instance.sequence,
                },
            )
        });
    match result {
        Ok(rendered) => {
            match rendered {
                Rendered::Frame(frame) => output.write(&frame, &source.placement, window)?,
                Rendered::Patches(patches) => {
                    output.write(&source.frame, &source.placement, window)?;
                    for patch in &patches {
                        output.write_patch(patch, &source.placement, window)?;
                    }
                }
            }
            // Nuke stops rendering while a persistent message is up: a good frame clears it,
            // whatever raised it (a bad input, or a contained panic).
            message::clear_persistent(effect);
            Ok(())
        }
        Err(e) => {
            // Bad input: the user sees why, and the plate passes through untouched.
            output.write(&source.frame, &source.placement, window)?;
            fail::<E>(effect, &e.0)
        }
    }
}

fn fail<E: Effect>(effect: OfxImageEffectHandle, text: &str) -> Result<(), OfxError> {
    log::warn!("{}: {text}", E::declaration().label);
    // A warning, not an error: the frame did render (as the untouched Source), and Nuke marks
    // nodes with error messages as failed.
    message::set_persistent(effect, Severity::Warning, text);
    Ok(())
}

/// IsIdentity: names the clip the output equals, so the host can skip the render.
pub fn is_identity<E: Effect>(
    suites: &Suites,
    effect: OfxImageEffectHandle,
    in_args: PropSet,
    out_args: PropSet,
) -> Result<bool, OfxError> {
    let instance: &Instance<E> = instance::get(suites, effect)?;
    let time = in_args.double(kOfxPropTime, 0)?;
    let params = instance.read_params(suites, time)?;
    match instance.effect.identity_clip(&params) {
        Some(clip) => {
            out_args.set_string(kOfxPropName, 0, clip)?;
            out_args.set_double(kOfxPropTime, 0, time)?;
            Ok(true)
        }
        None => Ok(false),
    }
}
