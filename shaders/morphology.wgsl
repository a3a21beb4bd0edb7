// Face Blend's erode/dilate of a soft mask by a fractional radius (CPU twin:
// src/blend/morphology.rs, whose model this follows step for step): `classify` marks the
// inside / near-contour / site pixels, `rows` finds each pixel's nearest site along its row,
// `finish` finds the nearest site (the CPU's exact feature transform, searched over the rows
// within reach) and renders the moved contour's coverage.
//
// uses: lib/double_f32.wgsl, lib/edge.wgsl

struct Params {
    width: u32,
    height: u32,
    // 1 to dilate (move the contour outwards), 0 to erode (dilate the complement).
    grow: u32,
    // |r| in pixels, and the rows searched for a nearest site (⌈|r|⌉ + 4).
    r: f32,
    reach: u32,
    // 0 at run time: keeps the compiler from folding `two_prod`'s rounding steps.
    zero: u32,
}

const INSIDE: u32 = 1u;
const NEAR: u32 = 2u;
const SITE: u32 = 4u;
const NONE: u32 = 0xffffffffu;

@group(0) @binding(0) var<uniform> params: Params;
// classify
@group(0) @binding(1) var<storage, read> mask: array<f32>;
@group(0) @binding(2) var<storage, read_write> flags_out: array<u32>;
// rows
@group(0) @binding(1) var<storage, read> flags_rows: array<u32>;
@group(0) @binding(2) var<storage, read_write> row_site: array<u32>;
// finish (mask at binding 1)
@group(0) @binding(2) var<storage, read> flags: array<u32>;
@group(0) @binding(3) var<storage, read> row_arg: array<u32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;

// The mask as the model sees it (its complement when eroding), clamp-to-edge outside.
fn mm(x: i32, y: i32) -> f32 {
    let w = i32(params.width);
    let cx = clamp(x, 0, w - 1);
    let cy = clamp(y, 0, i32(params.height) - 1);
    let m = mask[u32(cy * w + cx)];
    return select(1.0 - m, m, params.grow == 1u);
}

@compute @workgroup_size(8, 8)
fn classify(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= params.width || id.y >= params.height {
        return;
    }
    let x = i32(id.x);
    let y = i32(id.y);
    let m = mm(x, y);
    let inside = m >= 0.5;
    var near = false;
    for (var dy = -1; dy <= 1; dy++) {
        for (var dx = -1; dx <= 1; dx++) {
            near = near || ((mm(x + dx, y + dy) >= 0.5) != inside);
        }
    }
    let site = inside || (near && m > 0.0);
    flags_out[id.y * params.width + id.x] = select(0u, INSIDE, inside) | select(0u, NEAR, near)
        | select(0u, SITE, site);
}

// One invocation per row: the nearest site's column for every pixel, the left one on ties.
@compute @workgroup_size(64)
fn rows(@builtin(global_invocation_id) id: vec3<u32>) {
    let y = id.x + id.y * 65535u * 64u;
    let w = params.width;
    if y >= params.height {
        return;
    }
    let row = y * w;
    var last = NONE;
    for (var x = 0u; x < w; x++) {
        if (flags_rows[row + x] & SITE) != 0u {
            last = x;
        }
        row_site[row + x] = last;
    }
    var next = NONE;
    for (var i = 0u; i < w; i++) {
        let x = w - 1u - i;
        if (flags_rows[row + x] & SITE) != 0u {
            next = x;
        }
        let left = row_site[row + x];
        if next != NONE && (left == NONE || next - x < x - left) {
            row_site[row + x] = next;
        }
    }
}

// The mask gradient: 3×3 differences with √2 centre weights, differences first (exactly zero
// where the CPU's f64 sum cancels to rounding noise).
fn grad(x: i32, y: i32) -> vec2<f32> {
    let k = 1.4142135;
    let gx = (mm(x + 1, y - 1) - mm(x - 1, y - 1)) + k * (mm(x + 1, y) - mm(x - 1, y))
        + (mm(x + 1, y + 1) - mm(x - 1, y + 1));
    let gy = (mm(x - 1, y + 1) - mm(x - 1, y - 1)) + k * (mm(x, y + 1) - mm(x, y - 1))
        + (mm(x + 1, y + 1) - mm(x + 1, y - 1));
    return vec2(gx, gy);
}

// The distance from pixel (x, y) to the contour point of site (sx, sy) minus r, and the edge
// normal there. The CPU's d − r in f64 loses nothing to the size of r; here
// d − r = (|e|² − r²) / (d + r) with the integer part of |e|² and r² kept exact, so the
// difference stays accurate to about 1e-7 px whatever r is.
fn contour_gap(x: i32, y: i32, sx: i32, sy: i32) -> vec3<f32> {
    let d = vec2(f32(x - sx), f32(y - sy));
    let mq = mm(sx, sy);
    let g = grad(sx, sy);
    let glen = length(g);
    var u: vec2<f32>;
    if mq < 1.0 && glen > 1e-12 {
        u = -g / glen;
    } else {
        u = d / length(d);
    }
    let depth = -distance(mq, normal(u));
    // The contour point is depth·u from the site; e = d − depth·u.
    let shift = depth * u;
    let e = d - shift;
    let r2 = two_prod(params.r, params.r);
    let e2_minus_r2 = ((dot(d, d) - r2.x) - r2.y) - 2.0 * dot(d, shift) + dot(shift, shift);
    let dist = sqrt(max(e2_minus_r2 + r2.x, 0.0));
    let gap = e2_minus_r2 / (dist + params.r);
    return vec3(gap, select(normal(u), normal(e), dist > 1e-12));
}

@compute @workgroup_size(8, 8)
fn finish(@builtin(global_invocation_id) id: vec3<u32>) {
    let w = params.width;
    let h = params.height;
    if id.x >= w || id.y >= h {
        return;
    }
    let x = i32(id.x);
    let y = i32(id.y);
    let i = id.y * w + id.x;
    let m = mm(x, y);
    let f = flags[i];
    let r = params.r;
    var cover = 0.0;
    if (f & NEAR) != 0u && m > 0.0 && m < 1.0 {
        let n = normal(grad(x, y));
        cover = coverage(distance(m, n) - r, n);
    } else if (f & INSIDE) != 0u {
        cover = 1.0;
    } else {
        // The nearest site: least squared distance, then least row (the CPU's tie rule), over
        // the rows that can hold one near enough to matter.
        var best = NONE;
        var best_y = 0u;
        var best_x = 0u;
        for (var t = 0u; t <= params.reach && t * t <= best; t++) {
            for (var side = 0u; side < 2u; side++) {
                if (side == 1u && t == 0u) || (side == 0u && t > id.y) || (side == 1u && id.y + t >= h) {
                    continue;
                }
                let sy = select(id.y - t, id.y + t, side == 1u);
                let sx = row_arg[sy * w + id.x];
                if sx == NONE {
                    continue;
                }
                let dx = max(sx, id.x) - min(sx, id.x);
                let value = dx * dx + t * t;
                if value < best || (value == best && sy < best_y) {
                    best = value;
                    best_y = sy;
                    best_x = sx;
                }
            }
        }
        if best != NONE && !(best_x == id.x && best_y == id.y) {
            let gap = sqrt(f32(best));
            if !(gap - 2.5 > r + 1.0) {
                // The contour points of the sites around the nearest one.
                var best_gap = 3.4e38;
                var best_n = vec2(1.0, 0.0);
                let qx = i32(best_x);
                let qy = i32(best_y);
                for (var sy = max(qy - 1, 0); sy < min(qy + 2, i32(h)); sy++) {
                    for (var sx = max(qx - 1, 0); sx < min(qx + 2, i32(w)); sx++) {
                        if (flags[u32(sy) * w + u32(sx)] & SITE) != 0u {
                            let c = contour_gap(x, y, sx, sy);
                            if c.x < best_gap {
                                best_gap = c.x;
                                best_n = c.yz;
                            }
                        }
                    }
                }
                cover = coverage(best_gap, best_n);
            }
        }
    }
    dst[i] = select(1.0 - cover, cover, params.grow == 1u);
}
