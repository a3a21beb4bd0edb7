//! What each instance and descriptor action does, once the trampoline has vetted the call.

use std::ffi::CString;

use openfx::sys::generic::core::{
    kOfxBitDepthFloat, kOfxChangePluginEdited, kOfxPropChangeReason, kOfxPropIsInteractive,
    kOfxPropName, kOfxPropTime, kOfxPropType,
};
use openfx::sys::image_effect_v1::image_effect::{kOfxImageComponentRGBA, OfxImageEffectHandle};
use openfx::sys::image_effect_v1::param::kOfxTypeParameter;

use super::dispatch::Action;
use super::props::PropSet;
use super::suites::Suites;
use super::{describe, instance, render, OfxError};
use crate::effects::Effect;

/// The input clip temporal effects read at other times.
const SOURCE: &str = "Source";

/// A successful action's answer.
pub enum Reply {
    Ok,
    /// "Do the default": the host carries on as if the action were not handled.
    Default,
}

pub fn handle<E: Effect>(
    action: Action,
    suites: &Suites,
    effect: OfxImageEffectHandle,
    in_args: PropSet,
    out_args: PropSet,
) -> Result<Reply, OfxError> {
    match action {
        Action::Describe => describe::describe::<E>(suites, effect).map(|()| Reply::Ok),
        Action::DescribeInContext => {
            describe::describe_in_context::<E>(suites, effect, in_args).map(|()| Reply::Ok)
        }
        // Resolve shows nothing if these reply "default": answer OK.
        Action::CreateInstance => instance::create::<E>(suites, effect).map(|()| Reply::Ok),
        Action::DestroyInstance => instance::destroy::<E>(suites, effect).map(|()| Reply::Ok),
        Action::PurgeCaches => {
            let instance = instance::get::<E>(suites, effect)?;
            instance.sequence.forget();
            instance.effect.purge_caches();
            Ok(Reply::Ok)
        }
        Action::GetClipPreferences => clip_preferences::<E>(out_args).map(|()| Reply::Ok),
        Action::IsIdentity => Ok(
            if render::is_identity::<E>(suites, effect, in_args, out_args)? {
                Reply::Ok
            } else {
                Reply::Default
            },
        ),
        Action::Render => render::render::<E>(suites, effect, in_args).map(|()| Reply::Ok),
        Action::BeginSequenceRender | Action::EndSequenceRender => {
            let interactive = in_args
                .int(kOfxPropIsInteractive, 0)
                .map_or(true, |v| v != 0);
            let memo = &instance::get::<E>(suites, effect)?.sequence;
            if action == Action::BeginSequenceRender {
                memo.begin(interactive);
            } else {
                memo.end(interactive);
            }
            Ok(Reply::Ok)
        }
        Action::GetFramesNeeded => frames_needed::<E>(suites, effect, in_args, out_args),
        Action::InstanceChanged => instance_changed::<E>(suites, effect, in_args),
        Action::BeginInstanceChanged
        | Action::EndInstanceChanged
        | Action::SyncPrivateData
        | Action::GetRegionOfDefinition
        | Action::GetRegionsOfInterest
        | Action::GetTimeDomain
        | Action::Load
        | Action::Unload
        | Action::Other => Ok(Reply::Default),
    }
}

/// GetFramesNeeded: the Source frames a render at this time reads, as one [min, max] pair on
/// `OfxImageClipPropFrameRange_Source`. Thumbnails never read neighbours: default (t only).
fn frames_needed<E: Effect>(
    suites: &Suites,
    effect: OfxImageEffectHandle,
    in_args: PropSet,
    out_args: PropSet,
) -> Result<Reply, OfxError> {
    let time = in_args.double(kOfxPropTime, 0)?;
    if render::is_thumbnail(suites, effect, in_args) {
        return Ok(Reply::Default);
    }
    let instance = instance::get::<E>(suites, effect)?;
    let params = instance.read_params(suites, time)?;
    let Some((first, last)) = instance.effect.frames_needed(time, &params) else {
        return Ok(Reply::Default);
    };
    let name = CString::new(format!("OfxImageClipPropFrameRange_{SOURCE}")).expect("no NUL");
    out_args.set_doubles(&name, &[first.min(time), last.max(time)])?;
    Ok(Reply::Ok)
}

/// Lets the effect answer a user's parameter edit (it may only write parameters here).
fn instance_changed<E: Effect>(
    suites: &Suites,
    effect: OfxImageEffectHandle,
    in_args: PropSet,
) -> Result<Reply, OfxError> {
    // A parameter or a clip changed: what a batch render remembered about its inputs is void.
    instance::get::<E>(suites, effect)?.sequence.forget();
    let is_param = in_args
        .string(kOfxPropType, 0)
        .is_ok_and(|t| t.as_bytes() == kOfxTypeParameter.to_bytes());
    let user_edit = in_args
        .string(kOfxPropChangeReason, 0)
        .is_ok_and(|r| r.as_bytes() != kOfxChangePluginEdited.to_bytes());
    if !is_param || !user_edit {
        return Ok(Reply::Default);
    }
    let name = in_args.string(kOfxPropName, 0)?;
    let time = in_args.double(kOfxPropTime, 0).unwrap_or(0.0);
    let instance = instance::get::<E>(suites, effect)?;
    let params = instance.read_params(suites, time)?;
    let replies = instance.effect.changed(&name, &params);
    if replies.is_empty() {
        return Ok(Reply::Default);
    }
    instance.write_params(suites, &replies)?;
    Ok(Reply::Ok)
}

/// Asks for float RGBA on every clip, the only format the pipeline reads. Best effort: hosts
/// leave out the entries of clips they will not feed (an unconnected optional clip), and
/// the images are checked again when fetched.
fn clip_preferences<E: Effect>(out_args: PropSet) -> Result<(), OfxError> {
    let names = E::declaration()
        .clips
        .iter()
        .map(|c| c.name)
        .chain(["Output"]);
    for name in names {
        let components =
            CString::new(format!("OfxImageClipPropComponents_{name}")).expect("no NUL");
        let depth = CString::new(format!("OfxImageClipPropDepth_{name}")).expect("no NUL");
        for result in [
            out_args.set_cstr(&components, 0, kOfxImageComponentRGBA),
            out_args.set_cstr(&depth, 0, kOfxBitDepthFloat),
        ] {
            if let Err(e) = result {
                log::debug!("clip preferences for {name}: {e}");
            }
        }
    }
    Ok(())
}
