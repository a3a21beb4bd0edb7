//! The objects behind the handles: property sets, effects (descriptors and instances), clips and
//! parameters.

use std::sync::{Arc, Mutex, RwLock};

use crate::consts::*;
use crate::ffi::imagebuf::ImageBuf;
use crate::params::{Curve, ParamKind, Raw};
use crate::props::{PropertySet, Values};
use crate::registry::{self, lock, Obj};
use crate::runtime::{Log, Runtime};
use crate::source::Connected;

/// A property set, and what the host needs to know about it.
pub(crate) struct PropCell {
    pub set: Mutex<PropertySet>,
    /// Where misuse of this set is reported.
    pub log: Arc<Log>,
    /// Set for image property sets.
    pub image: Option<ImageTag>,
}

/// What an image handle stands for.
pub(crate) struct ImageTag {
    pub runtime: std::sync::Weak<Runtime>,
    pub buffer: Arc<ImageBuf>,
}

impl PropCell {
    pub(crate) fn new(set: PropertySet, log: Arc<Log>) -> Arc<PropCell> {
        Arc::new(PropCell {
            set: Mutex::new(set),
            log,
            image: None,
        })
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, PropertySet> {
        lock(&self.set)
    }
}

/// A clip descriptor or instance.
pub(crate) struct Clip {
    pub name: String,
    pub handle: usize,
    pub props: Arc<PropCell>,
    pub props_handle: usize,
    /// None for descriptors.
    pub runtime: Option<Arc<Runtime>>,
    /// The media, when connected.
    pub media: Option<Connected>,
}

impl Clip {
    pub(crate) fn new(
        name: &str,
        props: PropertySet,
        log: Arc<Log>,
        runtime: Option<Arc<Runtime>>,
        media: Option<Connected>,
    ) -> Arc<Clip> {
        let props = PropCell::new(props, log);
        let props_handle = registry::register(Obj::Props(props.clone()));
        let handle = registry::alloc();
        let clip = Arc::new(Clip {
            name: name.to_owned(),
            handle,
            props,
            props_handle,
            runtime,
            media,
        });
        registry::insert(handle, Obj::Clip(clip.clone()));
        clip
    }

    pub(crate) fn is_output(&self) -> bool {
        self.name == n(kOfxImageEffectOutputClipName)
    }

    pub(crate) fn temporal(&self) -> bool {
        let set = self.props.lock();
        set.int(n(kOfxImageEffectPropTemporalClipAccess), 0) == Some(1)
    }
}

/// A parameter descriptor or instance.
pub(crate) struct Param {
    pub name: String,
    pub param_type: String,
    pub kind: ParamKind,
    pub handle: usize,
    pub props: Arc<PropCell>,
    pub props_handle: usize,
    pub curve: Mutex<Curve>,
    /// None for descriptors.
    pub runtime: Option<Arc<Runtime>>,
}

impl Param {
    pub(crate) fn new(
        name: &str,
        param_type: &str,
        kind: ParamKind,
        props: PropertySet,
        log: Arc<Log>,
        runtime: Option<Arc<Runtime>>,
        value: Raw,
    ) -> Arc<Param> {
        let props = PropCell::new(props, log);
        let props_handle = registry::register(Obj::Props(props.clone()));
        let handle = registry::alloc();
        let p = Arc::new(Param {
            name: name.to_owned(),
            param_type: param_type.to_owned(),
            kind,
            handle,
            props,
            props_handle,
            curve: Mutex::new(Curve::new(value)),
            runtime,
        });
        registry::insert(handle, Obj::Param(p.clone()));
        p
    }

    /// The default value from the properties (raw, before coordinate conversion).
    pub(crate) fn default_raw(props: &PropertySet, kind: ParamKind) -> Raw {
        match props.values(n(kOfxParamPropDefault)) {
            Some(Values::Int(v)) if v.len() == kind.dim => Raw::I(v.clone()),
            Some(Values::Double(v)) if v.len() == kind.dim => Raw::D(v.clone()),
            Some(Values::Str(v)) => Raw::S(v.first().cloned().unwrap_or_default()),
            _ => match kind.value_type {
                crate::params::ValueType::Int => Raw::I(vec![0; kind.dim]),
                crate::params::ValueType::Double => Raw::D(vec![0.0; kind.dim]),
                crate::params::ValueType::String => Raw::S(Default::default()),
                crate::params::ValueType::None => Raw::None,
            },
        }
    }

    /// Keeps `kOfxParamPropIsAnimating` in step with the keys.
    pub(crate) fn sync_animating(&self) {
        let animated = lock(&self.curve).is_animated();
        let mut set = self.props.lock();
        if set.contains(n(kOfxParamPropIsAnimating)) {
            set.put(
                n(kOfxParamPropIsAnimating),
                Values::Int(vec![i32::from(animated)]),
            );
        }
    }
}

/// An image effect descriptor or instance.
pub(crate) struct Effect {
    pub handle: usize,
    pub props: Arc<PropCell>,
    pub props_handle: usize,
    pub param_set_handle: usize,
    pub clips: RwLock<Vec<Arc<Clip>>>,
    pub params: RwLock<Vec<Arc<Param>>>,
    /// None for descriptors.
    pub runtime: Option<Arc<Runtime>>,
    pub log: Arc<Log>,
}

impl Effect {
    pub(crate) fn new(
        props: PropertySet,
        log: Arc<Log>,
        runtime: Option<Arc<Runtime>>,
    ) -> Arc<Effect> {
        let props = PropCell::new(props, log.clone());
        let props_handle = registry::register(Obj::Props(props.clone()));
        let (handle, param_set_handle) = (registry::alloc(), registry::alloc());
        let e = Arc::new(Effect {
            handle,
            props,
            props_handle,
            param_set_handle,
            clips: RwLock::new(Vec::new()),
            params: RwLock::new(Vec::new()),
            runtime,
            log,
        });
        registry::insert(handle, Obj::Effect(e.clone()));
        registry::insert(param_set_handle, Obj::ParamSet(e.clone()));
        e
    }

    pub(crate) fn is_descriptor(&self) -> bool {
        self.runtime.is_none()
    }

    pub(crate) fn clip(&self, name: &str) -> Option<Arc<Clip>> {
        let clips = self.clips.read().unwrap_or_else(|e| e.into_inner());
        clips.iter().find(|c| c.name == name).cloned()
    }

    pub(crate) fn clip_list(&self) -> Vec<Arc<Clip>> {
        self.clips.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(crate) fn param(&self, name: &str) -> Option<Arc<Param>> {
        let params = self.params.read().unwrap_or_else(|e| e.into_inner());
        params.iter().find(|p| p.name == name).cloned()
    }

    pub(crate) fn param_list(&self) -> Vec<Arc<Param>> {
        self.params
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(crate) fn add_clip(&self, clip: Arc<Clip>) {
        self.clips
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .push(clip);
    }

    pub(crate) fn add_param(&self, param: Arc<Param>) {
        self.params
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .push(param);
    }

    /// Withdraws every handle of this effect, its clips and its parameters.
    pub(crate) fn unregister(&self) {
        for c in self.clip_list() {
            registry::remove(c.handle);
            registry::remove(c.props_handle);
        }
        for p in self.param_list() {
            registry::remove(p.handle);
            registry::remove(p.props_handle);
        }
        registry::remove(self.handle);
        registry::remove(self.param_set_handle);
        registry::remove(self.props_handle);
    }
}
