//! A host's frame cache, opt-in per clip ([`crate::Clips::with_cached`]): each input frame is
//! read from its source and laid out once, then the same buffer serves every fetch while it
//! stays cached, as Resolve and Nuke serve neighbour frames to temporal effects.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::ffi::imagebuf::ImageBuf;
use crate::render::{ImageLayout, RowOrder};

/// What identifies a laid-out frame: time, render scale and layout.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    time_bits: u64,
    scale_bits: u64,
    top_down: bool,
    row_padding_bytes: usize,
    origin: (i32, i32),
}

/// A laid-out input frame and the origin of its bounds.
pub(crate) type Entry = (Arc<ImageBuf>, (i32, i32));

struct Inner {
    frames: BTreeMap<Key, (Entry, u64)>,
    /// Last-use tick → key, least recently used first.
    order: BTreeMap<u64, Key>,
    tick: u64,
    bytes: usize,
}

/// Byte-bounded LRU of laid-out frames of one clip.
pub struct FrameCache {
    budget: usize,
    inner: Mutex<Inner>,
}

impl FrameCache {
    /// A cache holding at most `budget` bytes of pixels.
    pub fn new(budget: usize) -> FrameCache {
        FrameCache {
            budget,
            inner: Mutex::new(Inner {
                frames: BTreeMap::new(),
                order: BTreeMap::new(),
                tick: 0,
                bytes: 0,
            }),
        }
    }

    /// The cached frame, or the one `make` lays out (then kept).
    pub(crate) fn get_or_insert(
        &self,
        time: f64,
        scale: f64,
        layout: &ImageLayout,
        make: impl FnOnce() -> Option<Entry>,
    ) -> Option<Entry> {
        let key = Key {
            time_bits: time.to_bits(),
            scale_bits: scale.to_bits(),
            top_down: layout.row_order == RowOrder::TopDown,
            row_padding_bytes: layout.row_padding_bytes,
            origin: layout.origin,
        };
        {
            let mut g = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            let g = &mut *g;
            g.tick += 1;
            if let Some((entry, used)) = g.frames.get_mut(&key) {
                g.order.remove(used);
                *used = g.tick;
                g.order.insert(g.tick, key);
                return Some(entry.clone());
            }
        }
        // Laid out outside the lock: two threads may both make a frame; the last one is kept.
        let entry = make()?;
        let bytes = entry.0.width * entry.0.height * 16;
        let mut g = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let g = &mut *g;
        g.tick += 1;
        if let Some(((old, _), used)) = g.frames.insert(key.clone(), (entry.clone(), g.tick)) {
            g.order.remove(&used);
            g.bytes -= old.width * old.height * 16;
        }
        g.order.insert(g.tick, key);
        g.bytes += bytes;
        while g.bytes > self.budget {
            let Some((_, oldest)) = g.order.pop_first() else {
                break;
            };
            if let Some(((old, _), _)) = g.frames.remove(&oldest) {
                g.bytes -= old.width * old.height * 16;
            }
        }
        Some(entry)
    }
}
