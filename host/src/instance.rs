//! Effect instances: creation, parameter edits as a user makes them, messages and destruction.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::action::{self, Target};
use crate::consts::*;
use crate::error::HostError;
use crate::host::{action_error, Described, HostCore, PluginEntry};
use crate::model::{Effect, Param};
use crate::params::{ParamValue, Raw};
use crate::profile::{context_name, HostProfile};
use crate::registry::{self, lock};
use crate::runtime::{Project, Runtime};
use crate::setup;
use crate::source::Clips;

/// How many rounds of plugin-edited notifications before the host gives up.
const MAX_EDIT_ROUNDS: usize = 4;

/// A live effect instance. Send + Sync: renders may run on several threads at once; the host
/// serialises them as the plugin's declared render thread safety requires.
pub struct Instance {
    pub(crate) core: Arc<HostCore>,
    pub(crate) plugin: Arc<PluginEntry>,
    pub(crate) effect: Arc<Effect>,
    pub(crate) runtime: Arc<Runtime>,
    pub(crate) context: String,
    pub(crate) render_lock: Mutex<()>,
    pub(crate) prefs_dirty: AtomicBool,
    pub(crate) slave_params: Vec<String>,
    pub(crate) temporal: bool,
    pub(crate) safety: String,
}

impl Instance {
    pub(crate) fn create(
        core: Arc<HostCore>,
        plugin: Arc<PluginEntry>,
        described: &Described,
        context: &str,
        clips: Clips,
    ) -> Result<Instance, HostError> {
        let context = context_name(context);
        let ctx = described.contexts.get(&context).ok_or_else(|| {
            HostError::Invalid(format!(
                "plugin '{}' was not described in context {context} (declared: {:?})",
                plugin.id, described.description.contexts
            ))
        })?;
        let desc = ctx.props.lock().clone();
        let depths = desc.strings(n(kOfxImageEffectPropSupportedPixelDepths));
        if !depths.iter().any(|d| d == n(kOfxBitDepthFloat)) {
            return Err(HostError::Invalid(format!(
                "plugin supports pixel depths {depths:?}; this host supplies float only"
            )));
        }
        for name in clips.names() {
            if ctx.clip(name).is_none_or(|c| c.is_output()) {
                return Err(HostError::Invalid(format!(
                    "no input clip '{name}' in context {context}"
                )));
            }
        }
        let project = project_of(&clips);
        let rt = Runtime::new(core.profile, project);
        let props = setup::instance_props(&desc, core.profile, &context, project, &clips);
        let effect = Effect::new(props, rt.log.clone(), Some(rt.clone()));
        setup::clips(ctx, &effect, &rt, &clips);
        setup::params(ctx, &effect, &rt);
        let slave_params = desc.strings(n(kOfxImageEffectPropClipPreferencesSlaveParam));
        let temporal = desc.int(n(kOfxImageEffectPropTemporalClipAccess), 0) == Some(1);
        let safety = desc
            .string(n(kOfxImageEffectPluginRenderThreadSafety), 0)
            .unwrap_or_default();
        let target = Target {
            entry: plugin.entry,
            handle: effect.handle,
            runtime: Some(&rt),
            log: &rt.log,
            frame: None,
        };
        let ins = (core.profile == HostProfile::Resolve)
            .then(|| action::args(vec![(kOfxImageEffectPropResolvePage, action::s("Color"))]));
        let reply = action::call(&target, kOfxActionCreateInstance, ins, None, None);
        if reply.status == kOfxStatReplyDefault && core.profile == HostProfile::Resolve {
            rt.log.violation(
                "CreateInstance replied kOfxStatReplyDefault: Resolve then shows nothing; reply OK",
            );
        }
        if !reply.ok_or_default() {
            // The plugin refused the instance: no DestroyInstance follows.
            effect.unregister();
            let message = lock(&rt.log.last_error).clone().map(|m| m.1);
            return Err(HostError::Action {
                action: n(kOfxActionCreateInstance).to_owned(),
                status: reply.status,
                message,
            });
        }
        let inst = Instance {
            core,
            plugin,
            effect,
            runtime: rt,
            context,
            render_lock: Mutex::new(()),
            prefs_dirty: AtomicBool::new(true),
            slave_params,
            temporal,
            safety,
        };
        inst.deliver_plugin_edits()?;
        Ok(inst)
    }

    pub(crate) fn target(&self) -> Target<'_> {
        Target {
            entry: self.plugin.entry,
            handle: self.effect.handle,
            runtime: Some(&self.runtime),
            log: &self.runtime.log,
            frame: None,
        }
    }

    /// The target for the per-frame actions of a render with `opts`.
    pub(crate) fn frame_target(&self, opts: &crate::render::RenderOptions) -> Target<'_> {
        Target {
            frame: Some(crate::runtime::FrameOpts {
                layout: opts.layout.clone(),
                scale: opts.render_scale,
            }),
            ..self.target()
        }
    }

    pub fn plugin_id(&self) -> &str {
        &self.plugin.id
    }

    /// The full OFX name of the instance's context.
    pub fn context(&self) -> &str {
        &self.context
    }

    fn param(&self, name: &str) -> Result<Arc<Param>, HostError> {
        self.effect
            .param(name)
            .ok_or_else(|| HostError::Invalid(format!("no parameter '{name}'")))
    }

    /// Sets a parameter as a user edit at the timeline time (a key there if it is animated).
    pub fn set_value(&self, param: &str, v: ParamValue) -> Result<(), HostError> {
        let p = self.param(param)?;
        let raw = setup::clamp(
            &p,
            Raw::from_value(&v, p.kind).map_err(HostError::Invalid)?,
            self.core.profile,
        );
        let t = *lock(&self.runtime.timeline_time);
        lock(&p.curve).set(t, raw);
        p.sync_animating();
        self.changed(param, kOfxChangeUserEdited, t)
    }

    /// Sets a keyframe as a user would.
    pub fn set_key(&self, param: &str, time: f64, v: ParamValue) -> Result<(), HostError> {
        let p = self.param(param)?;
        let props = p.props.lock().clone();
        if props.int(n(kOfxParamPropAnimates), 0) == Some(0) {
            return Err(HostError::Invalid(format!(
                "parameter '{param}' does not animate"
            )));
        }
        if p.kind.value_type == crate::params::ValueType::String {
            return Err(HostError::Invalid(format!(
                "this host does not animate string parameters ('{param}')"
            )));
        }
        let raw = setup::clamp(
            &p,
            Raw::from_value(&v, p.kind).map_err(HostError::Invalid)?,
            self.core.profile,
        );
        lock(&p.curve).set_key(time, raw);
        p.sync_animating();
        self.changed(param, kOfxChangeUserEdited, time)
    }

    /// The value of a parameter at `time`.
    pub fn value_at(&self, param: &str, time: f64) -> Result<ParamValue, HostError> {
        let p = self.param(param)?;
        let raw = lock(&p.curve).at(time);
        raw.to_value(&p.param_type)
            .ok_or_else(|| HostError::Invalid(format!("parameter '{param}' has no value")))
    }

    /// Moves the host's timeline (what paramGetValue without a time reads, and where edits land).
    pub fn set_timeline_time(&self, time: f64) {
        *lock(&self.runtime.timeline_time) = time;
    }

    /// Begin/InstanceChanged/End for one parameter, then any changes the plugin made meanwhile.
    fn changed(&self, param: &str, reason: &std::ffi::CStr, time: f64) -> Result<(), HostError> {
        if self.slave_params.iter().any(|s| s == param) {
            self.prefs_dirty.store(true, Ordering::SeqCst);
        }
        self.notify(param, reason, time)?;
        self.deliver_plugin_edits()
    }

    fn notify(&self, param: &str, reason: &std::ffi::CStr, time: f64) -> Result<(), HostError> {
        let t = self.target();
        let why = || action::args(vec![(kOfxPropChangeReason, action::s(n(reason)))]);
        let begin = action::call(&t, kOfxActionBeginInstanceChanged, Some(why()), None, None);
        let ins = action::args(vec![
            (kOfxPropType, action::s(n(kOfxTypeParameter))),
            (kOfxPropName, action::s(param)),
            (kOfxPropChangeReason, action::s(n(reason))),
            (kOfxPropTime, action::d(&[time])),
            (kOfxImageEffectPropRenderScale, action::d(&[1.0, 1.0])),
        ]);
        let changed = action::call(&t, kOfxActionInstanceChanged, Some(ins), None, None);
        let end = action::call(&t, kOfxActionEndInstanceChanged, Some(why()), None, None);
        for (action, reply) in [
            (kOfxActionBeginInstanceChanged, begin),
            (kOfxActionInstanceChanged, changed),
            (kOfxActionEndInstanceChanged, end),
        ] {
            if !reply.ok_or_default() {
                return Err(action_error(action, reply.status));
            }
        }
        Ok(())
    }

    /// Reports parameters the plugin changed itself (kOfxChangePluginEdited), a few rounds deep.
    fn deliver_plugin_edits(&self) -> Result<(), HostError> {
        for _ in 0..MAX_EDIT_ROUNDS {
            let edits = std::mem::take(&mut *lock(&self.runtime.plugin_edits));
            if edits.is_empty() {
                return Ok(());
            }
            let t = *lock(&self.runtime.timeline_time);
            for name in edits {
                if self.slave_params.contains(&name) {
                    self.prefs_dirty.store(true, Ordering::SeqCst);
                }
                self.notify(&name, kOfxChangePluginEdited, t)?;
            }
        }
        let left = std::mem::take(&mut *lock(&self.runtime.plugin_edits));
        if !left.is_empty() {
            self.runtime.log.violation(format!(
                "the plugin keeps changing parameters {left:?} in reaction to its own changes"
            ));
        }
        Ok(())
    }

    /// The persistent message now set: (type, text).
    pub fn persistent_message(&self) -> Option<(String, String)> {
        lock(&self.runtime.log.persistent).clone()
    }

    /// Every message posted so far (message and setPersistentMessage): (type, text).
    pub fn messages(&self) -> Vec<(String, String)> {
        lock(&self.runtime.log.messages).clone()
    }

    /// Plugin misuse found so far (see the README for the checks).
    pub fn violations(&self) -> Vec<String> {
        self.runtime.log.violations()
    }

    /// Sends kOfxActionPurgeCaches.
    pub fn purge_caches(&self) {
        let reply = action::call(&self.target(), kOfxActionPurgeCaches, None, None, None);
        if !reply.ok_or_default() {
            self.runtime.log.violation(format!(
                "PurgeCaches returned {}",
                status_name(reply.status)
            ));
        }
    }
}

/// The project: the size of the Source clip (else the first connected clip) at its first frame.
fn project_of(clips: &Clips) -> Project {
    let media = clips
        .map
        .get("Source")
        .or_else(|| clips.map.values().next());
    let size = media
        .and_then(|m| {
            let (first, _) = m.source.frame_range();
            m.source.size(if first < -1e6 { 0.0 } else { first })
        })
        .unwrap_or((1920, 1080));
    Project {
        size: (size.0 as f64, size.1 as f64),
        offset: (0.0, 0.0),
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let reply = action::call(&self.target(), kOfxActionDestroyInstance, None, None, None);
        let bad = !reply.ok_or_default()
            || (reply.status == kOfxStatReplyDefault && self.core.profile == HostProfile::Resolve);
        if bad {
            self.core.log.violation(format!(
                "DestroyInstance of '{}' returned {}",
                self.plugin.id,
                status_name(reply.status)
            ));
        }
        for h in lock(&self.runtime.images).drain().map(|(h, _)| h) {
            registry::remove(h);
        }
        self.effect.unregister();
    }
}
