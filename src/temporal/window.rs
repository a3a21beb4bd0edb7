//! The per-frame entry point: from the cached analyses of the frames around t to the faces to
//! swap at t (split at cuts, linked into tracks, chosen per track, smoothed, faded).

use std::ops::Range;

use super::cache::{AnalysisCache, ByteSize, FrameKey};
use super::colour_stats::smooth_colour;
use super::cut::{detect_cuts, split_window, CutSettings, Signature};
use super::smooth::{fade, smooth_track};
use super::track::{link_with, FrameFaces, LinkSettings, Track, Tracks};
use crate::blend::ColourStats;
use crate::face::SimilarityParts;
use crate::swap::select::{cosine_distance, FaceSelection};
use crate::swap::FoundFace;

/// Default half-window k (frames each side): 13 frames, tricube-weighted local linear fit.
pub const DEFAULT_RADIUS: usize = 6;

/// Default byte budget of the process-wide [`analysis_cache`] (a frame's analysis is ~2 KiB
/// plus 2 KiB per face with an embedding, so this holds tens of thousands of frames).
pub const DEFAULT_CACHE_BYTES: usize = 64 << 20;

/// Everything cached about one source frame.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameAnalysis {
    /// Detections (frame pixels), in the detector's order.
    pub faces: Vec<FoundFace>,
    /// Identity embeddings index-aligned with `faces`; empty when none were computed.
    pub embeddings: Vec<Vec<f32>>,
    /// The cut signature of the frame.
    pub signature: Signature,
    /// The plate's colour statistics in each face's region (see [`super::colour_stats`]),
    /// index-aligned with `faces`; empty when none were computed.
    pub colour: Vec<Option<ColourStats>>,
}

impl ByteSize for FrameAnalysis {
    fn byte_size(&self) -> usize {
        use std::mem::size_of;
        size_of::<FrameAnalysis>()
            + self.faces.capacity() * size_of::<FoundFace>()
            + self.embeddings.capacity() * size_of::<Vec<f32>>()
            + self
                .embeddings
                .iter()
                .map(|e| e.capacity() * 4)
                .sum::<usize>()
            + std::mem::size_of_val(self.signature.cells())
            + self.colour.capacity() * size_of::<Option<ColourStats>>()
    }
}

static ANALYSIS: AnalysisCache<FrameKey, FrameAnalysis> = AnalysisCache::new(DEFAULT_CACHE_BYTES);

/// The process-wide analysis cache shared by every instance and render thread.
pub fn analysis_cache() -> &'static AnalysisCache<FrameKey, FrameAnalysis> {
    &ANALYSIS
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TemporalSettings {
    /// k: frames read on each side of t; 0 = per-frame behaviour (no smoothing, no fades).
    pub radius: usize,
    /// Frames of the fade at real track ends (shortened to fit the radius).
    pub fade_frames: usize,
    pub link: LinkSettings,
    pub cuts: CutSettings,
}

impl Default for TemporalSettings {
    fn default() -> Self {
        TemporalSettings {
            radius: DEFAULT_RADIUS,
            fade_frames: 3,
            link: LinkSettings::default(),
            cuts: CutSettings::default(),
        }
    }
}

/// The analyses around t: `frames[centre]` is t, `frames[i]` is t + i − centre, `None` where
/// the frame is outside the clip or could not be read. Frames farther than the radius from the
/// centre are used for cut context only (pass one extra on each side, see [`super::cut`]).
/// A centre outside `frames` or `None` there gives no faces.
#[derive(Debug, Clone, Copy)]
pub struct Window<'a> {
    pub frames: &'a [Option<&'a FrameAnalysis>],
    pub centre: usize,
}

/// A face to swap at t.
#[derive(Debug, Clone, PartialEq)]
pub struct TemporalFace {
    /// Smoothed box, landmarks and score (align these as a per-frame detection).
    pub face: FoundFace,
    /// The smoothed pose (canonical shape → frame).
    pub parts: SimilarityParts,
    /// Strength multiplier 0..1: below 1 near a real track start or end.
    pub fade: f32,
    /// The plate's colour statistics in the face region, smoothed over the track at t (the
    /// colour match's target, see [`super::colour_target`]); `None` without statistics.
    pub colour: Option<ColourStats>,
    /// Detected at t (else interpolated across a detector miss).
    pub observed: bool,
    /// Index of its track in [`Linked::tracks`].
    pub track: usize,
}

/// A window linked into tracks over the run of frames around the centre that no cut crosses.
#[derive(Debug, Clone, PartialEq)]
pub struct Linked<'a> {
    /// The run, in window positions (within the radius of the centre).
    pub run: Range<usize>,
    /// The centre's position inside `run`.
    pub centre: usize,
    /// Detections of the run's frames.
    pub faces: Vec<FrameFaces<'a>>,
    /// Embeddings of the run's frames (empty lists where none).
    pub embeddings: Vec<&'a [Vec<f32>]>,
    /// Colour statistics of the run's frames' faces (empty lists where none).
    pub colour: Vec<&'a [Option<ColourStats>]>,
    pub tracks: Tracks,
}

impl<'a> Window<'a> {
    /// The run around the centre that no cut crosses, limited to `radius` frames each side.
    pub fn run(&self, settings: &TemporalSettings) -> Range<usize> {
        let signatures: Vec<Option<&Signature>> = self
            .frames
            .iter()
            .map(|f| f.map(|a| &a.signature))
            .collect();
        let cuts = detect_cuts(&signatures, &settings.cuts);
        let run = split_window(self.frames.len(), &cuts, self.centre);
        let lo = self.centre.saturating_sub(settings.radius).max(run.start);
        let hi = (self.centre + settings.radius + 1).min(run.end);
        lo..hi
    }

    /// Splits, then links the run's detections (IoU, and identity distance where both faces
    /// have embeddings and `settings.link.max_distance` is set).
    pub fn link(&self, settings: &TemporalSettings) -> Linked<'a> {
        let run = if self.frames.get(self.centre).is_some_and(Option::is_some) {
            self.run(settings)
        } else {
            0..0
        };
        let slice = &self.frames[run.clone()];
        let faces: Vec<FrameFaces<'a>> = slice.iter().map(|f| f.map(|a| &a.faces[..])).collect();
        let embeddings: Vec<&'a [Vec<f32>]> = slice
            .iter()
            .map(|f| f.map_or(&[][..], |a| &a.embeddings[..]))
            .collect();
        let colour: Vec<&'a [Option<ColourStats>]> = slice
            .iter()
            .map(|f| f.map_or(&[][..], |a| &a.colour[..]))
            .collect();
        let tracks = link_with(&faces, &settings.link, |(j, d), (j2, d2)| {
            cosine_distance(embeddings[j].get(d)?, embeddings[j2].get(d2)?)
        });
        Linked {
            centre: self.centre.saturating_sub(run.start),
            run,
            faces,
            embeddings,
            colour,
            tracks,
        }
    }
}

impl Linked<'_> {
    /// Mean of `value` over a track's observations.
    fn mean(&self, track: &Track, mut value: impl FnMut(&FoundFace) -> f64) -> f64 {
        let (mut sum, mut n) = (0.0, 0usize);
        for (j, d) in track.observations() {
            sum += value(&self.faces[j].expect("observed")[d]);
            n += 1;
        }
        sum / n.max(1) as f64
    }

    /// Mean identity distance of a track to `reference` over its observations with embeddings.
    fn reference_distance(&self, track: &Track, reference: &[f32]) -> Option<f64> {
        let (mut sum, mut n) = (0.0, 0usize);
        for (j, d) in track.observations() {
            if let Some(dist) = self.embeddings[j]
                .get(d)
                .and_then(|e| cosine_distance(e, reference))
            {
                sum += f64::from(dist);
                n += 1;
            }
        }
        (n > 0).then(|| sum / n as f64)
    }

    /// The tracks chosen at the centre, decided per track over the run: `Largest` = largest
    /// mean box area, `Index(n)` = n-th by mean box centre from the left, `ClosestTo` = the
    /// smallest mean distance of its embeddings to `reference` (if within the limit), `All`.
    pub fn select(&self, selection: FaceSelection, reference: Option<&[f32]>) -> Vec<usize> {
        let c = self.centre;
        let tracks = &self.tracks.tracks;
        let area = |f: &FoundFace| {
            let b = f.bbox;
            f64::from((b[2] - b[0]).max(0.0) * (b[3] - b[1]).max(0.0))
        };
        let chosen = match selection {
            FaceSelection::All => return self.tracks.present_at(c).collect(),
            FaceSelection::Largest => self.tracks.best_at(c, |t| Some(self.mean(t, area))),
            FaceSelection::Index(n) => {
                let mut order: Vec<(f64, usize)> = self
                    .tracks
                    .present_at(c)
                    .map(|i| {
                        let x = self.mean(&tracks[i], |f| f64::from(f.bbox[0] + f.bbox[2]));
                        (x, i)
                    })
                    .collect();
                order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                order.get(n).map(|&(_, i)| i)
            }
            FaceSelection::ClosestTo { max_distance } => {
                let reference = reference.unwrap_or(&[]);
                self.tracks.best_at(c, |t| {
                    let d = self.reference_distance(t, reference)?;
                    (d <= f64::from(max_distance)).then_some(-d)
                })
            }
        };
        chosen.into_iter().collect()
    }

    /// Track `i` smoothed at the centre, with its fade weight.
    pub fn face(&self, i: usize, settings: &TemporalSettings) -> Option<TemporalFace> {
        let track = self.tracks.tracks.get(i)?;
        let s = smooth_track(&self.faces, track, self.centre, settings.radius)?;
        let confirm = (settings.link.max_gap + 1).min(settings.radius);
        let ramp = settings
            .fade_frames
            .min(settings.radius.saturating_sub(confirm));
        let span = 0..self.faces.len();
        // Only this run's frames: statistics are never carried across a cut.
        let colour: Vec<Option<ColourStats>> = (0..self.faces.len())
            .map(|j| *self.colour[j].get(track.members[j]?)?)
            .collect();
        Some(TemporalFace {
            face: s.face,
            parts: s.parts,
            fade: fade(track, self.centre, span, ramp, confirm),
            colour: smooth_colour(&colour, self.centre, settings.radius),
            observed: s.observed,
            track: i,
        })
    }
}

/// The faces to swap at the window's centre (in track order): split at cuts, link, choose per
/// track, smooth, fade. `reference` is the identity for [`FaceSelection::ClosestTo`].
pub fn faces_at(
    window: &Window,
    settings: &TemporalSettings,
    selection: FaceSelection,
    reference: Option<&[f32]>,
) -> Vec<TemporalFace> {
    let linked = window.link(settings);
    linked
        .select(selection, reference)
        .into_iter()
        .filter_map(|i| linked.face(i, settings))
        .collect()
}
