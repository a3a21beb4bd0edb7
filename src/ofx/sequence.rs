//! Content hashes of input frames remembered for the length of a batch render: inside a
//! non-interactive BeginSequenceRender … EndSequenceRender the host's inputs cannot change, so
//! each neighbour a temporal effect reads is hashed once per sequence instead of once per
//! render that reads it (a dozen times). Interactive sequences (playback while the user may
//! edit) and parameter changes forget everything.

use std::collections::BTreeMap;

use parking_lot::Mutex;

use crate::effects::Placement;

#[derive(Default)]
struct State {
    /// Open non-interactive sequences.
    batch: usize,
    /// Open interactive sequences: while any is open nothing is remembered.
    interactive: usize,
    /// (clip, time bits) → the image's placement and content hash.
    hashes: BTreeMap<(String, u64), (Placement, u64)>,
}

impl State {
    fn active(&self) -> bool {
        self.batch > 0 && self.interactive == 0
    }
}

/// One instance's memo; render threads share it.
#[derive(Default)]
pub struct SequenceMemo {
    state: Mutex<State>,
}

impl SequenceMemo {
    pub fn begin(&self, interactive: bool) {
        let mut s = self.state.lock();
        if interactive {
            s.interactive += 1;
            s.hashes.clear();
        } else {
            s.batch += 1;
        }
    }

    pub fn end(&self, interactive: bool) {
        let mut s = self.state.lock();
        if interactive {
            s.interactive = s.interactive.saturating_sub(1);
        } else {
            s.batch = s.batch.saturating_sub(1);
        }
        if s.batch == 0 {
            s.hashes.clear();
        }
    }

    /// Drops every remembered hash (a parameter changed, or the host purges caches).
    pub fn forget(&self) {
        self.state.lock().hashes.clear();
    }

    /// The remembered hash of `clip` at `time`, when a batch is open and the image sits where
    /// it sat when hashed.
    pub fn get(&self, clip: &str, time: f64, placement: &Placement) -> Option<u64> {
        let s = self.state.lock();
        if !s.active() {
            return None;
        }
        match s.hashes.get(&(clip.to_owned(), time.to_bits())) {
            Some((p, hash)) if p == placement => Some(*hash),
            _ => None,
        }
    }

    pub fn remember(&self, clip: &str, time: f64, placement: Placement, hash: u64) {
        let mut s = self.state.lock();
        if s.active() {
            s.hashes
                .insert((clip.to_owned(), time.to_bits()), (placement, hash));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_live_only_inside_a_batch_sequence() {
        let memo = SequenceMemo::default();
        let at = Placement::full(4, 4);
        memo.remember("Source", 1.0, at, 7);
        assert_eq!(memo.get("Source", 1.0, &at), None, "no sequence open");
        memo.begin(false);
        memo.remember("Source", 1.0, at, 7);
        assert_eq!(memo.get("Source", 1.0, &at), Some(7));
        assert_eq!(memo.get("Source", 2.0, &at), None);
        assert_eq!(memo.get("Source", 1.0, &Placement::full(2, 2)), None);
        // Interactive playback inside: nothing is trusted until it ends.
        memo.begin(true);
        assert_eq!(memo.get("Source", 1.0, &at), None);
        memo.end(true);
        memo.remember("Source", 1.0, at, 8);
        assert_eq!(memo.get("Source", 1.0, &at), Some(8));
        memo.forget();
        assert_eq!(memo.get("Source", 1.0, &at), None);
        memo.remember("Source", 1.0, at, 9);
        memo.end(false);
        memo.begin(false);
        assert_eq!(
            memo.get("Source", 1.0, &at),
            None,
            "a new sequence starts empty"
        );
    }
}
