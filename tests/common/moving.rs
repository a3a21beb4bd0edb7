//! The temporal tests' clip: the astronaut moving 1 px per frame, served by a source that
//! records the times the host asks it for, and the render helpers those tests share.

use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use doppel_host::{ClipSource, HostImage, Instance, RenderOptions};

use super::{assert_clean, plain};

/// Frames in the moving clip.
pub const FRAMES: usize = 12;

/// The astronaut's photo (`scripts/assets.sh` fetches it), loaded once per test binary.
pub fn astronaut() -> &'static HostImage {
    static PLATE: OnceLock<HostImage> = OnceLock::new();
    PLATE.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/assets/astronaut.png");
        HostImage::load(&path).unwrap_or_else(|e| panic!("{e}: run scripts/assets.sh first"))
    })
}

/// Frame t: a 320×256 window of the astronaut, moved 1 px left per frame.
pub fn frame(t: usize) -> HostImage {
    let plate = astronaut();
    HostImage::from_fn(320, 256, |x, y| plate.get(x + 60 + t, y))
}

/// A clip that records the times the host asked it for.
pub struct Recorded {
    pub frames: Vec<HostImage>,
    asked: Mutex<Vec<f64>>,
}

impl Recorded {
    pub fn new(frames: Vec<HostImage>) -> Arc<Recorded> {
        Arc::new(Recorded {
            frames,
            asked: Mutex::new(Vec::new()),
        })
    }

    /// The moving clip, [`FRAMES`] frames.
    pub fn moving() -> Arc<Recorded> {
        Self::new((0..FRAMES).map(frame).collect())
    }

    /// The distinct integral times asked for since the last call, sorted.
    pub fn take(&self) -> Vec<i64> {
        let mut times: Vec<i64> = self
            .asked
            .lock()
            .unwrap()
            .drain(..)
            .map(|t| t.round() as i64)
            .collect();
        times.sort_unstable();
        times.dedup();
        times
    }
}

impl ClipSource for Recorded {
    fn image(&self, time: f64) -> Option<HostImage> {
        self.asked.lock().unwrap().push(time);
        self.frames.image(time)
    }

    fn frame_range(&self) -> (f64, f64) {
        self.frames.frame_range()
    }

    fn size(&self, time: f64) -> Option<(usize, usize)> {
        self.frames.size(time)
    }
}

/// Frame t rendered, with no host-rule violation and no persistent message.
pub fn render(instance: &Instance, t: usize, opts: &RenderOptions) -> HostImage {
    let out = instance.render(t as f64, opts).expect("render");
    assert_clean(instance);
    assert_eq!(instance.persistent_message(), None);
    out
}

/// Frames 0 … [`FRAMES`] − 1 rendered as one sequence, in order.
pub fn render_all(instance: &Instance) -> Vec<HostImage> {
    instance
        .render_sequence(&(0..FRAMES).map(|t| t as f64).collect::<Vec<_>>(), &plain())
        .into_iter()
        .map(|r| r.expect("render"))
        .collect()
}
