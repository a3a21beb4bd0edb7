//! The message, memory and multithread suites.

use std::collections::HashMap;
use std::ffi::{c_char, c_int, c_uint, c_void};
use std::sync::{Arc, Condvar, LazyLock, Mutex};
use std::thread::ThreadId;

use openfx::sys::image_effect_v1::memory::OfxMemorySuiteV1;
use openfx::sys::image_effect_v1::message::{OfxMessageSuiteV1, OfxMessageSuiteV2};
use openfx::sys::image_effect_v1::multi_thread::{
    OfxMultiThreadSuiteV1, OfxMutexHandle, OfxThreadFunctionV1,
};

use super::{c_str, guard, handle, key, put};
use crate::consts::*;
use crate::registry::{self, lock, Obj};
use crate::runtime::{self, Log};

extern "C" {
    // Defined in shim/shim.c: format the printf-style message, then call doppel_rs_message.
    fn doppel_message(
        h: *mut c_void,
        kind: *const c_char,
        id: *const c_char,
        format: *const c_char,
        ...
    ) -> OfxStatus;
    fn doppel_set_persistent_message(
        h: *mut c_void,
        kind: *const c_char,
        id: *const c_char,
        format: *const c_char,
        ...
    ) -> OfxStatus;
}

pub(crate) const MESSAGE_V1: OfxMessageSuiteV1 = OfxMessageSuiteV1 {
    message: Some(doppel_message),
};

pub(crate) const MESSAGE_V2: OfxMessageSuiteV2 = OfxMessageSuiteV2 {
    message: Some(doppel_message),
    setPersistentMessage: Some(doppel_set_persistent_message),
    clearPersistentMessage: Some(clear_persistent_message),
};

/// The log a message handle belongs to: an effect's, else the innermost action's.
fn log_of(h: *mut c_void) -> Option<Arc<Log>> {
    match registry::get(key(h)) {
        Some(Obj::Effect(e)) => Some(e.log.clone()),
        _ => None,
    }
}

/// Called by the C shim with the formatted text.
#[no_mangle]
extern "C" fn doppel_rs_message(
    h: *mut c_void,
    kind: *const c_char,
    _id: *const c_char,
    text: *const c_char,
    persistent: c_int,
) -> OfxStatus {
    guard(|| {
        let kind = c_str(kind).unwrap_or("").to_owned();
        let text = c_str(text).unwrap_or("").to_owned();
        let known = [
            kOfxMessageFatal,
            kOfxMessageError,
            kOfxMessageWarning,
            kOfxMessageMessage,
            kOfxMessageLog,
            kOfxMessageQuestion,
        ];
        if !known.iter().any(|k| n(k) == kind) {
            runtime::violation(format!("message of unknown type '{kind}': {text}"));
        }
        let Some(log) = log_of(h) else {
            if persistent != 0 {
                runtime::violation("setPersistentMessage on something that is not an effect");
                return kOfxStatErrBadHandle;
            }
            // Messages without an instance (NULL handle, descriptors) go to the action's log.
            return kOfxStatOK;
        };
        let entry = (kind.clone(), text);
        lock(&log.messages).push(entry.clone());
        if kind == n(kOfxMessageError) || kind == n(kOfxMessageFatal) {
            *lock(&log.last_error) = Some(entry.clone());
        }
        if persistent != 0 {
            *lock(&log.persistent) = Some(entry);
        }
        if kind == n(kOfxMessageQuestion) {
            kOfxStatReplyYes
        } else {
            kOfxStatOK
        }
    })
}

unsafe extern "C" fn clear_persistent_message(h: *mut c_void) -> OfxStatus {
    guard(|| match log_of(h) {
        Some(log) => {
            *lock(&log.persistent) = None;
            kOfxStatOK
        }
        None => {
            runtime::violation("clearPersistentMessage on something that is not an effect");
            kOfxStatErrBadHandle
        }
    })
}

/// Memory handed to the plugin (memory suite and image memory), 16-byte aligned.
pub(crate) struct MemBlock {
    ptr: *mut u128,
    len: usize,
}

// SAFETY: the block is plain memory the plugin owns while allocated; the host never reads it.
unsafe impl Send for MemBlock {}
// SAFETY: as above.
unsafe impl Sync for MemBlock {}

impl MemBlock {
    pub(crate) fn new(bytes: usize) -> Option<MemBlock> {
        let len = bytes.div_ceil(16).max(1);
        let mut v = Vec::new();
        v.try_reserve_exact(len).ok()?;
        v.resize(len, 0u128);
        let ptr = Box::into_raw(v.into_boxed_slice()).cast::<u128>();
        Some(MemBlock { ptr, len })
    }

    pub(crate) fn ptr(&self) -> usize {
        self.ptr as usize
    }
}

impl Drop for MemBlock {
    fn drop(&mut self) {
        let slice = std::ptr::slice_from_raw_parts_mut(self.ptr, self.len);
        // SAFETY: exactly the pointer and length Box::into_raw produced, freed once.
        drop(unsafe { Box::from_raw(slice) });
    }
}

/// memoryAlloc'd blocks by address.
static BLOCKS: LazyLock<Mutex<HashMap<usize, MemBlock>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

pub(crate) const MEMORY_SUITE: OfxMemorySuiteV1 = OfxMemorySuiteV1 {
    memoryAlloc: Some(memory_alloc),
    memoryFree: Some(memory_free),
};

unsafe extern "C" fn memory_alloc(_h: *mut c_void, n: usize, out: *mut *mut c_void) -> OfxStatus {
    guard(|| match MemBlock::new(n) {
        Some(b) => {
            put(out, b.ptr() as *mut c_void);
            lock(&BLOCKS).insert(b.ptr(), b);
            kOfxStatOK
        }
        None => kOfxStatErrMemory,
    })
}

unsafe extern "C" fn memory_free(p: *mut c_void) -> OfxStatus {
    guard(|| match lock(&BLOCKS).remove(&(p as usize)) {
        Some(_) => kOfxStatOK,
        None => {
            runtime::violation("memoryFree of memory not from memoryAlloc (or freed twice)");
            kOfxStatErrBadHandle
        }
    })
}

/// A recursive mutex for the plugin.
#[derive(Default)]
pub(crate) struct HostMutex {
    state: Mutex<(Option<ThreadId>, u32)>,
    freed: Condvar,
}

pub(crate) const THREAD_SUITE: OfxMultiThreadSuiteV1 = OfxMultiThreadSuiteV1 {
    multiThread: Some(multi_thread),
    multiThreadNumCPUs: Some(num_cpus),
    multiThreadIndex: Some(thread_index),
    multiThreadIsSpawnedThread: Some(is_spawned),
    mutexCreate: Some(mutex_create),
    mutexDestroy: Some(mutex_destroy),
    mutexLock: Some(mutex_lock),
    mutexUnLock: Some(mutex_unlock),
    mutexTryLock: Some(mutex_try_lock),
};

thread_local! {
    static SPAWNED: std::cell::Cell<Option<u32>> = const { std::cell::Cell::new(None) };
}

/// The plugin's argument, carried to worker threads (it is the plugin's to synchronise).
struct SendPtr(*mut c_void);
// SAFETY: OFX hands customArg to every spawned thread by design; the plugin owns its safety.
unsafe impl Send for SendPtr {}
// SAFETY: as above.
unsafe impl Sync for SendPtr {}

fn cpus() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| u32::try_from(n.get()).unwrap_or(1))
}

unsafe extern "C" fn multi_thread(
    func: OfxThreadFunctionV1,
    n: c_uint,
    arg: *mut c_void,
) -> OfxStatus {
    let Some(func) = func else {
        return kOfxStatErrValue;
    };
    let n = if n == 0 { cpus() } else { n };
    let arg = SendPtr(arg);
    let arg = &arg;
    std::thread::scope(|s| {
        for i in 0..n {
            s.spawn(move || {
                SPAWNED.with(|c| c.set(Some(i)));
                // SAFETY: calling the plugin's thread function as the multithread suite promises.
                unsafe { func(i, n, arg.0) };
            });
        }
    });
    kOfxStatOK
}

unsafe extern "C" fn num_cpus(out: *mut c_uint) -> OfxStatus {
    put(out, cpus());
    kOfxStatOK
}

unsafe extern "C" fn thread_index(out: *mut c_uint) -> OfxStatus {
    put(out, SPAWNED.with(|c| c.get()).unwrap_or(0));
    kOfxStatOK
}

unsafe extern "C" fn is_spawned() -> c_int {
    c_int::from(SPAWNED.with(|c| c.get()).is_some())
}

fn host_mutex(h: OfxMutexHandle) -> Option<Arc<HostMutex>> {
    match registry::get(key(h)) {
        Some(Obj::Mutex(m)) => Some(m),
        _ => {
            runtime::violation("mutex function called with a handle that is not a mutex");
            None
        }
    }
}

unsafe extern "C" fn mutex_create(out: *mut OfxMutexHandle, count: c_int) -> OfxStatus {
    let m = HostMutex::default();
    if count > 0 {
        *lock(&m.state) = (Some(std::thread::current().id()), count.unsigned_abs());
    }
    put(out, handle(registry::register(Obj::Mutex(Arc::new(m)))));
    kOfxStatOK
}

unsafe extern "C" fn mutex_destroy(h: OfxMutexHandle) -> OfxStatus {
    match host_mutex(h) {
        Some(_) => {
            registry::remove(key(h));
            kOfxStatOK
        }
        None => kOfxStatErrBadHandle,
    }
}

unsafe extern "C" fn mutex_lock(h: OfxMutexHandle) -> OfxStatus {
    let Some(m) = host_mutex(h) else {
        return kOfxStatErrBadHandle;
    };
    let me = std::thread::current().id();
    let mut st = lock(&m.state);
    while st.0.is_some_and(|t| t != me) {
        st = m.freed.wait(st).unwrap_or_else(|e| e.into_inner());
    }
    *st = (Some(me), st.1 + 1);
    kOfxStatOK
}

unsafe extern "C" fn mutex_unlock(h: OfxMutexHandle) -> OfxStatus {
    let Some(m) = host_mutex(h) else {
        return kOfxStatErrBadHandle;
    };
    let me = std::thread::current().id();
    let mut st = lock(&m.state);
    if st.0 != Some(me) {
        runtime::violation("mutexUnLock by a thread that does not hold the mutex");
        return kOfxStatErrValue;
    }
    st.1 -= 1;
    if st.1 == 0 {
        st.0 = None;
        m.freed.notify_one();
    }
    kOfxStatOK
}

unsafe extern "C" fn mutex_try_lock(h: OfxMutexHandle) -> OfxStatus {
    let Some(m) = host_mutex(h) else {
        return kOfxStatErrBadHandle;
    };
    let me = std::thread::current().id();
    let mut st = lock(&m.state);
    if st.0.is_some_and(|t| t != me) {
        return kOfxStatFailed;
    }
    *st = (Some(me), st.1 + 1);
    kOfxStatOK
}
