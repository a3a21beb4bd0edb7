//! Temporal stability (issue 4), host-free: frame t's faces are a pure function of the source
//! frames t − k … t + k, so renders in any order, on any number of instances and threads, in
//! any chunking of the frame range, give the same output.
//!
//! # Pipeline, per rendered frame t
//!
//! 1. **Analyse** each frame of the window once, through the process-wide
//!    [`analysis_cache`] ([`AnalysisCache::get_or_compute`] keyed by [`FrameKey`]: the
//!    source's identity, the time, and a [`stable_hash`] of everything that changes the result,
//!    i.e. detector model and file identity, thresholds, recogniser). A [`FrameAnalysis`] holds the
//!    detections, optional identity embeddings and the cut [`Signature`] (16×9 thumbnail of
//!    the detection view). The cache is bounded in bytes with LRU eviction; analysis must be
//!    deterministic so that recomputing an evicted frame changes nothing.
//! 2. **Split** the window at scene cuts ([`detect_cuts`], [`split_window`]): only the run
//!    containing t is used, so no geometry is ever interpolated between two shots. Unreadable
//!    frames split too.
//! 3. **Link** the run's detections into [`Tracks`] by box IoU (plus an identity-distance gate
//!    when embeddings exist): [`link`], [`link_with`]; independent of analysis order.
//! 4. **Choose** per track, not per frame ([`Linked::select`], or [`Tracks::best_at`] with any
//!    per-track score): e.g. `Largest` = the track with the largest mean box over the run.
//! 5. **Smooth** the chosen track at t ([`smooth_track`]): a tricube-weighted local linear fit
//!    of the pose (rotation unwrapped, log-scale, translation; fitted on the rigid landmarks)
//!    and of the landmark residuals and box: zero lag for constant velocity, interpolation
//!    across detector misses, never extrapolation. Other per-track series use
//!    [`smooth_values`] the same way: the plate's colour statistics in the face region
//!    ([`face_colour_stats`], measured in the analysis) give the colour match's target at t
//!    ([`colour_target`]: the paste mask's statistics corrected towards the smooth, see
//!    [`colour_stats`]).
//! 6. **Fade** ([`fade`]): the swap's strength ramps over a few frames at real track ends.
//!
//! [`faces_at`] runs 2–6 on a [`Window`] and returns the [`TemporalFace`]s to swap at t: the
//! smoothed `FoundFace` (feed it to the per-frame swap in place of the detection), its pose, its
//! fade weight and its smoothed colour statistics (turn them into the paste's colour-match
//! correction with [`colour_target`] on the frame at t).
//!
//! # Host integration (for the effects)
//!
//! Declare temporal clip access on the Source clip and list t − k − 1 … t + k + 1 in
//! GetFramesNeeded (the extra frame on each side gives every cut decision inside the window its
//! full context; with only t ± k the outermost pairs decide with one neighbour). Frames outside
//! the clip or failing to fetch are `None`. Release every fetched image inside the action.
//! Source identity for [`FrameKey::source`]: Resolve's source file path and source frame, else
//! the image's unique identifier, else (Nuke's is constant) [`content_hash`]. The settings hash
//! must cover the render scale and input colour space too (both change detections). Multiply
//! [`TemporalFace::fade`] into the paste strength; the detected-face mask of Face Blend uses the
//! same [`faces_at`].
//!
//! # Settings
//!
//! [`TemporalSettings`]: `radius` k (default [`DEFAULT_RADIUS`] = 6, i.e. 13 frames; 0 = each
//! frame's own detections, unsmoothed and unfaded), `fade_frames` (3), [`LinkSettings`] (IoU ≥
//! 0.3, up to 2 missed frames bridged, optional identity-distance gate), [`CutSettings`].
//!
//! # Measured (`tests_motion.rs`, `cargo test --lib temporal -- --nocapture`)
//!
//! Synthetic 72-frame tracks (IOD 90 px, 5 landmarks + 4 box corners), landmark noise
//! calibrated to CenterFace's raw J2 (0.52 / 1.04 / 2.60 %IOD still / pan 0.5 / pan 2 px per
//! frame; the 0.2 %/frame zoom gets the pan-0.5 level). J2 in %IOD over all frames, clip ends
//! included, at k = 6:
//!
//! | noise model | still | pan 0.5 | pan 2 | zoom | max lag |
//! |---|---|---|---|---|---|
//! | white (i.i.d.) | 0.009 | 0.018 | 0.049 | 0.018 | 0.004 |
//! | coloured (below) | 0.012 | 0.032 | 0.108 | 0.031 | 0.004 |
//! | target | 0.10 | 0.20 | 0.40 | | 0.5 |
//!
//! The coloured model adds a period-6 oscillation to white noise, both amplitudes fitted so the
//! raw J2 and the centred 9-frame mean match quality.md. A centred 9-frame mean gives
//! 0.050 / 0.095 / 0.238 (white) and 0.053 / 0.111 / 0.324 (coloured; quality.md: 0.05 / 0.11 /
//! 0.31). Constant-velocity motion comes out exact (< 1e-6 px) at every frame, clip ends
//! included.

pub mod cache;
pub mod colour_stats;
pub mod cut;
pub mod smooth;
pub mod track;
pub mod window;

#[cfg(test)]
mod synthetic;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_colour;
#[cfg(test)]
mod tests_motion;

pub use cache::{
    content_hash, content_hash_rows, stable_hash, AnalysisCache, ByteSize, CacheStats, FrameKey,
    ENTRY_OVERHEAD,
};
pub use colour_stats::{colour_target, face_colour_stats, face_region};
pub use cut::{detect_cuts, split_window, CutSettings, Signature};
pub use smooth::{fade, smooth_track, smooth_values, LocalFit, Smoothed};
pub use track::{iou, link, link_with, LinkSettings, Track, Tracks};
pub use window::{
    analysis_cache, faces_at, FrameAnalysis, Linked, TemporalFace, TemporalSettings, Window,
    DEFAULT_CACHE_BYTES, DEFAULT_RADIUS,
};
