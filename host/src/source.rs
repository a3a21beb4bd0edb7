//! What feeds the effect's input clips: frame sequences, stills and closures.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::frame_cache::FrameCache;
use crate::image::HostImage;

/// An input clip's media. Frame `t` of a clip is `image(t)`; `None` means "no image at that time".
pub trait ClipSource: Send + Sync {
    fn image(&self, time: f64) -> Option<HostImage>;

    /// First and last frame (inclusive) that have images.
    fn frame_range(&self) -> (f64, f64);

    /// The image size at `time`, without decoding when the source knows it.
    fn size(&self, time: f64) -> Option<(usize, usize)> {
        self.image(time).map(|i| (i.width, i.height))
    }

    /// The media file, reported by the Resolve profile as `OfxImageEffectPropSrcFilePath`.
    fn source_path(&self) -> Option<String> {
        None
    }
}

/// The frame index of an integral time.
fn index(time: f64) -> Option<usize> {
    let r = time.round();
    if (time - r).abs() > 1e-6 || r < 0.0 {
        return None;
    }
    Some(r as usize)
}

/// Frame `t` is element `t` (integral times only).
impl ClipSource for Vec<HostImage> {
    fn image(&self, time: f64) -> Option<HostImage> {
        index(time).and_then(|i| self.get(i)).cloned()
    }

    fn frame_range(&self) -> (f64, f64) {
        (0.0, self.len().saturating_sub(1) as f64)
    }

    fn size(&self, time: f64) -> Option<(usize, usize)> {
        index(time)
            .and_then(|i| self.get(i))
            .map(|i| (i.width, i.height))
    }
}

/// A still: the same image at every time.
impl ClipSource for HostImage {
    fn image(&self, _time: f64) -> Option<HostImage> {
        Some(self.clone())
    }

    fn frame_range(&self) -> (f64, f64) {
        (f64::from(i32::MIN), f64::from(i32::MAX))
    }

    fn size(&self, _time: f64) -> Option<(usize, usize)> {
        Some((self.width, self.height))
    }
}

/// A clip computed by a closure over a frame range.
pub struct FnSource<F> {
    range: (f64, f64),
    f: F,
    path: Option<String>,
}

impl<F: Fn(f64) -> Option<HostImage> + Send + Sync> FnSource<F> {
    pub fn new(range: (f64, f64), f: F) -> Self {
        Self {
            range,
            f,
            path: None,
        }
    }

    /// Reports `path` as the media file (Resolve's `OfxImageEffectPropSrcFilePath`).
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }
}

impl<F: Fn(f64) -> Option<HostImage> + Send + Sync> ClipSource for FnSource<F> {
    fn image(&self, time: f64) -> Option<HostImage> {
        if time < self.range.0 - 1e-6 || time > self.range.1 + 1e-6 {
            return None;
        }
        (self.f)(time)
    }

    fn frame_range(&self) -> (f64, f64) {
        self.range
    }

    fn source_path(&self) -> Option<String> {
        self.path.clone()
    }
}

/// Shorthand for [`FnSource::new`].
pub fn source_fn<F: Fn(f64) -> Option<HostImage> + Send + Sync>(
    range: (f64, f64),
    f: F,
) -> FnSource<F> {
    FnSource::new(range, f)
}

/// A connected clip: its media and a process-unique id (used in image unique identifiers).
#[derive(Clone)]
pub(crate) struct Connected {
    pub source: Arc<dyn ClipSource>,
    pub id: u64,
    /// The host's frame cache for this clip, when it has one.
    pub cache: Option<Arc<FrameCache>>,
}

static NEXT_SOURCE: AtomicU64 = AtomicU64::new(1);

/// The inputs of an instance: clip name → media. A clip left out is not connected (the profile
/// decides what the plugin then sees).
#[derive(Clone, Default)]
pub struct Clips {
    pub(crate) map: BTreeMap<String, Connected>,
}

impl Clips {
    pub fn new() -> Self {
        Self::default()
    }

    /// Connects clip `name` to `source`.
    pub fn with(self, name: &str, source: impl ClipSource + 'static) -> Self {
        self.with_arc(name, Arc::new(source))
    }

    /// Connects clip `name` to a shared source.
    pub fn with_arc(mut self, name: &str, source: Arc<dyn ClipSource>) -> Self {
        let id = NEXT_SOURCE.fetch_add(1, Ordering::Relaxed);
        self.map.insert(
            name.to_owned(),
            Connected {
                source,
                id,
                cache: None,
            },
        );
        self
    }

    /// Connects clip `name` to a shared source behind a frame cache of `budget` bytes: each
    /// frame is read and laid out once and then served from memory, as real hosts serve the
    /// neighbours a temporal effect reads (so benchmarks measure the plugin, not this host's
    /// copies). The source must give the same image for a time on every call.
    pub fn with_cached(self, name: &str, source: Arc<dyn ClipSource>, budget: usize) -> Self {
        let mut clips = self.with_arc(name, source);
        if let Some(c) = clips.map.get_mut(name) {
            c.cache = Some(Arc::new(FrameCache::new(budget)));
        }
        clips
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vec_frames_are_indexed_by_time() {
        let frames = vec![HostImage::new(2, 1), HostImage::new(3, 1)];
        assert_eq!(frames.frame_range(), (0.0, 1.0));
        assert_eq!(frames.size(1.0), Some((3, 1)));
        assert!(frames.image(0.5).is_none());
        assert!(frames.image(2.0).is_none());
    }

    #[test]
    fn closures_respect_their_range() {
        let s = source_fn((1.0, 3.0), |t| Some(HostImage::filled(1, 1, [t as f32; 4])));
        assert_eq!(s.image(2.0).unwrap().get(0, 0)[0], 2.0);
        assert!(s.image(4.0).is_none());
    }
}
