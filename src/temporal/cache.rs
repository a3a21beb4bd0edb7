//! A process-wide, byte-bounded LRU cache of per-frame analysis, safe under concurrent renders,
//! and the stable hashes its keys are built from.
//!
//! # Concurrency contract of [`AnalysisCache::get_or_compute`]
//!
//! The first thread to ask for a key that is not resident marks it *pending* and computes it
//! outside the lock; any other thread asking for the same key meanwhile waits and then receives
//! the very same `Arc<V>`. So a resident value is computed at most once. If the computation
//! fails (or panics), nothing is cached, the pending mark is removed and waiting threads
//! compute it themselves (errors are not shared: `E` need not be `Clone`). After an eviction
//! the value is computed again; compute closures must therefore be deterministic (a pure
//! function of the key), which is what makes eviction invisible in the output.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use parking_lot::{Condvar, Mutex};

use crate::swap::FoundFace;
use crate::Frame;

/// How many bytes a cached value holds, its inline size included. Estimates are fine; the
/// cache charges [`ENTRY_OVERHEAD`] more per entry for its own bookkeeping.
pub trait ByteSize {
    fn byte_size(&self) -> usize;
}

/// Bytes charged per entry on top of the value (map node, LRU node, `Arc` header).
pub const ENTRY_OVERHEAD: usize = 128;

impl ByteSize for FoundFace {
    fn byte_size(&self) -> usize {
        std::mem::size_of::<FoundFace>()
    }
}

impl ByteSize for f32 {
    fn byte_size(&self) -> usize {
        4
    }
}

impl<T: ByteSize> ByteSize for Vec<T> {
    fn byte_size(&self) -> usize {
        let spare = (self.capacity() - self.len()) * std::mem::size_of::<T>();
        std::mem::size_of::<Vec<T>>() + spare + self.iter().map(ByteSize::byte_size).sum::<usize>()
    }
}

/// Counters for tests and diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheStats {
    /// Resident entries.
    pub entries: usize,
    /// Bytes charged for the resident entries (never above `budget` once a call returns).
    pub bytes: usize,
    pub budget: usize,
    /// Calls answered from the cache (including waits on another thread's computation).
    pub hits: u64,
    /// Computations started.
    pub computes: u64,
    /// Entries dropped to stay within the budget.
    pub evictions: u64,
}

enum Slot<V> {
    Pending,
    Ready {
        value: Arc<V>,
        bytes: usize,
        tick: u64,
    },
}

struct Inner<K, V> {
    map: BTreeMap<K, Slot<V>>,
    /// LRU order: last-use tick → key (smallest = least recently used).
    order: BTreeMap<u64, K>,
    tick: u64,
    stats: CacheStats,
}

/// A byte-bounded LRU map from `K` to shared values, usable from a `static` (`new` is `const`).
pub struct AnalysisCache<K, V> {
    inner: Mutex<Inner<K, V>>,
    done: Condvar,
}

impl<K: Ord + Clone, V: ByteSize> AnalysisCache<K, V> {
    /// An empty cache holding at most `budget` bytes.
    pub const fn new(budget: usize) -> Self {
        AnalysisCache {
            inner: Mutex::new(Inner {
                map: BTreeMap::new(),
                order: BTreeMap::new(),
                tick: 0,
                stats: CacheStats {
                    entries: 0,
                    bytes: 0,
                    budget,
                    hits: 0,
                    computes: 0,
                    evictions: 0,
                },
            }),
            done: Condvar::new(),
        }
    }

    /// The value for `key`, computed by `compute` when it is not resident (contract above).
    /// A value larger than the whole budget is returned but not kept.
    pub fn get_or_compute<E>(
        &self,
        key: &K,
        compute: impl FnOnce() -> Result<V, E>,
    ) -> Result<Arc<V>, E> {
        {
            let mut g = self.inner.lock();
            loop {
                match g.map.get(key) {
                    Some(Slot::Ready { value, tick, .. }) => {
                        let (value, old) = (Arc::clone(value), *tick);
                        g.touch(key, old);
                        g.stats.hits += 1;
                        return Ok(value);
                    }
                    Some(Slot::Pending) => self.done.wait(&mut g),
                    None => break,
                }
            }
            g.map.insert(key.clone(), Slot::Pending);
            g.stats.computes += 1;
        }
        // Removes the pending mark and wakes waiters if `compute` fails or panics.
        let mut pending = PendingGuard {
            cache: self,
            key: Some(key),
        };
        let value = Arc::new(compute()?);
        pending.key = None;
        let bytes = value.byte_size() + ENTRY_OVERHEAD;
        let mut g = self.inner.lock();
        if bytes <= g.stats.budget {
            g.tick += 1;
            let tick = g.tick;
            let slot = Slot::Ready {
                value: Arc::clone(&value),
                bytes,
                tick,
            };
            g.map.insert(key.clone(), slot);
            g.order.insert(tick, key.clone());
            g.stats.bytes += bytes;
            g.stats.entries += 1;
            g.evict_to_budget();
        } else {
            g.map.remove(key);
        }
        drop(g);
        self.done.notify_all();
        Ok(value)
    }

    /// The resident value for `key`, if any, counted as a use (a hit); `None` when it is
    /// absent or still being computed.
    pub fn get(&self, key: &K) -> Option<Arc<V>> {
        let mut g = self.inner.lock();
        let Some(Slot::Ready { value, tick, .. }) = g.map.get(key) else {
            return None;
        };
        let (value, old) = (Arc::clone(value), *tick);
        g.touch(key, old);
        g.stats.hits += 1;
        Some(value)
    }

    /// The resident value for `key`, if any (does not count as a use).
    pub fn peek(&self, key: &K) -> Option<Arc<V>> {
        match self.inner.lock().map.get(key) {
            Some(Slot::Ready { value, .. }) => Some(Arc::clone(value)),
            _ => None,
        }
    }

    /// Changes the byte budget, evicting least recently used entries as needed.
    pub fn set_budget(&self, budget: usize) {
        let mut g = self.inner.lock();
        g.stats.budget = budget;
        g.evict_to_budget();
    }

    /// Drops every resident entry (pending computations finish and are stored normally).
    pub fn clear(&self) {
        let mut g = self.inner.lock();
        g.map.retain(|_, slot| matches!(slot, Slot::Pending));
        g.order.clear();
        g.stats.entries = 0;
        g.stats.bytes = 0;
    }

    pub fn stats(&self) -> CacheStats {
        self.inner.lock().stats
    }
}

impl<K: Ord + Clone, V> Inner<K, V> {
    fn touch(&mut self, key: &K, old: u64) {
        self.tick += 1;
        let tick = self.tick;
        self.order.remove(&old);
        self.order.insert(tick, key.clone());
        if let Some(Slot::Ready { tick: t, .. }) = self.map.get_mut(key) {
            *t = tick;
        }
    }

    fn evict_to_budget(&mut self) {
        while self.stats.bytes > self.stats.budget {
            let Some((_, key)) = self.order.pop_first() else {
                break;
            };
            if let Some(Slot::Ready { bytes, .. }) = self.map.remove(&key) {
                self.stats.bytes -= bytes;
                self.stats.entries -= 1;
                self.stats.evictions += 1;
            }
        }
    }
}

struct PendingGuard<'a, K: Ord + Clone, V: ByteSize> {
    cache: &'a AnalysisCache<K, V>,
    key: Option<&'a K>,
}

impl<K: Ord + Clone, V: ByteSize> Drop for PendingGuard<'_, K, V> {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            let mut g = self.cache.inner.lock();
            if matches!(g.map.get(key), Some(Slot::Pending)) {
                g.map.remove(key);
            }
            drop(g);
            self.cache.done.notify_all();
        }
    }
}

/// The key of one frame's analysis: which source, which time, and a hash of every setting that
/// changes the result (detector model and its file identity, thresholds, recogniser, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FrameKey {
    /// [`stable_hash`] of the source's identity (Resolve: source file path and source frame
    /// offset; elsewhere the host's unique identifier, or [`content_hash`] of the image).
    pub source: u64,
    /// The frame time's bits (`-0.0` is stored as `0.0`).
    pub time_bits: u64,
    /// [`stable_hash`] of the analysis settings.
    pub settings: u64,
}

impl FrameKey {
    pub fn new(source: u64, time: f64, settings: u64) -> Self {
        let time = if time == 0.0 { 0.0 } else { time };
        FrameKey {
            source,
            time_bits: time.to_bits(),
            settings,
        }
    }
}

/// FNV-1a, 64 bit: a hasher whose output depends only on the bytes fed in (not on the process,
/// the Rust version's random keys or the platform's pointer width), for cache keys.
pub struct StableHasher(u64);

impl Default for StableHasher {
    fn default() -> Self {
        StableHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for StableHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.write(&(n as u64).to_le_bytes());
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// [`StableHasher`] over `value`'s `Hash` (hash floats through `to_bits`).
pub fn stable_hash<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = StableHasher::default();
    value.hash(&mut h);
    h.finish()
}

/// A hash of a frame's size and every pixel's bits: the source identity of last resort (same
/// content ⇒ same analysis, so a collision of equal images is harmless).
pub fn content_hash(frame: &Frame) -> u64 {
    content_hash_rows(frame.width(), frame.height(), |y| frame.row(y))
}

/// [`content_hash`] of an image given row by row (`row(y)`, top row first, `width` pixels
/// each), so a host's image can be identified in place before deciding to copy it. Rows are
/// hashed on their own (in parallel: this runs on every neighbour of every render) and their
/// hashes combined in order, so the result does not depend on the number of threads.
pub fn content_hash_rows<'a>(
    width: usize,
    height: usize,
    row: impl Fn(usize) -> &'a [[f32; 4]] + Sync,
) -> u64 {
    let mut rows = vec![0u64; height];
    // Starting a thread costs tens of microseconds: hand out bands of at least ~64K pixels.
    let grain = (1 << 16) / width.max(1) + 1;
    crate::blend::par::bands(&mut rows, 1, grain, |first, band| {
        for (i, h) in band.iter_mut().enumerate() {
            *h = row_hash(row(first + i));
        }
    });
    let mut h = mix(((width as u64) << 32) | height as u64);
    for r in rows {
        h = mix(h ^ r).rotate_left(23);
    }
    mix(h)
}

fn mix(mut v: u64) -> u64 {
    v = (v ^ (v >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    v = (v ^ (v >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    v ^ (v >> 31)
}

/// One row's hash: four independent multiply-fold lanes (so the CPU overlaps their
/// multiplications), each pixel's 128 bits folded into the lane of its column modulo 4.
fn row_hash(row: &[[f32; 4]]) -> u64 {
    const KEYS: [u64; 4] = [
        0xA076_1D64_78BD_642F,
        0xE703_7ED1_A0B4_28DB,
        0x8EBC_6AF0_9C88_C6E3,
        0x5899_65CC_7537_4CC3,
    ];
    let fold = |a: u64, b: u64| {
        let p = u128::from(a) * u128::from(b);
        (p as u64) ^ ((p >> 64) as u64)
    };
    let bits = |p: &[f32; 4]| {
        (
            u64::from(p[0].to_bits()) | (u64::from(p[1].to_bits()) << 32),
            u64::from(p[2].to_bits()) | (u64::from(p[3].to_bits()) << 32),
        )
    };
    let mut lanes = KEYS;
    let mut chunks = row.chunks_exact(4);
    for chunk in &mut chunks {
        for (lane, (p, key)) in lanes.iter_mut().zip(chunk.iter().zip(KEYS)) {
            let (lo, hi) = bits(p);
            *lane = fold(*lane ^ lo, hi ^ key).wrapping_add(*lane);
        }
    }
    for (lane, (p, key)) in lanes.iter_mut().zip(chunks.remainder().iter().zip(KEYS)) {
        let (lo, hi) = bits(p);
        *lane = fold(*lane ^ lo, hi ^ key).wrapping_add(*lane);
    }
    lanes.iter().fold(row.len() as u64, |h, &l| mix(h ^ l))
}
