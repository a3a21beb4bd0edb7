//! Linking per-frame detections across a window into tracks, and choosing tracks.
//!
//! Linking is a pure function of the window's detection lists: frames are visited in time
//! order, each frame's detections in a canonical order (by box, then score, then index), so
//! neither the order in which frames were analysed nor the order a detector listed its faces
//! changes the tracks. Each frame, every open track (its last observation at most
//! [`LinkSettings::max_gap`] frames without a match ago) is scored against every detection by
//! the IoU of the boxes; pairs below [`LinkSettings::min_iou`], or whose optional identity
//! distance exceeds [`LinkSettings::max_distance`], are ineligible; the rest are matched
//! greedily, best IoU first (ties: older track, then canonical detection order). Unmatched
//! detections start new tracks.

use crate::swap::FoundFace;

/// One frame's detections as the linker sees them; `None` = no usable frame (treated like a
/// frame without detections; the window is normally split there first, see [`super::cut`]).
pub type FrameFaces<'a> = Option<&'a [FoundFace]>;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkSettings {
    /// Smallest box IoU that can link two observations.
    pub min_iou: f32,
    /// Frames without a matching detection a track survives (detector misses).
    pub max_gap: usize,
    /// Largest identity distance (e.g. cosine, from the distance hook) that can link.
    pub max_distance: Option<f32>,
}

impl Default for LinkSettings {
    fn default() -> Self {
        LinkSettings {
            min_iou: 0.3,
            max_gap: 2,
            max_distance: None,
        }
    }
}

/// A face followed through the window: `members[j]` is the index of its detection in frame j
/// (the frame's own list order), or `None` where it was not detected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Track {
    pub members: Vec<Option<usize>>,
}

impl Track {
    /// First and last frames with an observation.
    pub fn first(&self) -> usize {
        self.members.iter().position(Option::is_some).unwrap_or(0)
    }

    pub fn last(&self) -> usize {
        self.members.iter().rposition(Option::is_some).unwrap_or(0)
    }

    /// Whether frame j lies within the track's extent (observed, or a gap between observations).
    pub fn covers(&self, j: usize) -> bool {
        self.first() <= j && j <= self.last()
    }

    /// `(frame, detection index)` of every observation, in time order.
    pub fn observations(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.members
            .iter()
            .enumerate()
            .filter_map(|(j, m)| m.map(|d| (j, d)))
    }
}

/// The tracks of a window, in order of their first observation (then canonical order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracks {
    pub tracks: Vec<Track>,
}

impl Tracks {
    /// Indices of the tracks covering frame `j`.
    pub fn present_at(&self, j: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.tracks.len()).filter(move |&i| self.tracks[i].covers(j))
    }

    /// The track covering frame `j` with the highest `score` (`None` scores are not eligible;
    /// ties go to the earlier track): the per-track decision of which face is "the" face at j.
    pub fn best_at(&self, j: usize, mut score: impl FnMut(&Track) -> Option<f64>) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for i in self.present_at(j) {
            if let Some(s) = score(&self.tracks[i]).filter(|s| !s.is_nan()) {
                if best.is_none_or(|(_, b)| s > b) {
                    best = Some((i, s));
                }
            }
        }
        best.map(|(i, _)| i)
    }
}

/// IoU of two `[x0, y0, x1, y1]` boxes (0 when either is empty).
pub fn iou(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let area = |r: &[f32; 4]| (r[2] - r[0]).max(0.0) * (r[3] - r[1]).max(0.0);
    let w = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let h = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let inter = w * h;
    let union = area(a) + area(b) - inter;
    if union > 0.0 && inter.is_finite() {
        inter / union
    } else {
        0.0
    }
}

/// Detection indices of one frame in canonical order.
fn canonical(faces: &[FoundFace]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..faces.len()).collect();
    order.sort_by(|&a, &b| {
        let (fa, fb) = (&faces[a], &faces[b]);
        (0..4)
            .map(|c| fa.bbox[c].total_cmp(&fb.bbox[c]))
            .chain([fa.score.total_cmp(&fb.score), a.cmp(&b)])
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    order
}

/// Links by IoU alone.
pub fn link(frames: &[FrameFaces], settings: &LinkSettings) -> Tracks {
    link_with(frames, settings, |_, _| None)
}

/// Links with an identity hook: `distance((j, d), (j2, d2))` is the identity distance between
/// detection d of frame j and detection d2 of frame j2 (`None` when unknown: IoU decides).
pub fn link_with(
    frames: &[FrameFaces],
    settings: &LinkSettings,
    mut distance: impl FnMut((usize, usize), (usize, usize)) -> Option<f32>,
) -> Tracks {
    let n = frames.len();
    let mut tracks: Vec<Track> = Vec::new();
    // Last observation (frame, detection) of each track.
    let mut last: Vec<(usize, usize)> = Vec::new();
    for (j, faces) in frames.iter().enumerate() {
        let Some(faces) = faces else { continue };
        let order = canonical(faces);
        let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
        for (t, &(lj, ld)) in last.iter().enumerate() {
            if j - lj - 1 > settings.max_gap {
                continue;
            }
            let prev = frames[lj].expect("observed frames have detections")[ld].bbox;
            for (rank, &d) in order.iter().enumerate() {
                let overlap = iou(&prev, &faces[d].bbox);
                if overlap < settings.min_iou || overlap.is_nan() {
                    continue;
                }
                if let (Some(max), Some(dist)) = (settings.max_distance, distance((lj, ld), (j, d)))
                {
                    if dist.is_nan() || dist > max {
                        continue;
                    }
                }
                pairs.push((overlap, t, rank));
            }
        }
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut track_used = vec![false; tracks.len()];
        let mut det_used = vec![false; order.len()];
        for (_, t, rank) in pairs {
            if !track_used[t] && !det_used[rank] {
                track_used[t] = true;
                det_used[rank] = true;
                tracks[t].members[j] = Some(order[rank]);
                last[t] = (j, order[rank]);
            }
        }
        for (rank, &d) in order.iter().enumerate() {
            if !det_used[rank] {
                let mut members = vec![None; n];
                members[j] = Some(d);
                tracks.push(Track { members });
                last.push((j, d));
            }
        }
    }
    Tracks { tracks }
}
