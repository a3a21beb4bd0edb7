//! Cache, linking, selection, determinism and unit properties of the temporal path.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

use super::synthetic::{render, render_at, Cache, Clip, Motion, FRAMES};
use super::*;
use crate::face::test_rng::Rng;
use crate::face::{Landmarks, Similarity};
use crate::swap::select::{select, FaceSelection};
use crate::swap::FoundFace;
use crate::Frame;

struct Bytes(usize);
impl ByteSize for Bytes {
    fn byte_size(&self) -> usize {
        self.0
    }
}

#[test]
fn concurrent_requests_for_one_key_compute_once() {
    let cache: AnalysisCache<u32, Bytes> = AnalysisCache::new(1 << 20);
    let computed = AtomicUsize::new(0);
    let barrier = Barrier::new(8);
    let got: Vec<Arc<Bytes>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    cache
                        .get_or_compute(&7, || {
                            computed.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(std::time::Duration::from_millis(50));
                            Ok::<_, ()>(Bytes(100))
                        })
                        .unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(computed.load(Ordering::SeqCst), 1);
    assert!(got.iter().all(|v| Arc::ptr_eq(v, &got[0])));
    let stats = cache.stats();
    assert_eq!((stats.computes, stats.hits, stats.entries), (1, 7, 1));
}

#[test]
fn failures_and_panics_are_not_cached() {
    let cache: AnalysisCache<u32, Bytes> = AnalysisCache::new(1 << 20);
    assert_eq!(cache.get_or_compute(&1, || Err("no")).err(), Some("no"));
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = cache.get_or_compute(&1, || -> Result<Bytes, ()> { panic!("detector crashed") });
    }));
    assert!(panicked.is_err());
    // Neither left the key pending or cached: the next call computes (and does not hang).
    let v = cache.get_or_compute(&1, || Ok::<_, ()>(Bytes(10))).unwrap();
    assert_eq!(v.0, 10);
    assert_eq!(cache.stats().computes, 3);
    // A value larger than the budget is returned but not kept.
    let huge = cache
        .get_or_compute(&2, || Ok::<_, ()>(Bytes(2 << 20)))
        .unwrap();
    assert_eq!(huge.0, 2 << 20);
    assert!(cache.peek(&2).is_none() && cache.stats().bytes <= 1 << 20);
}

#[test]
fn the_cache_stays_within_its_budget_with_lru_eviction() {
    let budget = 50 * (1000 + ENTRY_OVERHEAD);
    let cache: AnalysisCache<u32, Bytes> = AnalysisCache::new(budget);
    let mut rng = Rng::new(3);
    for i in 0..5000u32 {
        let key = if i % 3 == 0 { 0 } else { i }; // key 0 stays hot
        let size = rng.range(200.0, 3000.0) as usize;
        cache
            .get_or_compute(&key, || Ok::<_, ()>(Bytes(size)))
            .unwrap();
        assert!(cache.stats().bytes <= budget, "{:?}", cache.stats());
    }
    let stats = cache.stats();
    assert!(stats.evictions > 3000 && stats.entries > 10, "{stats:?}");
    assert!(
        cache.peek(&0).is_some(),
        "the most recently used entry survives"
    );
    assert!(cache.peek(&1).is_none());
    cache.set_budget(0);
    assert_eq!((cache.stats().entries, cache.stats().bytes), (0, 0));
}

/// A clip with everything in it: a cut, detector misses, a face that leaves, noise.
fn busy_clip() -> Clip {
    let mut clip = Clip::new(Motion::Pan(2.0), 2.6, 77);
    clip.cut = Some(40);
    clip.missing = vec![10, 11, 39, 41];
    clip.present = 3..66;
    clip
}

#[test]
fn eviction_changes_no_output() {
    let clip = busy_clip();
    let s = TemporalSettings::default();
    let reference = render(&clip, &s, &Cache::new(1 << 24));
    // Room for ~12 frames while a window needs 15: every render recomputes evicted frames.
    let one = (clip.analyse(0).byte_size() + ENTRY_OVERHEAD) * 12;
    let small = Cache::new(one);
    let mut out = Vec::new();
    for t in 0..FRAMES {
        out.push(render_at(&clip, t, &s, &small));
        assert!(small.stats().bytes <= one);
    }
    assert!(small.stats().evictions > 100, "{:?}", small.stats());
    assert_eq!(out, reference);
    // A cache that holds nothing at all changes nothing either.
    assert_eq!(render(&clip, &s, &Cache::new(0)), reference);
}

#[test]
fn output_is_the_same_in_any_order_thread_count_instance_count_and_chunking() {
    let clip = busy_clip();
    let s = TemporalSettings::default();
    let reference = render(&clip, &s, &Cache::new(1 << 24));
    assert!(reference.iter().filter(|f| f.is_some()).count() > 55);
    // Shuffled order, fresh cache.
    let mut order: Vec<usize> = (0..FRAMES).collect();
    let mut rng = Rng::new(9);
    for i in (1..order.len()).rev() {
        order.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
    }
    let cache = Cache::new(1 << 24);
    let mut shuffled = vec![None; FRAMES];
    for &t in &order {
        shuffled[t] = render_at(&clip, t, &s, &cache);
    }
    assert_eq!(shuffled, reference);
    // Four threads sharing one small cache, interleaved frames, reversed order.
    let shared = Cache::new(1 << 16);
    let threaded: Vec<Vec<(usize, Option<TemporalFace>)>> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let (clip, s, shared) = (&clip, &s, &shared);
                sc.spawn(move || {
                    (0..FRAMES)
                        .rev()
                        .filter(|t| t % 4 == i)
                        .map(|t| (t, render_at(clip, t, s, shared)))
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (t, face) in threaded.into_iter().flatten() {
        assert_eq!(face, reference[t], "t={t}");
    }
    // Chunked ranges, each on its own "instance" (own cache).
    for chunk in [0..7, 7..40, 40..41, 41..FRAMES] {
        let own = Cache::new(1 << 24);
        for t in chunk {
            assert_eq!(render_at(&clip, t, &s, &own), reference[t], "t={t}");
        }
    }
}

fn face_at(x: f32, y: f32, size: f32) -> FoundFace {
    let lm = [(0.3, 0.4), (0.7, 0.4), (0.5, 0.6), (0.35, 0.8), (0.65, 0.8)];
    FoundFace {
        bbox: [x, y, x + size, y + size],
        score: 0.9,
        landmarks: Landmarks::new(
            lm.map(|(u, v)| (f64::from(x + u * size), f64::from(y + v * size))),
        ),
    }
}

#[test]
fn linking_does_not_depend_on_analysis_or_detection_order() {
    // Face A walks right past a still face B; C appears late; A is missed for two frames.
    let frames: Vec<Vec<FoundFace>> = (0..15)
        .map(|t| {
            let mut f = vec![face_at(500.0, 300.0, 120.0)];
            if t != 6 && t != 7 {
                f.push(face_at(100.0 + 12.0 * t as f32, 320.0, 100.0));
            }
            if t >= 9 {
                f.push(face_at(1200.0, 200.0, 90.0));
            }
            f
        })
        .collect();
    let refs: Vec<Option<&[FoundFace]>> = frames.iter().map(|f| Some(&f[..])).collect();
    let tracks = link(&refs, &LinkSettings::default());
    let boxes = |tracks: &Tracks, frames: &[Vec<FoundFace>]| -> Vec<Vec<Option<[f32; 4]>>> {
        let per = |t: &Track| -> Vec<Option<[f32; 4]>> {
            (0..frames.len())
                .map(|j| t.members[j].map(|d| frames[j][d].bbox))
                .collect()
        };
        tracks.tracks.iter().map(per).collect()
    };
    let want = boxes(&tracks, &frames);
    assert_eq!(want.len(), 3, "A across its gap, B, C");
    assert!(tracks
        .tracks
        .iter()
        .any(|t| t.members[6].is_none() && t.covers(6)));
    // Detector order reversed or rotated per frame: the same tracks, in the same order.
    let mut rng = Rng::new(5);
    for _ in 0..10 {
        let permuted: Vec<Vec<FoundFace>> = frames
            .iter()
            .map(|f| {
                let mut f = f.clone();
                let by = (rng.next_u64() % f.len() as u64) as usize;
                f.rotate_left(by);
                f
            })
            .collect();
        let refs: Vec<Option<&[FoundFace]>> = permuted.iter().map(|f| Some(&f[..])).collect();
        assert_eq!(
            boxes(&link(&refs, &LinkSettings::default()), &permuted),
            want
        );
    }
    // A gap longer than max_gap splits the track.
    let strict = LinkSettings {
        max_gap: 1,
        ..LinkSettings::default()
    };
    assert_eq!(link(&refs, &strict).tracks.len(), 4);
}

#[test]
fn the_chosen_face_is_decided_per_track() {
    // Two faces of nearly the same size with noisy boxes: the per-frame "largest" flips,
    // the per-track choice does not.
    let mut rng = Rng::new(8);
    let analyses: Vec<FrameAnalysis> = (0..40)
        .map(|_| {
            let mut jitter = || rng.range(-5.0, 5.0) as f32;
            FrameAnalysis {
                faces: vec![
                    face_at(300.0, 300.0, 100.0 + jitter()),
                    face_at(900.0, 300.0, 104.0 + jitter()),
                ],
                embeddings: Vec::new(),
                signature: Signature::of(&Frame::filled(32, 18, [0.5; 4])),
                colour: Vec::new(),
            }
        })
        .collect();
    let per_frame: Vec<usize> = analyses
        .iter()
        .map(|a| {
            let boxes: Vec<[f32; 4]> = a.faces.iter().map(|f| f.bbox).collect();
            select(&boxes, FaceSelection::Largest, |_| None)[0]
        })
        .collect();
    assert!(
        per_frame.windows(2).any(|w| w[0] != w[1]),
        "test needs flips"
    );
    let s = TemporalSettings::default();
    for t in 0..40 {
        let frames: Vec<Option<&FrameAnalysis>> = (t as isize - 7..=t as isize + 7)
            .map(|j| usize::try_from(j).ok().and_then(|j| analyses.get(j)))
            .collect();
        let faces = faces_at(
            &Window {
                frames: &frames,
                centre: 7,
            },
            &s,
            FaceSelection::Largest,
            None,
        );
        assert_eq!(faces.len(), 1);
        let outside = Window {
            frames: &frames,
            centre: 99,
        };
        assert!(faces_at(&outside, &s, FaceSelection::All, None).is_empty());
        assert!(
            faces[0].face.bbox[0] > 800.0,
            "t={t}: the larger face on average"
        );
    }
}

#[test]
fn radius_zero_is_the_per_frame_detection() {
    let clip = Clip::new(Motion::Pan(2.0), 2.6, 4);
    let s = TemporalSettings {
        radius: 0,
        ..TemporalSettings::default()
    };
    for (t, face) in render(&clip, &s, &Cache::new(1 << 20)).iter().enumerate() {
        let face = face.as_ref().unwrap();
        assert_eq!(face.face, clip.detect(t)[0]);
        assert_eq!((face.fade, face.observed), (1.0, true));
    }
}

#[test]
fn rotation_is_unwrapped_before_fitting() {
    // An upside-down face turning at constant speed through ±π about its rigid centroid.
    let base = face_at(400.0, 300.0, 100.0);
    let pose0 = smooth::pose(&base.landmarks).unwrap();
    let at = |t: usize| {
        let turn = Similarity::rotation_by(std::f64::consts::PI - 0.2 + 0.05 * t as f64);
        let about = Similarity::translation(pose0.tx, pose0.ty)
            .compose(&turn)
            .compose(&Similarity::translation(-pose0.tx, -pose0.ty));
        FoundFace {
            landmarks: base.landmarks.transformed(&about),
            ..base.clone()
        }
    };
    let frames: Vec<Vec<FoundFace>> = (0..13).map(|t| vec![at(t)]).collect();
    let refs: Vec<Option<&[FoundFace]>> = frames.iter().map(|f| Some(&f[..])).collect();
    let tracks = link(&refs, &LinkSettings::default());
    for c in 0..13 {
        let got = smooth_track(&refs, &tracks.tracks[0], c, 6).unwrap();
        for (p, q) in got.face.landmarks.0.iter().zip(at(c).landmarks.0) {
            assert!(
                (p.0 - q.0).abs() < 1e-6 && (p.1 - q.1).abs() < 1e-6,
                "c={c}"
            );
        }
    }
}

#[test]
fn the_local_fit_interpolates_and_never_extrapolates() {
    assert_eq!(LocalFit::new(&[0, 1, 2], 4, 6), None);
    assert_eq!(LocalFit::new(&[5, 6], 4, 6), None);
    assert_eq!(LocalFit::new(&[0, 12], 4, 3), None, "samples out of reach");
    let fit = LocalFit::new(&[0, 1, 5, 9], 3, 6).unwrap();
    let total: f64 = fit.weights.iter().map(|w| w.1).sum();
    let moment: f64 = fit.weights.iter().map(|w| w.1 * (w.0 as f64 - 3.0)).sum();
    assert!((total - 1.0).abs() < 1e-12 && moment.abs() < 1e-12);
    assert!((fit.apply(|j| 2.0 + 0.5 * j as f64) - 3.5).abs() < 1e-12);
    assert!(LocalFit::new(&[4], 4, 6).unwrap().is_only(4));
    let series: Vec<Vec<f64>> = (0..9)
        .map(|j| vec![j as f64, 1.0 - 2.0 * j as f64])
        .collect();
    let samples: Vec<Option<&[f64]>> = series
        .iter()
        .enumerate()
        .map(|(j, v)| (j != 4).then_some(&v[..]))
        .collect();
    let got = smooth_values(&samples, 4, 4).unwrap();
    assert!((got[0] - 4.0).abs() < 1e-12 && (got[1] + 7.0).abs() < 1e-12);
}

#[test]
fn cuts_and_runs() {
    let grey = |v: f32| Signature::of(&Frame::filled(64, 36, [v, v, v, 1.0]));
    let sigs = [grey(0.5), grey(0.5), grey(0.9), grey(0.9), grey(0.9)];
    let mut refs: Vec<Option<&Signature>> = sigs.iter().map(Some).collect();
    let s = CutSettings::default();
    assert_eq!(detect_cuts(&refs, &s), vec![false, true, false, false]);
    refs[3] = None;
    let cuts = detect_cuts(&refs, &s);
    assert_eq!(cuts, vec![false, true, true, true]);
    assert_eq!(split_window(5, &cuts, 0), 0..2);
    assert_eq!(split_window(5, &cuts, 2), 2..3);
    assert_eq!(split_window(5, &[false; 4], 3), 0..5);
}

#[test]
fn keys_and_hashes_are_stable() {
    assert_eq!(FrameKey::new(1, -0.0, 2), FrameKey::new(1, 0.0, 2));
    assert_ne!(FrameKey::new(1, 1.0, 2), FrameKey::new(1, 2.0, 2));
    assert_eq!(stable_hash("a.mov"), stable_hash("a.mov"));
    assert_ne!(stable_hash("a.mov"), stable_hash("b.mov"));
    // FNV-1a of the bytes, whatever the process or platform.
    assert_eq!(stable_hash(&7u8), 0xaf63_ba4c_8601_b2c6);
    let a = Frame::filled(4, 3, [0.1, 0.2, 0.3, 1.0]);
    let mut b = a.clone();
    assert_eq!(content_hash(&a), content_hash(&b));
    b.set_pixel(3, 2, [0.1, 0.2, 0.3, 0.999]);
    assert_ne!(content_hash(&a), content_hash(&b));
    assert_ne!(
        content_hash(&a),
        content_hash(&Frame::filled(3, 4, [0.1, 0.2, 0.3, 1.0]))
    );
}
