// The colour match's transfer applied to Face over the work rectangle (src/blend/colour_match.rs
// `Transfer::apply`), written as the matched face (a work-sized frame, Face's alpha kept):
// - `apply`: mode 0 copies Face; 1 = Reinhard, per LAB channel l' = l·scale + offset; 2 = Linear,
//   x' = m·x + offset in linear RGB; both back to the input encoding;
// - `apply_curves`: Histogram, per channel through the piecewise-linear curve from Face's
//   quantiles to Source's (src/blend/histogram.rs `Curve::map`, a binary search of the table).
// Only where the matched face is needed (final weight > 0, or for the seamless step next to
// such a pixel, inside the work rectangle); elsewhere Face as it is.
//
// uses: lib/colour.wgsl

struct Params {
    // Frame width (Face and the weights are full-frame, row-major).
    width: u32,
    // Work rectangle.
    x0: u32,
    y0: u32,
    ww: u32,
    wh: u32,
    // 1 when the seamless step follows (its boundary ring is needed too).
    seamless: u32,
    // 0 = copy, 1 = Reinhard, 2 = Linear.
    mode: u32,
    // 0 = linear input, 1 = sRGB-encoded input.
    space: u32,
    // Reinhard: scale (c0..c2), offset (c3..c5). Linear: m by rows (c0..c8), offset (c9..c11).
    c0: f32,
    c1: f32,
    c2: f32,
    c3: f32,
    c4: f32,
    c5: f32,
    c6: f32,
    c7: f32,
    c8: f32,
    c9: f32,
    c10: f32,
    c11: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> face: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> weights: array<f32>;
@group(0) @binding(3) var<storage, read_write> matched: array<vec4<f32>>;
// Face's quantile tables of R, G, B, then Source's (corrected), QUANTILES each.
@group(0) @binding(4) var<storage, read> tables: array<f32>;

const QUANTILES: u32 = 4096u;

fn to_linear(rgb: vec3<f32>) -> vec3<f32> {
    if params.space == 1u {
        return vec3(decode(rgb.r), decode(rgb.g), decode(rgb.b));
    }
    return rgb;
}

fn from_linear(rgb: vec3<f32>) -> vec3<f32> {
    if params.space == 1u {
        return vec3(encode(rgb.r), encode(rgb.g), encode(rgb.b));
    }
    return rgb;
}

fn on(i: u32) -> bool {
    return weights[i] > 0.0;
}

// Whether frame pixel (x, y) of the work rectangle needs the matched face (`needed` of
// src/blend/mod.rs).
fn needed(x: u32, y: u32) -> bool {
    let i = y * params.width + x;
    if on(i) {
        return true;
    }
    if params.seamless == 0u {
        return false;
    }
    return (x > params.x0 && on(i - 1u)) || (x + 1u < params.x0 + params.ww && on(i + 1u))
        || (y > params.y0 && on(i - params.width))
        || (y + 1u < params.y0 + params.wh && on(i + params.width));
}

fn transfer(rgb: vec3<f32>) -> vec3<f32> {
    if params.mode == 1u {
        let l = linear_to_lab(to_linear(rgb));
        let scale = vec3(params.c0, params.c1, params.c2);
        let offset = vec3(params.c3, params.c4, params.c5);
        return from_linear(lab_to_linear(l * scale + offset));
    }
    if params.mode == 2u {
        let x = to_linear(rgb);
        let m = vec3(
            dot(vec3(params.c0, params.c1, params.c2), x),
            dot(vec3(params.c3, params.c4, params.c5), x),
            dot(vec3(params.c6, params.c7, params.c8), x),
        );
        return from_linear(m + vec3(params.c9, params.c10, params.c11));
    }
    return rgb;
}

@compute @workgroup_size(8, 8)
fn apply(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= params.ww || id.y >= params.wh {
        return;
    }
    let x = params.x0 + id.x;
    let y = params.y0 + id.y;
    let p = face[y * params.width + x];
    var rgb = p.rgb;
    if needed(x, y) {
        rgb = transfer(rgb);
    }
    matched[id.y * params.ww + id.x] = vec4(rgb, p.a);
}

// First index of table `t` (QUANTILES entries from `start`) whose value is ≥ v (`strict`: > v).
fn first_past(start: u32, v: f32, strict: bool) -> u32 {
    var lo = 0u;
    var hi = QUANTILES;
    while lo < hi {
        let m = (lo + hi) / 2u;
        let f = tables[start + m];
        if select(f < v, f <= v, strict) {
            lo = m + 1u;
        } else {
            hi = m;
        }
    }
    return lo;
}

// `Curve::map` of channel c.
fn curve(c: u32, v: f32) -> f32 {
    let f0 = c * QUANTILES;
    let t0 = (3u + c) * QUANTILES;
    let n = QUANTILES;
    let ge = first_past(f0, v, false);
    if ge < n && tables[f0 + ge] == v {
        let gt = first_past(f0, v, true);
        return (tables[t0 + ge] + tables[t0 + gt - 1u]) * 0.5;
    }
    if ge == 0u {
        return tables[t0] + (v - tables[f0]);
    }
    if ge == n {
        return tables[t0 + n - 1u] + (v - tables[f0 + n - 1u]);
    }
    let a = tables[f0 + ge - 1u];
    let b = tables[f0 + ge];
    let f = (v - a) / (b - a);
    let lo = tables[t0 + ge - 1u];
    return lo + f * (tables[t0 + ge] - lo);
}

@compute @workgroup_size(8, 8)
fn apply_curves(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= params.ww || id.y >= params.wh {
        return;
    }
    let x = params.x0 + id.x;
    let y = params.y0 + id.y;
    let p = face[y * params.width + x];
    var rgb = p.rgb;
    if needed(x, y) {
        rgb = vec3(curve(0u, p.r), curve(1u, p.g), curve(2u, p.b));
    }
    matched[id.y * params.ww + id.x] = vec4(rgb, p.a);
}
