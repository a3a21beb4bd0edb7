//! Loading a bundle, and Load/Describe/DescribeInContext once per plugin.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::action::{self, Target};
use crate::consts::*;
use crate::dump::{EffectDescription, ParamDescription};
use crate::error::HostError;
use crate::ffi::plugin::{self, Binary, Entry};
use crate::instance::Instance;
use crate::model::Effect;
use crate::profile::HostProfile;
use crate::registry::lock;
use crate::runtime::{Log, ORPHANS};
use crate::source::Clips;

/// A loaded OFX bundle, seen through one host profile.
pub struct Host {
    pub(crate) core: Arc<HostCore>,
}

pub(crate) struct HostCore {
    pub profile: HostProfile,
    pub bundle_dir: PathBuf,
    pub plugins: Vec<Arc<PluginEntry>>,
    pub log: Arc<Log>,
    /// Declared last: closed after Unload has gone to every plugin.
    _binary: Binary,
}

pub(crate) struct PluginEntry {
    pub id: String,
    pub version: (u32, u32),
    pub entry: Entry,
    pub state: Mutex<PluginState>,
    /// Serialises renders of plugins that declare kOfxImageEffectRenderUnsafe.
    pub unsafe_lock: Mutex<()>,
}

#[derive(Default)]
pub(crate) struct PluginState {
    loaded: Option<Result<(), HostError>>,
    described: Option<Arc<Described>>,
}

/// Descriptors kept for instance creation.
pub(crate) struct Described {
    pub descriptor: Arc<Effect>,
    pub contexts: BTreeMap<String, Arc<Effect>>,
    pub description: EffectDescription,
}

const ARCH_DIR: &str = if cfg!(target_arch = "aarch64") {
    "Linux-arm64"
} else {
    "Linux-x86-64"
};

/// The `.ofx` inside a bundle: named by CFBundleExecutable, else the only one there.
fn binary_path(bundle: &Path) -> Result<PathBuf, HostError> {
    let dir = bundle.join("Contents").join(ARCH_DIR);
    let plist = std::fs::read_to_string(bundle.join("Contents/Info.plist")).unwrap_or_default();
    if let Some(name) = plist_value(&plist, "CFBundleExecutable") {
        for candidate in [dir.join(&name), dir.join(format!("{name}.ofx"))] {
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    let found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| HostError::Bundle(format!("{}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ofx"))
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(HostError::Bundle(format!("no .ofx in {}", dir.display()))),
        _ => Err(HostError::Bundle(format!(
            "several .ofx in {} and no CFBundleExecutable naming one",
            dir.display()
        ))),
    }
}

/// The `<string>` after `<key>key</key>` in a plist.
fn plist_value(plist: &str, key: &str) -> Option<String> {
    let at = plist.find(&format!("<key>{key}</key>"))?;
    let rest = &plist[at..];
    let start = rest.find("<string>")? + "<string>".len();
    let end = rest[start..].find("</string>")?;
    Some(rest[start..start + end].trim().to_owned())
}

impl Host {
    /// Opens the bundle's binary, calls OfxSetHost (if exported), OfxGetNumberOfPlugins and
    /// OfxGetPlugin for each plugin.
    pub fn load(bundle_dir: &Path, profile: HostProfile) -> Result<Host, HostError> {
        let path = binary_path(bundle_dir)?;
        let binary = Binary::open(&path)?;
        binary.set_host(profile)?;
        let log = Arc::new(Log::default());
        let mut plugins = Vec::new();
        for raw in binary.plugins()? {
            if raw.api != n(kOfxImageEffectPluginApi) || raw.api_version != 1 {
                log.violation(format!(
                    "plugin '{}' has API '{}' version {}, not OfxImageEffectPluginAPI 1",
                    raw.id, raw.api, raw.api_version
                ));
                continue;
            }
            plugin::plugin_set_host(raw.set_host, profile);
            plugins.push(Arc::new(PluginEntry {
                id: raw.id,
                version: raw.version,
                entry: raw.entry,
                state: Mutex::new(PluginState::default()),
                unsafe_lock: Mutex::new(()),
            }));
        }
        let bundle_dir = bundle_dir
            .canonicalize()
            .unwrap_or_else(|_| bundle_dir.to_owned());
        Ok(Host {
            core: Arc::new(HostCore {
                profile,
                bundle_dir,
                plugins,
                log,
                _binary: binary,
            }),
        })
    }

    pub fn profile(&self) -> HostProfile {
        self.core.profile
    }

    pub fn plugin_ids(&self) -> Vec<String> {
        self.core.plugins.iter().map(|p| p.id.clone()).collect()
    }

    /// (major, minor) of a plugin; (0, 0) for an unknown id.
    pub fn plugin_version(&self, id: &str) -> (u32, u32) {
        self.core.plugin(id).map_or((0, 0), |p| p.version)
    }

    /// Load (once), Describe and DescribeInContext for every context both sides support (once).
    pub fn describe(&self, id: &str) -> Result<EffectDescription, HostError> {
        Ok(self.core.described(id)?.description.clone())
    }

    /// Creates an instance in `context` ("filter", "general" or a full OFX context name).
    pub fn create_instance(
        &self,
        id: &str,
        context: &str,
        clips: Clips,
    ) -> Result<Instance, HostError> {
        let plugin = self
            .core
            .plugin(id)
            .ok_or_else(|| HostError::NoSuchPlugin(id.to_owned()))?;
        let described = self.core.described(id)?;
        Instance::create(self.core.clone(), plugin, &described, context, clips)
    }

    /// Violations found in host-level actions (Load, Describe...) and unattributable misuse.
    pub fn violations(&self) -> Vec<String> {
        let mut v = self.core.log.violations();
        v.extend(ORPHANS.violations());
        v
    }
}

impl HostCore {
    pub(crate) fn plugin(&self, id: &str) -> Option<Arc<PluginEntry>> {
        self.plugins.iter().find(|p| p.id == id).cloned()
    }

    fn target<'a>(&'a self, p: &PluginEntry, handle: usize) -> Target<'a> {
        Target {
            entry: p.entry,
            handle,
            runtime: None,
            log: &self.log,
            frame: None,
        }
    }

    fn ensure_loaded(&self, p: &PluginEntry, state: &mut PluginState) -> Result<(), HostError> {
        if state.loaded.is_none() {
            let reply = action::call(&self.target(p, 0), kOfxActionLoad, None, None, None);
            state.loaded = Some(if reply.ok_or_default() {
                Ok(())
            } else {
                Err(action_error(kOfxActionLoad, reply.status))
            });
        }
        state.loaded.clone().unwrap_or(Ok(()))
    }

    pub(crate) fn described(&self, id: &str) -> Result<Arc<Described>, HostError> {
        let p = self
            .plugin(id)
            .ok_or_else(|| HostError::NoSuchPlugin(id.to_owned()))?;
        let mut state = lock(&p.state);
        self.ensure_loaded(&p, &mut state)?;
        if let Some(d) = &state.described {
            return Ok(d.clone());
        }
        let d = Arc::new(self.describe_now(&p)?);
        state.described = Some(d.clone());
        Ok(d)
    }

    fn describe_now(&self, p: &PluginEntry) -> Result<Described, HostError> {
        let path = self.bundle_dir.to_string_lossy().into_owned();
        let descriptor = Effect::new(
            crate::schema::effect_descriptor(&path),
            self.log.clone(),
            None,
        );
        let reply = action::call(
            &self.target(p, descriptor.handle),
            kOfxActionDescribe,
            None,
            None,
            None,
        );
        if !reply.ok_or_default() {
            descriptor.unregister();
            return Err(action_error(kOfxActionDescribe, reply.status));
        }
        let props = descriptor.props.lock().clone();
        let declared = props.strings(n(kOfxImageEffectPropSupportedContexts));
        let mut description = EffectDescription {
            props: props.dump(),
            contexts: declared.clone(),
            ..EffectDescription::default()
        };
        let mut contexts: BTreeMap<String, Arc<Effect>> = BTreeMap::new();
        let offered = self.profile.contexts();
        for ctx in declared.iter().filter(|c| offered.contains(&c.as_str())) {
            let mut set = props.clone();
            set.define(n(kOfxImageEffectPropContext), action::s(ctx), false, true);
            let e = Effect::new(set, self.log.clone(), None);
            let ins = action::args(vec![(kOfxImageEffectPropContext, action::s(ctx))]);
            let t = self.target(p, e.handle);
            let reply = action::call(
                &t,
                kOfxImageEffectActionDescribeInContext,
                Some(ins),
                None,
                None,
            );
            if !reply.ok_or_default() {
                e.unregister();
                for c in contexts.values() {
                    c.unregister();
                }
                descriptor.unregister();
                return Err(action_error(
                    kOfxImageEffectActionDescribeInContext,
                    reply.status,
                ));
            }
            self.record_context(&mut description, ctx, &e);
            contexts.insert(ctx.clone(), e);
        }
        Ok(Described {
            descriptor,
            contexts,
            description,
        })
    }

    fn record_context(&self, d: &mut EffectDescription, ctx: &str, e: &Effect) {
        let clips: BTreeMap<String, _> = e
            .clip_list()
            .iter()
            .map(|c| (c.name.clone(), c.props.lock().dump()))
            .collect();
        let needs_source = ctx == n(kOfxImageEffectContextFilter);
        for (clip, needed) in [("Output", true), ("Source", needs_source)] {
            if needed && !clips.contains_key(clip) {
                self.log
                    .violation(format!("context {ctx} defines no '{clip}' clip"));
            }
        }
        let mut order = Vec::new();
        for p in e.param_list() {
            order.push(p.name.clone());
            d.params
                .entry(p.name.clone())
                .or_insert_with(|| ParamDescription {
                    param_type: p.param_type.clone(),
                    props: p.props.lock().dump(),
                });
        }
        d.clips.insert(ctx.to_owned(), clips);
        d.context_props
            .insert(ctx.to_owned(), e.props.lock().dump());
        d.param_order.insert(ctx.to_owned(), order);
    }
}

pub(crate) fn action_error(action: &std::ffi::CStr, status: OfxStatus) -> HostError {
    HostError::Action {
        action: n(action).to_owned(),
        status,
        message: None,
    }
}

impl Drop for HostCore {
    fn drop(&mut self) {
        for p in &self.plugins {
            let state = std::mem::take(&mut *lock(&p.state));
            if matches!(state.loaded, Some(Ok(()))) {
                let reply = action::call(&self.target(p, 0), kOfxActionUnload, None, None, None);
                if !reply.ok_or_default() {
                    self.log
                        .violation(format!("Unload returned {}", status_name(reply.status)));
                }
            }
            if let Some(d) = state.described {
                for c in d.contexts.values() {
                    c.unregister();
                }
                d.descriptor.unregister();
            }
        }
    }
}
