//! Scene-cut detection from cheap per-frame signatures (a 16×9 RGB thumbnail, computed once per
//! frame and cached with the rest of its analysis), and the split of a window at its cuts.
//!
//! A pair of consecutive frames (a, b) is a cut when the thumbnails' mean absolute difference
//! `d(a, b)` is at least [`CutSettings::certain`], or when it is at least
//! [`CutSettings::min_step`] *and* at least [`CutSettings::ratio`] times the larger of the
//! neighbouring pairs' differences `d(a−1, a)` and `d(b, b+1)` (those present). The ratio test
//! finds faint cuts in calm footage while fast continuous motion, whose neighbouring pairs
//! change as much, is not cut. A missing frame (failed fetch) is treated as a cut on both sides:
//! nothing is ever bridged across a frame whose content is unknown.
//!
//! The decision for (a, b) reads frames a−1 … b+1. A caller that passes its window with one
//! extra frame on each side therefore gets, for every pair inside the window, a decision that
//! does not depend on which window asked; without the margin only the two outermost pairs lose
//! one neighbour (their decision is still a pure function of the window).

use std::ops::Range;

use super::cache::ByteSize;
use crate::Frame;

/// Thumbnail width and height in cells.
pub const THUMB_W: usize = 16;
pub const THUMB_H: usize = 9;

/// A frame's cut signature: the mean RGB of each cell of a 16×9 grid, values clamped to 0..1
/// (compute it on a display-encoded view, e.g. the detection view).
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    cells: Vec<[f32; 3]>,
}

impl Signature {
    /// The signature of `frame` (any size; an empty frame gives an all-black signature).
    pub fn of(frame: &Frame) -> Signature {
        let (w, h) = frame.size();
        let mut sums = vec![[0.0f64; 3]; THUMB_W * THUMB_H];
        let mut counts = vec![0usize; THUMB_W * THUMB_H];
        for y in 0..h {
            let cy = y * THUMB_H / h;
            for (x, p) in frame.row(y).iter().enumerate() {
                let cell = cy * THUMB_W + x * THUMB_W / w;
                for c in 0..3 {
                    let v = if p[c].is_finite() {
                        p[c].clamp(0.0, 1.0)
                    } else {
                        0.0
                    };
                    sums[cell][c] += f64::from(v);
                }
                counts[cell] += 1;
            }
        }
        let cells = sums
            .iter()
            .zip(&counts)
            .map(|(s, &n)| s.map(|v| (v / n.max(1) as f64) as f32))
            .collect();
        Signature { cells }
    }

    /// A signature from its cells (row-major, `THUMB_W × THUMB_H`); `None` for another count.
    pub fn from_cells(cells: Vec<[f32; 3]>) -> Option<Signature> {
        (cells.len() == THUMB_W * THUMB_H).then_some(Signature { cells })
    }

    pub fn cells(&self) -> &[[f32; 3]] {
        &self.cells
    }

    /// Mean absolute difference over cells and channels, in 0..1.
    pub fn distance(&self, other: &Signature) -> f32 {
        let sum: f64 = self
            .cells
            .iter()
            .zip(&other.cells)
            .map(|(a, b)| (0..3).map(|c| f64::from((a[c] - b[c]).abs())).sum::<f64>())
            .sum();
        (sum / (3 * self.cells.len().max(1)) as f64) as f32
    }
}

impl ByteSize for Signature {
    fn byte_size(&self) -> usize {
        std::mem::size_of::<Signature>() + self.cells.capacity() * std::mem::size_of::<[f32; 3]>()
    }
}

/// Thresholds of the cut test (module documentation), in mean absolute difference 0..1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CutSettings {
    pub min_step: f32,
    pub ratio: f32,
    pub certain: f32,
}

impl Default for CutSettings {
    fn default() -> Self {
        // Measured on 160×90 views of the synthetic skin plate (noise σ = 2/255): consecutive
        // frames of a still or panning shot differ by ≈ 0.001 (less at 640×360), a cut between two
        // takes of the same-coloured plate by 0.014, ordinary cuts by far more. A false cut only
        // shortens the smoothing there; a missed one bridges two shots, so lean sensitive.
        CutSettings {
            min_step: 0.005,
            ratio: 4.0,
            certain: 0.10,
        }
    }
}

/// `cuts[i]` = whether there is a cut between `signatures[i]` and `signatures[i + 1]`
/// (length `n − 1`; empty for fewer than two frames).
pub fn detect_cuts(signatures: &[Option<&Signature>], settings: &CutSettings) -> Vec<bool> {
    let n = signatures.len();
    let diff = |i: usize| -> Option<f32> {
        // d(i, i+1), when both exist.
        Some(
            signatures
                .get(i)?
                .as_ref()?
                .distance(signatures.get(i + 1)?.as_ref()?),
        )
    };
    let diffs: Vec<Option<f32>> = (0..n.saturating_sub(1)).map(diff).collect();
    (0..diffs.len())
        .map(|i| {
            let Some(d) = diffs[i] else {
                return true;
            };
            if d >= settings.certain {
                return true;
            }
            let before = i.checked_sub(1).and_then(|j| diffs[j]);
            let after = diffs.get(i + 1).copied().flatten();
            let context = before.into_iter().chain(after).fold(0.0f32, f32::max);
            d >= settings.min_step && d >= settings.ratio * context
        })
        .collect()
}

/// The contiguous run of window positions containing `centre` that no cut crosses:
/// `cuts[i]` separates positions i and i + 1 (as [`detect_cuts`] returns). `len` is the window
/// length; `centre` must be inside it.
pub fn split_window(len: usize, cuts: &[bool], centre: usize) -> Range<usize> {
    assert!(centre < len, "centre {centre} outside a window of {len}");
    let cut = |i: usize| cuts.get(i).copied().unwrap_or(true);
    let start = (0..centre).rev().find(|&i| cut(i)).map_or(0, |i| i + 1);
    let end = (centre..len - 1).find(|&i| cut(i)).map_or(len, |i| i + 1);
    start..end
}
