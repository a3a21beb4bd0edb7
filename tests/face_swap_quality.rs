//! Issue 4's temporal targets (shared/reference/quality.md) measured end to end: quality.md's
//! synthetic 1080p clips of the astronaut (IOD ≈ 90 px, σ = 2/255 noise, exact sub-pixel
//! motion, made on demand by [`doppel::quality::alignment`]), rendered through the test host by Face
//! Swap with the bundled CenterFace detector and the identity stand-in swapper.
//!
//! The geometry is read from the render itself: with output "Mask only" and unequal mask
//! paddings, the mask's frame-space moments give back exactly the frame → crop similarity the
//! render applied, and J2 and lag are computed on the 4 crop corners and 5 template landmarks of
//! that alignment mapped to the frame: the points the swapped face is actually placed by, raw
//! (temporal radius 0, each frame's own detection) and smoothed (the default radius 6). IOD is
//! the applied alignment's eye distance. Run with `--nocapture` for the table; measured (J2 and
//! lag in %IOD; quality.md's raw CenterFace J2, on its own points: 0.52 / 1.04 / 2.60):
//!
//! | clip | J2 raw | J2 smoothed | landmarks only: raw | smoothed | lag | target |
//! |---|---|---|---|---|---|---|
//! | still | 0.474 | 0.010 | 0.277 | 0.005 | −0.002 | J2 ≤ 0.10, lag ≤ 0.5 |
//! | pan 0.5 px | 1.310 | 0.106 | 0.797 | 0.072 | −0.005 | J2 ≤ 0.20, lag ≤ 0.5 |
//! | pan 2 px | 3.565 | 0.184 | 2.164 | 0.130 | −0.017 | J2 ≤ 0.40, lag ≤ 0.5 |
//! | zoom 0.2%, 50 frames | 0.650 | 0.035 | 0.334 | 0.019 | radial 0.008 | reported |
//! | hard cut (within shots) | 1.262 | 0.112 | 0.745 | 0.065 | 0.003 | never bridged |
//!
//! Hard cut: every smoothed frame's landmarks within 1.06 %IOD of its own shot's raw geometry,
//! ≥ 300 %IOD from the other shot's. Output flicker (still, composite, Reinhard): −1.23/255
//! relative to the input's own 2.26/255 (target ≤ 0.5; the round trip through the 128 px crop
//! removes much of the input noise).

mod common;
mod quality;

use std::sync::Arc;

use doppel::quality::clip::{Motion, Shot};
use doppel::quality::{jitter_j2, lag};
use doppel_host::HostImage;
use quality::*;
/// One clip's figures, in %IOD.
struct Row {
    j2_raw: f64,
    j2_smooth: f64,
    lag: f64,
    iod: f64,
}

/// The table's header (print with `--nocapture`).
const HEADER: &str = "\
clip       | 9 points: J2 raw  smoothed | landmarks: J2 raw  smoothed | lag %IOD | IOD px | frames";

/// J2 (all 9 points, and the 5 landmarks alone) and lag along `direction` of one clip, printed
/// as a table row with `extra` after it; J2 is taken within shots (`cuts` are the first frames
/// of new shots). Every frame must have its face.
fn evaluate(
    name: &str,
    raw: &[Points],
    smooth: &[Points],
    direction: (f64, f64),
    cuts: &[usize],
    extra: &str,
) -> Row {
    for (t, (r, s)) in raw.iter().zip(smooth).enumerate() {
        assert!(
            !r.is_empty() && !s.is_empty(),
            "{name}: frame {t} has no face"
        );
    }
    let iod = raw.iter().map(iod).sum::<f64>() / raw.len() as f64;
    let frames = raw.len();
    // An empty frame before each cut: J2 skips the triples that span it.
    let split = |p: &[Points]| -> Vec<Points> {
        let mut out = Vec::with_capacity(p.len() + cuts.len());
        for (t, v) in p.iter().enumerate() {
            if cuts.contains(&t) {
                out.push(Vec::new());
            }
            out.push(v.clone());
        }
        out
    };
    let (raw, smooth) = (&split(raw)[..], &split(smooth)[..]);
    let row = Row {
        j2_raw: jitter_j2(raw, iod),
        j2_smooth: jitter_j2(smooth, iod),
        lag: lag(raw, smooth, direction, iod),
        iod,
    };
    // The crop corners lie ~1.8 IOD from the face centre and so amplify rotation noise.
    let landmarks = |p: &[Points]| -> Vec<Points> {
        p.iter()
            .map(|v| v.get(4..).unwrap_or(&[]).to_vec())
            .collect()
    };
    println!(
        "{HEADER}\n{name:<10} | {:>17.3} {:>9.3} | {:>18.3} {:>9.3} | {:>8.3} | {:>6.1} | {:>6}{extra}",
        row.j2_raw,
        row.j2_smooth,
        jitter_j2(&landmarks(raw), iod),
        jitter_j2(&landmarks(smooth), iod),
        row.lag,
        row.iod,
        frames
    );
    row
}

/// quality.md's targets: smoothed J2 ≤ `target`, |lag| ≤ 0.5 %IOD, and smoothing must help.
fn check(name: &str, row: &Row, target: f64) {
    assert!(
        row.j2_raw > row.j2_smooth,
        "{name}: smoothing must lower J2 ({:.3} → {:.3} %IOD)",
        row.j2_raw,
        row.j2_smooth
    );
    assert!(
        row.j2_smooth <= target,
        "{name}: smoothed J2 {:.3} %IOD > {target}",
        row.j2_smooth
    );
    assert!(row.lag.abs() <= 0.5, "{name}: lag {:.3} %IOD", row.lag);
}

/// The canvas point the clips start the face at.
const START: (f64, f64) = (880.0, 520.0);

/// The greatest distance between corresponding points.
fn max_distance(a: &[(f64, f64)], b: &[(f64, f64)]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(p, q)| (p.0 - q.0).hypot(p.1 - q.1))
        .fold(0.0, f64::max)
}

#[test]
fn still_clip_jitter() {
    let clip = one_shot(START, Motion::Still, 1);
    let back = clip.placement(0).inverse();
    let (raw, smooth) = measure(clip, FRAMES);
    // FACE_CENTRE and PHOTO_IOD's calibration: the applied landmarks' centre, in the photo.
    let n = raw.len() as f64;
    let centre = raw.iter().fold((0.0, 0.0), |acc, p| {
        let c = p[4..]
            .iter()
            .fold((0.0, 0.0), |a, q| (a.0 + q.0, a.1 + q.1));
        (acc.0 + c.0 / 5.0 / n, acc.1 + c.1 / 5.0 / n)
    });
    let centre = back.apply(centre);
    let extra = format!(
        "  (face centre in the photo ({:.1}, {:.1}); quality.md's raw CenterFace J2: 0.52)",
        centre.0, centre.1
    );
    let row = evaluate("still", &raw, &smooth, DIRECTION, &[], &extra);
    check("still", &row, 0.10);
}

#[test]
fn slow_pan_jitter_and_lag() {
    let (raw, smooth) = measure(one_shot(START, pan(0.5), 2), FRAMES);
    let row = evaluate(
        "pan 0.5px",
        &raw,
        &smooth,
        DIRECTION,
        &[],
        "  (quality.md raw: 1.04)",
    );
    check("pan 0.5 px", &row, 0.20);
}

#[test]
fn fast_pan_jitter_and_lag() {
    let (raw, smooth) = measure(one_shot(START, pan(2.0), 3), FRAMES);
    let row = evaluate(
        "pan 2px",
        &raw,
        &smooth,
        DIRECTION,
        &[],
        "  (quality.md raw: 2.60)",
    );
    check("pan 2 px", &row, 0.40);
}

/// Reported, not asserted (quality.md sets no target for the zoom): J2, the lag along the
/// motion direction (≈ 0 by symmetry) and the radial lag (raw − smoothed, outward from the face
/// centre; positive when the smoothed face trails the zoom).
#[test]
fn slow_zoom_jitter() {
    // 50 frames (48 J2 triples) keep the test's time down: the zoom has no target.
    let (raw, smooth) = measure(one_shot(START, Motion::Zoom { rate: 0.002 }, 4), 50);
    let iod0 = raw.iter().map(iod).sum::<f64>() / raw.len() as f64;
    let (mut sum, mut n) = (0.0, 0usize);
    for (r, s) in raw.iter().zip(&smooth) {
        for (p, q) in r.iter().zip(s) {
            let (dx, dy) = (q.0 - START.0, q.1 - START.1);
            let len = dx.hypot(dy);
            sum += ((p.0 - q.0) * dx + (p.1 - q.1) * dy) / len;
            n += 1;
        }
    }
    let radial = 100.0 * sum / (n as f64 * iod0);
    let extra = format!("  (radial lag {radial:.3} %IOD; no target)");
    let row = evaluate("zoom 0.2%", &raw, &smooth, DIRECTION, &[], &extra);
    assert!(row.j2_raw > row.j2_smooth, "zoom: smoothing must lower J2");
}

/// A hard cut at frame 36 to another canvas with the face 300 px away (330 %IOD): every
/// smoothed frame keeps the geometry of its own shot (its 5 landmarks within 3 %IOD) and is
/// nowhere near the other shot's, so no frame shows geometry interpolated across the cut (even
/// 1% of the way across would be 3.3 %IOD). The crop corners' distance is only printed: the
/// detector's slower errors, which no smoothing can tell from motion, are amplified there (the
/// corners lie about twice as far from the face centre as the landmarks).
#[test]
fn hard_cut_is_never_bridged() {
    const CUT: usize = 36;
    let away = (START.0 + 300.0, START.1);
    let shots = vec![
        Shot {
            start: 0,
            background: canvas(),
            face_at: START,
            motion: pan(0.5),
        },
        Shot {
            start: CUT,
            background: other_canvas(),
            face_at: away,
            motion: pan(0.5),
        },
    ];
    let (raw, smooth) = measure(clip(shots, 5), FRAMES);
    let row = evaluate(
        "hard cut",
        &raw,
        &smooth,
        DIRECTION,
        &[CUT],
        "  (J2 within shots)",
    );
    let unit = row.iod / 100.0;
    let radius = DEFAULT_RADIUS as usize;
    let (mut worst_own, mut worst_corner, mut nearest_other): (f64, f64, f64) =
        (0.0, 0.0, f64::INFINITY);
    for (t, smoothed) in smooth.iter().enumerate() {
        // Its own shot's raw geometry at t: per point, the straight line fitted to the raw
        // points of the shot's frames within the temporal window (the motion is linear), which
        // averages the detector's frame-to-frame noise but keeps its slower errors, as the
        // smoothing does. The other shot's: its raw points at its frame nearest to t.
        let (shot, other) = if t < CUT {
            (0..CUT, CUT)
        } else {
            (CUT..FRAMES, CUT - 1)
        };
        let window = t.saturating_sub(radius).max(shot.start)..(t + radius + 1).min(shot.end);
        let line = line_at(&raw, window, t);
        let own = max_distance(&smoothed[4..], &line[4..]) / unit;
        worst_corner = worst_corner.max(max_distance(&smoothed[..4], &line[..4]) / unit);
        let apart = smoothed
            .iter()
            .zip(&raw[other])
            .map(|(p, q)| (p.0 - q.0).hypot(p.1 - q.1))
            .fold(f64::INFINITY, f64::min)
            / unit;
        assert!(
            own <= 3.0,
            "frame {t}: {own:.2} %IOD from its own shot's geometry"
        );
        assert!(
            apart >= 150.0,
            "frame {t}: {apart:.1} %IOD from the other shot's geometry"
        );
        worst_own = worst_own.max(own);
        nearest_other = nearest_other.min(apart);
    }
    println!(
        "hard cut: every smoothed frame's landmarks within {worst_own:.2} %IOD of its own shot's \
         (crop corners {worst_corner:.2}), ≥ {nearest_other:.0} %IOD from the other shot's"
    );
}

/// Per point, the least-squares straight line through `points[frames]` against the frame
/// index, evaluated at frame `t`.
fn line_at(points: &[Points], frames: std::ops::Range<usize>, t: usize) -> Points {
    let n = frames.len() as f64;
    let mean_t = frames.clone().sum::<usize>() as f64 / n;
    let var_t: f64 = frames.clone().map(|i| (i as f64 - mean_t).powi(2)).sum();
    (0..points[frames.start].len())
        .map(|k| {
            let (mut mx, mut my) = (0.0, 0.0);
            for p in &points[frames.clone()] {
                mx += p[k].0 / n;
                my += p[k].1 / n;
            }
            let (mut sx, mut sy) = (0.0, 0.0);
            for (i, p) in frames.clone().zip(&points[frames.clone()]) {
                sx += (p[k].0 - mx) * (i as f64 - mean_t);
                sy += (p[k].1 - my) * (i as f64 - mean_t);
            }
            let dt = t as f64 - mean_t;
            (mx + sx / var_t * dt, my + sy / var_t * dt)
        })
        .collect()
}

/// Output flicker on the still clip (composite, Reinhard colour match, default radius): the mean
/// |O(t) − O(t−1)| over the face minus the input's own, in 1/255, ≤ 0.5.
#[test]
fn still_output_flicker() {
    const N: usize = 16;
    let clip = one_shot(START, Motion::Still, 1);
    let source = Lazy::new(clip);
    let swap = face_swap(source.clone(), DEFAULT_RADIUS, 0, 1);
    // For comparison only: the same composite from each frame's own detection.
    let per_frame = face_swap(source.clone(), 0, 0, 1);
    // The face: from above the brows to the chin, cheek to cheek (the default mask's plateau
    // reaches ±1.3 IOD from the centre).
    let r = 90.0;
    let (x0, x1) = ((START.0 - 0.8 * r) as usize, (START.0 + 0.8 * r) as usize);
    let (y0, y1) = ((START.1 - 0.9 * r) as usize, (START.1 + 0.9 * r) as usize);
    let step = |a: &HostImage, b: &HostImage| {
        let mut sum = 0.0f64;
        for y in y0..y1 {
            for x in x0..x1 {
                let (p, q) = (a.get(x, y), b.get(x, y));
                sum += (0..3).map(|c| f64::from((p[c] - q[c]).abs())).sum::<f64>();
            }
        }
        255.0 * sum / (3 * (x1 - x0) * (y1 - y0)) as f64
    };
    let (mut output, mut raw, mut input) = (0.0, 0.0, 0.0);
    let mut previous: Option<(HostImage, HostImage, Arc<HostImage>)> = None;
    for t in 0..N {
        let out = render(&swap, t);
        let unsmoothed = render(&per_frame, t);
        let plate = source.frame(t);
        assert!(
            step(&out, &plate) > 0.05,
            "frame {t}: the face was not swapped"
        );
        if let Some((o, u, p)) = &previous {
            output += step(&out, o);
            raw += step(&unsmoothed, u);
            input += step(&plate, p);
        }
        previous = Some((out, unsmoothed, plate));
    }
    let n = (N - 1) as f64;
    let (output, raw, input) = (output / n, raw / n, input / n);
    let flicker = output - input;
    println!(
        "still flicker: output {output:.3}/255, input {input:.3}/255, excess {flicker:+.3}/255 \
         (target ≤ 0.5; radius 0 gives {:+.3}), {N} frames",
        raw - input
    );
    assert!(
        flicker <= 0.5,
        "output flicker {flicker:.3}/255 above the input's"
    );
}
