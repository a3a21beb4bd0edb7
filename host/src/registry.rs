//! Opaque handles: every object the plugin can name is registered under a never-reused number.
//!
//! Handles given to the plugin are not addresses: they are looked up here, so a stale, forged or
//! wrongly-typed handle is caught (and reported) instead of being dereferenced.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, RwLock};

use crate::model::{Clip, Effect, Param, PropCell};

/// An object the plugin holds a handle to.
#[derive(Clone)]
pub(crate) enum Obj {
    Props(Arc<PropCell>),
    Effect(Arc<Effect>),
    ParamSet(Arc<Effect>),
    Clip(Arc<Clip>),
    Param(Arc<Param>),
    Mutex(Arc<crate::ffi::misc::HostMutex>),
    Memory(Arc<crate::ffi::misc::MemBlock>),
}

impl Obj {
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            Obj::Props(p) if p.image.is_some() => "image",
            Obj::Props(_) => "property set",
            Obj::Effect(_) => "image effect",
            Obj::ParamSet(_) => "parameter set",
            Obj::Clip(_) => "clip",
            Obj::Param(_) => "parameter",
            Obj::Mutex(_) => "mutex",
            Obj::Memory(_) => "memory",
        }
    }
}

struct Registry {
    live: RwLock<HashMap<usize, Obj>>,
    /// Handles that existed once (to tell "released twice" from "never was a handle").
    dead: Mutex<HashSet<usize>>,
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| Registry {
    live: RwLock::new(HashMap::new()),
    dead: Mutex::new(HashSet::new()),
});

/// Handles start high and step like aligned pointers, so they look plausible in a debugger.
static NEXT: AtomicUsize = AtomicUsize::new(0x0dd0_0000);

/// Locks a mutex even if a panicking thread poisoned it (the data is still consistent for us).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A fresh handle number.
pub(crate) fn alloc() -> usize {
    NEXT.fetch_add(16, Ordering::Relaxed)
}

pub(crate) fn insert(handle: usize, obj: Obj) {
    let mut live = REGISTRY.live.write().unwrap_or_else(|e| e.into_inner());
    live.insert(handle, obj);
}

/// Registers `obj` under a fresh handle.
pub(crate) fn register(obj: Obj) -> usize {
    let h = alloc();
    insert(h, obj);
    h
}

pub(crate) fn get(handle: usize) -> Option<Obj> {
    let live = REGISTRY.live.read().unwrap_or_else(|e| e.into_inner());
    live.get(&handle).cloned()
}

/// Removes a handle; it is remembered as dead.
pub(crate) fn remove(handle: usize) -> Option<Obj> {
    let obj = {
        let mut live = REGISTRY.live.write().unwrap_or_else(|e| e.into_inner());
        live.remove(&handle)
    };
    if obj.is_some() {
        lock(&REGISTRY.dead).insert(handle);
    }
    obj
}

/// Whether `handle` was a handle once and is gone now.
pub(crate) fn was_live(handle: usize) -> bool {
    lock(&REGISTRY.dead).contains(&handle)
}
