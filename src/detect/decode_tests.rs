//! Decoder, NMS, recognition and letterbox tests on hand-made tensors: each encodes known faces
//! the way its model family does, and the decoder must give them back.

use super::decode::{self, iou, nms, Candidate};
use super::*;

const BOX: [f32; 4] = [100.0, 80.0, 180.0, 190.0];
const LMS: [(f32, f32); 5] = [
    (120.0, 120.0),
    (160.0, 121.0),
    (140.0, 145.0),
    (125.0, 165.0),
    (157.0, 166.0),
];

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() < 1e-3
}

fn assert_face(c: &Candidate, bbox: [f32; 4], lms: [(f32, f32); 5], score: f32) {
    assert!(close(c.score, score), "score {} vs {score}", c.score);
    assert!(
        c.bbox.iter().zip(bbox).all(|(a, b)| close(*a, b)),
        "{:?} vs {bbox:?}",
        c.bbox
    );
    for (g, w) in c.landmarks.iter().zip(lms) {
        assert!(close(g.0, w.0) && close(g.1, w.1), "{g:?} vs {w:?}");
    }
}

fn shifted(d: f32) -> ([f32; 4], [(f32, f32); 5]) {
    (BOX.map(|v| v + d), LMS.map(|(x, y)| (x + d, y + d)))
}

/// SCRFD outputs for a `w`×`h` input (strides 8/16/32, 2 anchors) with faces at
/// (stride, col, row, anchor, score, box, landmarks); `batch` adds the leading axis.
type ScrfdFace = (usize, usize, usize, usize, f32, [f32; 4], [(f32, f32); 5]);
fn scrfd_outputs(w: usize, h: usize, batch: bool, faces: &[ScrfdFace]) -> Vec<Tensor> {
    let mut out: Vec<Vec<f32>> = Vec::new();
    let strides = [8, 16, 32];
    let count = |s: usize| w.div_ceil(s) * h.div_ceil(s) * 2;
    for k in [1, 4, 10] {
        for s in strides {
            out.push(vec![0.05; count(s) * k]);
        }
    }
    for &(s, col, row, a, score, bbox, lms) in faces {
        let level = strides.iter().position(|&v| v == s).unwrap();
        let i = (row * w.div_ceil(s) + col) * 2 + a;
        let (cx, cy, sf) = ((col * s) as f32, (row * s) as f32, s as f32);
        out[level][i] = score;
        let d = [
            (cx - bbox[0]) / sf,
            (cy - bbox[1]) / sf,
            (bbox[2] - cx) / sf,
            (bbox[3] - cy) / sf,
        ];
        out[3 + level][4 * i..4 * i + 4].copy_from_slice(&d);
        for (j, (x, y)) in lms.iter().enumerate() {
            out[6 + level][10 * i + 2 * j] = (x - cx) / sf;
            out[6 + level][10 * i + 2 * j + 1] = (y - cy) / sf;
        }
    }
    out.into_iter()
        .zip([1, 1, 1, 4, 4, 4, 10, 10, 10])
        .map(|(v, k)| {
            let n = v.len() / k;
            Tensor::f32(if batch { vec![1, n, k] } else { vec![n, k] }, v)
        })
        .collect()
}

#[test]
fn scrfd_decodes_known_faces_in_both_output_layouts() {
    let (b2, l2) = shifted(3.0);
    let (b3, l3) = shifted(300.0);
    let faces = [
        (16, 8, 8, 1, 0.9, BOX, LMS),
        (8, 17, 17, 0, 0.8, b2, l2), // the same face, weaker: NMS removes it
        (32, 13, 12, 1, 0.7, b3, l3),
    ];
    for batch in [false, true] {
        let outputs = scrfd_outputs(640, 640, batch, &faces);
        let found = nms(decode::scrfd(&outputs, (640, 640), 0.5).unwrap(), 0.4);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_face(&found[0], BOX, LMS, 0.9);
        assert_face(&found[1], b3, l3, 0.7);
    }
    // A non-square input: the anchor grid follows the input's width.
    let outputs = scrfd_outputs(640, 384, true, &faces[..1]);
    let found = decode::scrfd(&outputs, (640, 384), 0.5).unwrap();
    assert_face(&found[0], BOX, LMS, 0.9);
    // Wrong input size for these outputs: an error, not a wrong face.
    assert!(decode::scrfd(&outputs, (640, 640), 0.5).is_err());
    assert!(decode::scrfd(&outputs[..6], (640, 384), 0.5).is_err());
}

#[test]
fn yunet_decodes_a_known_face() {
    let (w, h) = (640usize, 480usize);
    let mut out: Vec<Vec<f32>> = Vec::new();
    for k in [1, 1, 4, 10] {
        for s in [8, 16, 32] {
            out.push(vec![0.0; w.div_ceil(s) * h.div_ceil(s) * k]);
        }
    }
    let (s, col, row) = (32usize, 4usize, 3usize);
    let i = row * w.div_ceil(s) + col;
    let sf = s as f32;
    out[2][i] = 0.95; // cls, stride 32
    out[5][i] = 0.9; // obj
    let (cx, cy) = ((BOX[0] + BOX[2]) / 2.0, (BOX[1] + BOX[3]) / 2.0);
    let b = [
        cx / sf - col as f32,
        cy / sf - row as f32,
        ((BOX[2] - BOX[0]) / sf).ln(),
        ((BOX[3] - BOX[1]) / sf).ln(),
    ];
    out[8][4 * i..4 * i + 4].copy_from_slice(&b);
    for (j, (x, y)) in LMS.iter().enumerate() {
        out[11][10 * i + 2 * j] = x / sf - col as f32;
        out[11][10 * i + 2 * j + 1] = y / sf - row as f32;
    }
    let outputs: Vec<Tensor> = out
        .into_iter()
        .enumerate()
        .map(|(g, v)| {
            let k = [1, 1, 4, 10][g / 3];
            Tensor::f32([1, v.len() / k, k], v)
        })
        .collect();
    let found = decode::yunet(&outputs, (w, h), 0.5).unwrap();
    assert_eq!(found.len(), 1);
    assert_face(&found[0], BOX, LMS, 0.95 * 0.9);
    assert!(decode::yunet(&outputs, (w, h), 0.9).unwrap().is_empty());
}

#[test]
fn yolo_face_decodes_a_known_face() {
    let n = 8400;
    let mut v = vec![0.0f32; 20 * n];
    let k = 1234;
    let mut set = |r: usize, x: f32| v[r * n + k] = x;
    set(0, (BOX[0] + BOX[2]) / 2.0);
    set(1, (BOX[1] + BOX[3]) / 2.0);
    set(2, BOX[2] - BOX[0]);
    set(3, BOX[3] - BOX[1]);
    set(4, 0.8);
    for (j, (x, y)) in LMS.iter().enumerate() {
        set(5 + 3 * j, *x);
        set(6 + 3 * j, *y);
        set(7 + 3 * j, 0.99);
    }
    v[4 * n + 77] = f32::NAN; // a broken score never passes
    let outputs = [Tensor::f32([1, 20, n], v)];
    let found = decode::yolo_face(&outputs, 0.5).unwrap();
    assert_eq!(found.len(), 1);
    assert_face(&found[0], BOX, LMS, 0.8);
    assert!(decode::yolo_face(&[Tensor::f32([1, 15, 4], vec![0.0; 60])], 0.5).is_err());
}

#[test]
fn centerface_decodes_a_known_face() {
    let (w, h) = (64usize, 48usize);
    let (mw, mh) = (w / 4, h / 4);
    let n = mw * mh;
    let (mut heat, mut scale, mut offset, mut lms) = (
        vec![0.0; n],
        vec![0.0; 2 * n],
        vec![0.0; 2 * n],
        vec![0.0; 10 * n],
    );
    let (r, c) = (5usize, 7usize);
    let k = r * mw + c;
    let (bw, bh) = (20.0f32, 24.0f32);
    let (ox, oy) = (0.25f32, -0.1f32);
    heat[k] = 0.9;
    heat[k + 1] = 0.3;
    scale[k] = (bh / 4.0).ln();
    scale[n + k] = (bw / 4.0).ln();
    offset[k] = oy;
    offset[n + k] = ox;
    let x0 = (c as f32 + ox + 0.5) * 4.0 - bw / 2.0;
    let y0 = (r as f32 + oy + 0.5) * 4.0 - bh / 2.0;
    let want_lms: [(f32, f32); 5] =
        std::array::from_fn(|j| (x0 + 2.0 + 3.0 * j as f32, y0 + 4.0 + j as f32));
    for (j, (x, y)) in want_lms.iter().enumerate() {
        lms[2 * j * n + k] = (y - y0) / bh;
        lms[(2 * j + 1) * n + k] = (x - x0) / bw;
    }
    let outputs = [
        Tensor::f32([1, 1, mh, mw], heat),
        Tensor::f32([1, 2, mh, mw], scale),
        Tensor::f32([1, 2, mh, mw], offset),
        Tensor::f32([1, 10, mh, mw], lms),
    ];
    let found = decode::centerface(&outputs, (w, h), 0.5).unwrap();
    assert_eq!(found.len(), 1);
    assert_face(&found[0], [x0, y0, x0 + bw, y0 + bh], want_lms, 0.9);
    assert_eq!(decode::centerface(&outputs, (w, h), 0.2).unwrap().len(), 2);
}

#[test]
fn nms_keeps_the_best_of_overlapping_faces() {
    let c = |bbox: [f32; 4], score| Candidate {
        bbox,
        score,
        landmarks: LMS,
    };
    assert!(close(
        iou(&[0.0, 0.0, 10.0, 10.0], &[5.0, 0.0, 15.0, 10.0]),
        1.0 / 3.0
    ));
    assert_eq!(iou(&[0.0, 0.0, 10.0, 10.0], &[20.0, 0.0, 30.0, 10.0]), 0.0);
    assert_eq!(iou(&[0.0, 0.0, 0.0, 0.0], &[0.0, 0.0, 0.0, 0.0]), 0.0);
    let kept = nms(
        vec![
            c([0.0, 0.0, 10.0, 10.0], 0.6),
            c([1.0, 0.0, 11.0, 10.0], 0.9),
            c([6.0, 0.0, 16.0, 10.0], 0.7), // IoU 1/3 with the best: kept at 0.4
            c([50.0, 50.0, 60.0, 60.0], 0.5),
        ],
        0.4,
    );
    let scores: Vec<f32> = kept.iter().map(|k| k.score).collect();
    assert_eq!(scores, [0.9, 0.7, 0.5]);
    assert_eq!(nms(kept.clone(), 0.3).len(), 2);
    assert!(nms(Vec::new(), 0.4).is_empty());
}

#[test]
fn finishing_maps_to_frame_pixels_and_filters_small_faces() {
    // A 1280x1280 frame letterboxed into 640x640: scale 0.5.
    let lb = Letterbox::fit((1280, 1280), (640, 640));
    assert_eq!((lb.scaled, lb.scale), ((640, 640), (0.5, 0.5)));
    let small = Candidate {
        bbox: [0.0, 0.0, 9.0, 9.0],
        score: 0.6,
        landmarks: LMS,
    };
    let face = Candidate {
        bbox: BOX,
        score: 0.8,
        landmarks: LMS,
    };
    let settings = DetectSettings {
        min_face_px: 30.0,
        ..DetectSettings::default()
    };
    let out = finish(vec![small, face], &lb, &settings);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].bbox, [201.0, 161.0, 361.0, 381.0]);
    let cv = out[0].landmarks.to_opencv();
    assert!(
        (cv[0].0 - 240.5).abs() < 1e-9 && (cv[0].1 - 240.5).abs() < 1e-9,
        "{cv:?}"
    );
}

#[test]
fn detectors_are_recognised_by_their_outputs() {
    let spec = |shape: &[Option<usize>]| IoSpec {
        name: "o".into(),
        shape: shape.to_vec(),
        elem: ElemType::F32,
    };
    let many = |dims: &[(usize, usize)], batch: bool| -> Vec<IoSpec> {
        dims.iter()
            .flat_map(|&(k, n)| std::iter::repeat_n(k, n))
            .map(|k| {
                if batch {
                    spec(&[Some(1), None, Some(k)])
                } else {
                    spec(&[None, Some(k)])
                }
            })
            .collect()
    };
    let recognise = DetectorKind::recognise;
    assert_eq!(
        recognise(&many(&[(1, 3), (4, 3), (10, 3)], true)),
        Some(DetectorKind::Scrfd)
    );
    assert_eq!(
        recognise(&many(&[(1, 3), (4, 3), (10, 3)], false)),
        Some(DetectorKind::Scrfd)
    );
    assert_eq!(
        recognise(&many(&[(1, 5), (4, 5), (10, 5)], false)),
        Some(DetectorKind::Scrfd)
    );
    assert_eq!(
        recognise(&many(&[(1, 6), (4, 3), (10, 3)], true)),
        Some(DetectorKind::YuNet)
    );
    assert_eq!(
        recognise(&[spec(&[Some(1), Some(20), Some(8400)])]),
        Some(DetectorKind::YoloFace)
    );
    let cf: Vec<IoSpec> = [1, 2, 2, 10]
        .iter()
        .map(|&c| spec(&[Some(10), Some(c), Some(8), Some(8)]))
        .collect();
    assert_eq!(recognise(&cf), Some(DetectorKind::CenterFace));
    assert_eq!(
        recognise(&many(&[(1, 3), (4, 3)], true)),
        None,
        "SCRFD without keypoints"
    );
    assert_eq!(recognise(&[spec(&[Some(1), Some(512)])]), None);
    assert_eq!(recognise(&[]), None);
}

#[test]
fn letterboxing_scales_pads_and_normalises() {
    // Working resolution: up or down to 640 on the longer side, canvas in multiples of 32.
    let lb = Letterbox::working((1920, 1080), 640, 32);
    assert_eq!((lb.scaled, lb.canvas), ((640, 360), (640, 384)));
    let lb = Letterbox::working((512, 512), 640, 32);
    assert_eq!(
        (lb.scaled, lb.canvas, lb.scale),
        ((640, 640), (640, 640), (1.25, 1.25))
    );
    // Fixed canvas: downscale only.
    assert_eq!(Letterbox::fit((320, 200), (640, 640)).scale, (1.0, 1.0));
    assert_eq!(Letterbox::fit((1280, 720), (640, 640)).scaled, (640, 360));
    // Pixel centres map back: input pixel 0 ↔ frame pixel centre 1.0 at scale 0.5.
    assert_eq!(
        Letterbox::fit((1280, 720), (640, 640)).to_frame((0.0, 0.0)),
        (1.0, 1.0)
    );

    // A flat colour stays flat through any resampling; the pad is normalised black.
    let frame = Frame::filled(300, 170, [0.2, 0.4, 0.6, 1.0]);
    let norm = Normalise {
        bgr: true,
        mean: 127.5,
        std: 128.0,
    };
    let (mut out, mut scratch) = (Vec::new(), Scratch::default());
    for lb in [
        Letterbox::working((300, 170), 96, 32),
        Letterbox::working((300, 170), 640, 32),
        Letterbox::fit((300, 170), (320, 320)),
    ] {
        letterbox(&frame, &lb, norm, &mut out, &mut scratch);
        let (cw, ch) = lb.canvas;
        assert_eq!(out.len(), 3 * cw * ch);
        for (c, want) in [0.6f32, 0.4, 0.2].iter().enumerate() {
            let plane = &out[c * cw * ch..(c + 1) * cw * ch];
            let v = plane[(lb.scaled.1 - 1) * cw + lb.scaled.0 - 1];
            assert!(
                (v - (want * 255.0 - 127.5) / 128.0).abs() < 1e-4,
                "channel {c}: {v}"
            );
            assert!((plane[cw * ch - 1] + 127.5 / 128.0).abs() < 1e-6, "pad");
        }
    }
    // Unscaled: an exact copy.
    let ramp = Frame::from_fn(40, 20, |x, y| [x as f32 / 40.0, y as f32 / 20.0, 0.0, 1.0]);
    let lb = Letterbox::fit((40, 20), (64, 32));
    letterbox(
        &ramp,
        &lb,
        Normalise {
            bgr: false,
            mean: 0.0,
            std: 255.0,
        },
        &mut out,
        &mut scratch,
    );
    assert_eq!(out[5 * 64 + 7], 7.0 / 40.0);
    assert_eq!(out[64 * 32 + 5 * 64 + 7], 5.0 / 20.0);
}
