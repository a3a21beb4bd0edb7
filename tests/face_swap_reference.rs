//! "Closest to reference photo" with the temporal window: two faces in a clip, a reference
//! photo of one of them; the face chosen (per track, from per-frame identity embeddings in the
//! cached analysis) is the reference's, and the window is read (the selection no longer turns
//! the temporal window off).

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use common::*;
use doppel_host::{ClipSource, Clips, HostImage, HostProfile, ParamValue};

const FRAMES: usize = 10;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn astronaut() -> HostImage {
    HostImage::load(&root().join(".cache/assets/astronaut.png"))
        .unwrap_or_else(|e| panic!("{e}: run scripts/assets.sh first"))
}

/// The astronaut's head (210×260 around the face), mirrored and recoloured for the other person.
fn head(photo: &HostImage, other: bool) -> HostImage {
    HostImage::from_fn(210, 260, |x, y| {
        if other {
            let p = photo.get(120 + 209 - x, 20 + y);
            [p[2] * 0.9, p[0] * 0.8, p[1], 1.0]
        } else {
            photo.get(120 + x, 20 + y)
        }
    })
}

/// Frame t: the astronaut on the left moving 1 px per frame, the other person still on the right.
struct TwoFaces {
    left: HostImage,
    right: HostImage,
    asked: Mutex<Vec<i64>>,
}

impl ClipSource for TwoFaces {
    fn image(&self, time: f64) -> Option<HostImage> {
        self.asked.lock().unwrap().push(time.round() as i64);
        if !(0.0..FRAMES as f64).contains(&time) {
            return None;
        }
        let t = time as usize;
        Some(HostImage::from_fn(480, 280, |x, y| {
            let (lx, rx, top) = (10 + t, 260, 10);
            if (lx..lx + 210).contains(&x) && (top..top + 260).contains(&y) {
                self.left.get(x - lx, y - top)
            } else if (rx..rx + 210).contains(&x) && (top..top + 260).contains(&y) {
                self.right.get(x - rx, y - top)
            } else {
                [0.4, 0.42, 0.45, 1.0]
            }
        }))
    }

    fn frame_range(&self) -> (f64, f64) {
        (0.0, (FRAMES - 1) as f64)
    }
}

/// Mask coverage of the left and right face at `t`, choosing the face closest to `reference`.
fn chosen(reference: &Path, t: usize) -> (f32, f32, Vec<i64>) {
    let photo = astronaut();
    let clip = Arc::new(TwoFaces {
        left: head(&photo, false),
        right: head(&photo, true),
        asked: Mutex::new(Vec::new()),
    });
    let swap = host(HostProfile::Generic)
        .create_instance(
            "com.doppel.FaceSwap",
            "OfxImageEffectContextFilter",
            Clips::new().with_arc("Source", clip.clone()),
        )
        .expect("create Face Swap");
    let path = |p: PathBuf| ParamValue::String(p.display().to_string());
    for (id, value) in [
        (
            "identity",
            path(root().join("tests/models/per_identity/per_identity_128.onnx")),
        ),
        (
            "recogniserModel",
            path(root().join("tests/models/recognisers/arcface_w600k_r50.onnx")),
        ),
        ("referencePhoto", path(reference.to_path_buf())),
        ("faceSelection", ParamValue::Choice(3)),
        ("referenceDistance", ParamValue::Double(2.0)),
        ("colourSpace", ParamValue::Choice(1)),
        ("pixelBoost", ParamValue::Choice(0)),
        ("output", ParamValue::Choice(2)),
        ("temporalRadius", ParamValue::Int(6)),
    ] {
        swap.set_value(id, value)
            .unwrap_or_else(|e| panic!("set {id}: {e}"));
    }
    let mask = swap.render(t as f64, &plain()).expect("render");
    assert_clean(&swap);
    assert_eq!(swap.persistent_message(), None);
    let coverage = |x0: usize| {
        let (mut sum, mut n) = (0.0, 0);
        for y in 80..200 {
            for x in x0 + 70..x0 + 140 {
                sum += mask.get(x, y)[3];
                n += 1;
            }
        }
        sum / n as f32
    };
    let mut asked = clip.asked.lock().unwrap().clone();
    asked.sort_unstable();
    asked.dedup();
    (coverage(10 + t), coverage(260), asked)
}

#[test]
fn the_face_closest_to_the_reference_is_swapped_through_the_window() {
    let (left, right, asked) = chosen(&root().join(".cache/assets/astronaut.png"), 4);
    assert!(
        left > 0.5 && right == 0.0,
        "the astronaut (left) is chosen: {left} vs {right}"
    );
    assert_eq!(asked, (-3..=11).collect::<Vec<_>>(), "the window was read");

    // A photo of the other person chooses the other face.
    let photo = astronaut();
    let other = head(&photo, true);
    let reference = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("other_person.png");
    let mut padded = HostImage::filled(400, 400, [0.4, 0.42, 0.45, 1.0]);
    for y in 0..260 {
        for x in 0..210 {
            padded.set(95 + x, 70 + y, other.get(x, y));
        }
    }
    padded.save(&reference).expect("save the reference photo");
    let (left, right, _) = chosen(&reference, 4);
    assert!(
        right > 0.5 && left == 0.0,
        "the other person (right) is chosen: {left} vs {right}"
    );
}
