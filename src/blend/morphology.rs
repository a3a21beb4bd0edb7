//! Erode/dilate of a soft mask with a round structuring element, through an exact Euclidean
//! feature transform (Felzenszwalb–Huttenlocher with nearest-site tracking, O(pixels)).
//!
//! The mask's 50% contour is moved by `r` pixels (outwards for r > 0; an erosion is a dilation of
//! the complement) and re-rendered anti-aliased: each pixel gets the area of its square inside the
//! moved contour, the contour taken as straight at pixel scale (box-filter coverage, the model
//! of an anti-aliased edge, see `mask::coverage`). The distance from a pixel to the contour:
//! - for a partly covered pixel next to the contour, from its own coverage (inverting the same
//!   model along the local mask gradient), so an anti-aliased edge is reproduced exactly as
//!   r → 0 and the result varies continuously with fractional r;
//! - otherwise, the distance to the nearest sub-pixel contour point, each contour point placed
//!   from a "site" pixel (inside, or partly covered along the contour) along its gradient at the
//!   depth its coverage implies; the nearest site and its 8 neighbours are tried.
//!
//! On an anti-aliased disc this moves the edge to within 0.02 px of the requested distance.
//! Softer-than-1 px edges are re-rendered crisp (feather afterwards). Outside the frame the mask
//! is taken to continue (clamp-to-edge): the frame border never erodes a mask that touches it.

use super::mask::{coverage, distance, normal, Plane};

const FAR: f64 = 1e20;

/// 1-D squared distance transform of `f` (0 at sites, FAR elsewhere, or any non-negative cost)
/// into `out`, with the index of the winning site in `arg`; `v`/`z` are scratch (lower envelope
/// of parabolas).
fn dt_1d(f: &[f64], out: &mut [f64], arg: &mut [usize], v: &mut Vec<usize>, z: &mut Vec<f64>) {
    v.clear();
    z.clear();
    for (q, &fq) in f.iter().enumerate() {
        if fq >= FAR {
            continue;
        }
        while let Some(&p) = v.last() {
            let (qf, pf) = (q as f64, p as f64);
            let s = ((fq + qf * qf) - (f[p] + pf * pf)) / (2.0 * (qf - pf));
            if s <= z[z.len() - 1] {
                v.pop();
                z.pop();
            } else {
                z.push(s);
                break;
            }
        }
        if v.is_empty() {
            z.push(f64::NEG_INFINITY);
        }
        v.push(q);
    }
    if v.is_empty() {
        out.iter_mut().for_each(|o| *o = FAR);
        return;
    }
    let mut k = 0;
    for (q, (o, a)) in out.iter_mut().zip(arg.iter_mut()).enumerate() {
        let qf = q as f64;
        while k + 1 < v.len() && z[k + 1] < qf {
            k += 1;
        }
        let p = v[k] as f64;
        *o = (qf - p) * (qf - p) + f[v[k]];
        *a = v[k];
    }
}

/// For every cell of a `w × h` grid, the index of the nearest site (Euclidean), or `None`.
fn nearest_site(sites: &[bool], w: usize, h: usize) -> Vec<Option<usize>> {
    let (mut v, mut z) = (Vec::new(), Vec::new());
    let mut row_dist = vec![0.0; w * h];
    let mut row_arg = vec![0usize; w * h];
    let f: Vec<f64> = sites.iter().map(|&s| if s { 0.0 } else { FAR }).collect();
    for y in 0..h {
        let span = y * w..(y + 1) * w;
        dt_1d(
            &f[span.clone()],
            &mut row_dist[span.clone()],
            &mut row_arg[span],
            &mut v,
            &mut z,
        );
    }
    let (mut col, mut out, mut arg) = (vec![0.0; h], vec![0.0; h], vec![0usize; h]);
    let mut nearest = vec![None; w * h];
    for x in 0..w {
        for y in 0..h {
            col[y] = row_dist[y * w + x];
        }
        dt_1d(&col, &mut out, &mut arg, &mut v, &mut z);
        for y in 0..h {
            if out[y] < FAR {
                let sy = arg[y];
                nearest[y * w + x] = Some(sy * w + row_arg[sy * w + x]);
            }
        }
    }
    nearest
}

/// Dilates (r > 0) or erodes (r < 0) `mask` by |r| pixels inside a `w × h` frame.
pub(crate) fn erode_dilate(mask: &Plane, r: f32, w: usize, h: usize) -> Plane {
    if r == 0.0 || mask.rect.is_empty() {
        return mask.clone();
    }
    let grow = r > 0.0;
    let r = f64::from(r.abs());
    let margin = if grow {
        (r.ceil() as usize).saturating_add(2)
    } else {
        2
    };
    let rect = mask.rect.expand(margin, w, h);
    let src = mask.crop(rect);
    let (rw, rh) = (rect.width(), rect.height());
    let mm: Vec<f64> = src
        .data
        .iter()
        .map(|&m| f64::from(if grow { m } else { 1.0 - m }))
        .collect();
    let inside: Vec<bool> = mm.iter().map(|&m| m >= 0.5).collect();
    let clamp = |x: isize, y: isize| {
        (y.clamp(0, rh as isize - 1) as usize) * rw + x.clamp(0, rw as isize - 1) as usize
    };
    // Pixels within one pixel (8-neighbourhood) of the 50% contour.
    let near: Vec<bool> = (0..rw * rh)
        .map(|i| {
            let (x, y) = ((i % rw) as isize, (i / rw) as isize);
            (-1..=1).any(|dy| (-1..=1).any(|dx| inside[clamp(x + dx, y + dy)] != inside[i]))
        })
        .collect();
    // Sites: the inside, plus the partly covered pixels along the contour, whose coverage places
    // the contour more precisely than the inside's centres can.
    let sites: Vec<bool> = (0..rw * rh)
        .map(|i| inside[i] || (near[i] && mm[i] > 0.0))
        .collect();
    let nearest = nearest_site(&sites, rw, rh);
    // Mask gradient: 3×3 differences with √2 centre weights (isotropic for straight edges).
    let grad = |x: usize, y: usize| {
        let (x, y) = (x as isize, y as isize);
        let at = |dx: isize, dy: isize| mm[clamp(x + dx, y + dy)];
        let k = std::f64::consts::SQRT_2;
        let gx = at(1, -1) + k * at(1, 0) + at(1, 1) - at(-1, -1) - k * at(-1, 0) - at(-1, 1);
        let gy = at(-1, 1) + k * at(0, 1) + at(1, 1) - at(-1, -1) - k * at(0, -1) - at(1, -1);
        (gx, gy)
    };
    // Distance from pixel (x, y) to the contour point of site (sx, sy), and the edge normal there:
    // the point lies along the site's outward normal (from its coverage gradient, or facing the
    // pixel when the site is fully covered) at the depth its coverage implies.
    let contour_distance = |x: usize, y: usize, sx: usize, sy: usize| {
        let (dx, dy) = (x as f64 - sx as f64, y as f64 - sy as f64);
        let len = dx.hypot(dy);
        let mq = mm[sy * rw + sx];
        let (gx, gy) = grad(sx, sy);
        let glen = gx.hypot(gy);
        let (ux, uy) = if mq < 1.0 && glen > 1e-12 {
            (-gx / glen, -gy / glen)
        } else {
            (dx / len, dy / len)
        };
        let depth = -distance(mq, normal(ux, uy));
        let (ex, ey) = (dx - depth * ux, dy - depth * uy);
        let d = ex.hypot(ey);
        (
            d,
            if d > 1e-12 {
                normal(ex, ey)
            } else {
                normal(ux, uy)
            },
        )
    };
    let mut out = Plane::zeros(rect);
    for y in 0..rh {
        for x in 0..rw {
            let i = y * rw + x;
            let m = mm[i];
            let cover = if near[i] && m > 0.0 && m < 1.0 {
                let (gx, gy) = grad(x, y);
                let n = normal(gx, gy);
                coverage(distance(m, n) - r, n)
            } else if inside[i] {
                1.0
            } else if let Some(q) = nearest[i].filter(|&q| q != i) {
                let (qx, qy) = (q % rw, q / rw);
                let gap = (x as f64 - qx as f64).hypot(y as f64 - qy as f64);
                if gap - 2.5 > r + 1.0 {
                    0.0
                } else {
                    // The nearest site's centre need not be next to the nearest contour point:
                    // try the contour points of the sites around it.
                    let mut best = (f64::INFINITY, (1.0, 0.0));
                    for sy in qy.saturating_sub(1)..(qy + 2).min(rh) {
                        for sx in qx.saturating_sub(1)..(qx + 2).min(rw) {
                            if sites[sy * rw + sx] {
                                let (d, n) = contour_distance(x, y, sx, sy);
                                if d < best.0 {
                                    best = (d, n);
                                }
                            }
                        }
                    }
                    coverage(best.0 - r, best.1)
                }
            } else {
                0.0
            };
            out.data[i] = if grow { cover } else { 1.0 - cover } as f32;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_model_inverts_and_is_monotonic() {
        for angle in [0.0f64, 10.0, 30.0, 45.0] {
            let (s, c) = angle.to_radians().sin_cos();
            let n = normal(c, s);
            let mut prev = 1.0;
            for k in -100..=100 {
                let d = k as f64 / 100.0;
                let m = coverage(d, n);
                assert!(m <= prev + 1e-12);
                prev = m;
                if m > 0.0 && m < 1.0 {
                    assert!((distance(m, n) - d).abs() < 1e-9, "angle {angle} d {d}");
                }
            }
        }
    }

    #[test]
    fn feature_transform_finds_the_nearest_site() {
        let (w, h) = (9, 7);
        let mut sites = vec![false; w * h];
        sites[2 * w + 1] = true;
        sites[5 * w + 7] = true;
        let nearest = nearest_site(&sites, w, h);
        assert_eq!(nearest[0], Some(2 * w + 1));
        assert_eq!(nearest[6 * w + 8], Some(5 * w + 7));
        assert_eq!(nearest[2 * w + 1], Some(2 * w + 1));
        assert!(nearest_site(&[false; 4], 2, 2).iter().all(Option::is_none));
    }
}
