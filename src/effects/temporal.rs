//! Temporal glue for the effects (issue 4): the Source frames a render at t reads
//! (t − k − 1 … t + k + 1), and the per-frame analyses of that window, taken from the
//! process-wide [`analysis_cache`], that [`faces_at`] turns into the smoothed faces at t.
//!
//! A frame's cache key is its content ([`content_hash`]: host image ids are unreliable), its
//! time and a hash of every setting that changes detection ([`AnalysisSettings`]); its value is
//! a pure function of that frame. So the faces at t depend only on the window's pixels and the
//! settings, never on render order, instance or thread.

use std::path::Path;
use std::sync::Arc;

use super::{ClipFetch, EffectError, InputFrame};
use crate::colour::ColourSpace;
use crate::swap::paste::PixelOps;
use crate::swap::select::FaceSelection;
use crate::swap::{FaceFinder, ModelFrame};
use crate::temporal::{
    analysis_cache, content_hash, face_colour_stats, faces_at, stable_hash, FrameAnalysis,
    FrameKey, Signature, TemporalFace, TemporalSettings, Window,
};

/// The clip temporal effects read at other times.
pub const SOURCE: &str = "Source";

/// Bumped whenever the analysis itself changes, so stale entries are never reused.
const ANALYSIS_VERSION: u32 = 4;

/// The Source frames a render at `time` with radius `k` reads: one extra on each side for the
/// cut decisions at the window's edges.
pub fn window_range(time: f64, radius: usize) -> (f64, f64) {
    let k = radius as f64 + 1.0;
    (time - k, time + k)
}

/// Everything besides the pixels that changes a frame's analysis.
#[derive(Debug, Clone, Copy)]
pub struct AnalysisSettings<'a> {
    /// The detector file (`None` = the bundled one).
    pub detector: Option<&'a Path>,
    pub cpu_only: bool,
    pub threshold: f32,
    /// Minimum face size in frame pixels (already at the render scale).
    pub min_face_px: f32,
    pub render_scale: (f64, f64),
    pub colour_space: ColourSpace,
    /// The recogniser file when identity embeddings are part of the analysis.
    pub recogniser: Option<&'a Path>,
}

impl AnalysisSettings<'_> {
    /// A stable hash of the settings, the detector file's size and modification time included.
    pub fn hash(&self) -> u64 {
        let file = |p: Option<&Path>| {
            let p = p?;
            let meta = std::fs::metadata(p).ok()?;
            let modified = meta
                .modified()
                .ok()
                .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            Some((meta.len(), modified))
        };
        stable_hash(&(
            ANALYSIS_VERSION,
            self.detector.map(|p| p.to_string_lossy().into_owned()),
            file(self.detector),
            self.recogniser.map(|p| p.to_string_lossy().into_owned()),
            file(self.recogniser),
            self.cpu_only,
            self.threshold.to_bits(),
            self.min_face_px.to_bits(),
            self.render_scale.0.to_bits(),
            self.render_scale.1.to_bits(),
            self.colour_space == ColourSpace::Srgb,
        ))
    }
}

/// One frame's analysis: detections in frame pixels, the cut signature of the detection view,
/// the plate's colour statistics around each face and, with `embeddings`, each face's identity
/// embedding (empty where the recogniser fails). A pure function of the frame and the settings
/// (the CPU or the GPU doing the per-pixel work is one: `cpu_only` is part of the key).
pub fn analyse(
    frame: &crate::Frame,
    ops: &dyn PixelOps,
    finder: &dyn FaceFinder,
    space: ColourSpace,
    embeddings: bool,
) -> Result<FrameAnalysis, EffectError> {
    let model = ModelFrame::with_ops(frame, space, ops);
    let (faces, view) = model
        .find_faces_and_view(finder)
        .map_err(|e| EffectError(e.to_string()))?;
    let colour = faces
        .iter()
        .map(|f| face_colour_stats(frame, space, f))
        .collect();
    let embeddings = match embeddings {
        true => faces
            .iter()
            .map(|f| finder.embedding(&model, f).unwrap_or_default())
            .collect(),
        false => Vec::new(),
    };
    Ok(FrameAnalysis {
        faces,
        embeddings,
        signature: Signature::of(&view),
        colour,
    })
}

/// The analyses of the window around `time` (`frames[k + 1]` is `time`; `None` for frames the
/// host does not have, fails to give, or gives at another size or placement than `source`).
/// Neighbours are fetched to be identified by content; each is analysed only on a cache miss.
pub fn window_analyses(
    source: &InputFrame,
    time: f64,
    radius: usize,
    settings: u64,
    clips: &mut dyn ClipFetch,
    analyse: &dyn Fn(&crate::Frame) -> Result<FrameAnalysis, EffectError>,
) -> Result<Vec<Option<Arc<FrameAnalysis>>>, EffectError> {
    let side = radius as i64 + 1;
    let cache = analysis_cache();
    let mut out = Vec::with_capacity(2 * side as usize + 1);
    for offset in -side..=side {
        let t = time + offset as f64;
        if offset == 0 {
            let key = FrameKey::new(content_hash(&source.frame), t, settings);
            out.push(Some(cache.get_or_compute(&key, || analyse(&source.frame))?));
            continue;
        }
        // A cached neighbour is only hashed in place, never copied.
        let mut cached = None;
        let fetched = clips.fetch_identified(SOURCE, t, &mut |content, placement| {
            if *placement != source.placement {
                return false;
            }
            cached = cache.get(&FrameKey::new(content, t, settings));
            cached.is_none()
        });
        let identified = match fetched {
            Ok(Some(image)) if image.placement == source.placement => image,
            Ok(_) => {
                out.push(None);
                continue;
            }
            Err(e) => {
                log::debug!("temporal window: Source at {t}: {e}");
                out.push(None);
                continue;
            }
        };
        let analysis = match (cached, identified.frame) {
            (Some(hit), _) => hit,
            (None, Some(frame)) => {
                let key = FrameKey::new(identified.content, t, settings);
                cache.get_or_compute(&key, || analyse(&frame))?
            }
            (None, None) => {
                log::debug!("temporal window: Source at {t} came without its pixels");
                out.push(None);
                continue;
            }
        };
        out.push(Some(analysis));
    }
    Ok(out)
}

/// The smoothed faces to swap at the window's centre.
/// `reference`: the identity [`FaceSelection::ClosestTo`] compares each track's embeddings with.
pub fn smoothed_faces(
    analyses: &[Option<Arc<FrameAnalysis>>],
    radius: usize,
    selection: FaceSelection,
    reference: Option<&[f32]>,
) -> Vec<TemporalFace> {
    let frames: Vec<Option<&FrameAnalysis>> = analyses.iter().map(|a| a.as_deref()).collect();
    let window = Window {
        frames: &frames,
        centre: radius + 1,
    };
    let settings = TemporalSettings {
        radius,
        ..TemporalSettings::default()
    };
    faces_at(&window, &settings, selection, reference)
}
