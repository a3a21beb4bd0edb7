// Bilinear similarity warps between a frame and a face crop (src/gpu/warp.rs): `to_crop` crops
// with a replicated border, `from_crop` samples a crop back over a frame region and writes its
// coverage mask. The arithmetic is src/face/warp.rs's, in OpenCV's index convention.
//
// Source positions are affine in the destination pixel (u, v): p = c + u·du + v·dv per axis.
// f32 cannot hold them to the CPU's f64 precision, so each coefficient arrives split: an
// integer count of 1/16384 px (`*_fix`, multiplied out in wrapping i32 arithmetic, exact) plus
// the sub-unit rest in f32 (`*_lo`, |rest| ≤ 2⁻¹⁵ per coefficient), and rounded to f32
// (`*_coarse`) for the one test of whether the position lies more than 2¹⁶ px out, where the
// fixed-point sum could overflow and only the side matters.

struct Params {
    // The destination grid.
    width: u32,
    height: u32,
    // The source frame.
    src_width: u32,
    src_height: u32,
    x_c_fix: i32,
    x_c_lo: f32,
    x_c_coarse: f32,
    x_du_fix: i32,
    x_du_lo: f32,
    x_du_coarse: f32,
    x_dv_fix: i32,
    x_dv_lo: f32,
    x_dv_coarse: f32,
    y_c_fix: i32,
    y_c_lo: f32,
    y_c_coarse: f32,
    y_du_fix: i32,
    y_du_lo: f32,
    y_du_coarse: f32,
    y_dv_fix: i32,
    y_dv_lo: f32,
    y_dv_coarse: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out_pixels: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> out_mask: array<f32>;

const UNIT: f32 = 1.0 / 16384.0;
const FAR: f32 = 65536.0;
// Where a position beyond FAR is put: outside any frame, on the right side.
const BEYOND: i32 = 1048576;

// A position q + f with q an integer and f in [0, 1] (1 only by rounding).
struct Pos {
    q: i32,
    f: f32,
}

fn position(u: u32, v: u32, c_fix: i32, c_lo: f32, c_coarse: f32, du_fix: i32, du_lo: f32,
            du_coarse: f32, dv_fix: i32, dv_lo: f32, dv_coarse: f32) -> Pos {
    let uf = f32(u);
    let vf = f32(v);
    let coarse = c_coarse + uf * du_coarse + vf * dv_coarse;
    if !(abs(coarse) <= FAR) {
        return Pos(select(-BEYOND, BEYOND, coarse > 0.0), 0.0);
    }
    let n = c_fix + i32(u) * du_fix + i32(v) * dv_fix;
    let rest = c_lo + uf * du_lo + vf * dv_lo;
    let f = f32(n & 16383) * UNIT + rest;
    let whole = floor(f);
    return Pos((n >> 14u) + i32(whole), f - whole);
}

fn position_x(u: u32, v: u32) -> Pos {
    return position(u, v, params.x_c_fix, params.x_c_lo, params.x_c_coarse, params.x_du_fix,
        params.x_du_lo, params.x_du_coarse, params.x_dv_fix, params.x_dv_lo, params.x_dv_coarse);
}

fn position_y(u: u32, v: u32) -> Pos {
    return position(u, v, params.y_c_fix, params.y_c_lo, params.y_c_coarse, params.y_du_fix,
        params.y_du_lo, params.y_du_coarse, params.y_dv_fix, params.y_dv_lo, params.y_dv_coarse);
}

// The two taps and the weight along an axis of last index `last`: the position clamped to
// [−1, last + 1] (every replicated value), both taps clamped to the axis.
struct Taps {
    i0: i32,
    i1: i32,
    f: f32,
}

fn taps(p: Pos, last: i32) -> Taps {
    var q = p.q;
    var f = p.f;
    if q < -1 {
        q = -1;
        f = 0.0;
    }
    if q >= last + 1 {
        q = last + 1;
        f = 0.0;
    }
    return Taps(clamp(q, 0, last), clamp(q + 1, 0, last), f);
}

fn sample(px: Pos, py: Pos) -> vec4<f32> {
    let w = i32(params.src_width);
    let tx = taps(px, w - 1);
    let ty = taps(py, i32(params.src_height) - 1);
    let p00 = src[ty.i0 * w + tx.i0];
    let p01 = src[ty.i0 * w + tx.i1];
    let p10 = src[ty.i1 * w + tx.i0];
    let p11 = src[ty.i1 * w + tx.i1];
    let top = p00 * (1.0 - tx.f) + p01 * tx.f;
    let bottom = p10 * (1.0 - tx.f) + p11 * tx.f;
    return top * (1.0 - ty.f) + bottom * ty.f;
}

// How much of a destination pixel at position p lies on a source axis of n pixels: 1 on
// [0, n − 1], ramping to 0 at −1 and n (a bilinearly sampled all-ones image, zero border).
fn coverage(p: Pos, n: i32) -> f32 {
    // min(p + 1, n − p), integer and fractional parts kept apart.
    let k = min(f32(p.q + 1) + p.f, f32(n - p.q - 1) + (1.0 - p.f));
    if k >= 1.0 {
        return 1.0;
    }
    return max(k, 0.0);
}

// Frame → crop: one invocation per crop pixel.
@compute @workgroup_size(8, 8)
fn to_crop(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= params.width || id.y >= params.height {
        return;
    }
    out_pixels[id.y * params.width + id.x] = sample(position_x(id.x, id.y), position_y(id.x, id.y));
}

// Crop → frame region: one invocation per region pixel; the sample and its coverage.
@compute @workgroup_size(8, 8)
fn from_crop(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= params.width || id.y >= params.height {
        return;
    }
    let px = position_x(id.x, id.y);
    let py = position_y(id.x, id.y);
    let i = id.y * params.width + id.x;
    out_pixels[i] = sample(px, py);
    out_mask[i] = coverage(px, i32(params.src_width)) * coverage(py, i32(params.src_height));
}

// Crop → frame region with the coverage folded into alpha: a paste's face, its mask (alpha)
// times where the crop reaches, as the CPU multiplies them.
@compute @workgroup_size(8, 8)
fn from_crop_masked(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= params.width || id.y >= params.height {
        return;
    }
    let px = position_x(id.x, id.y);
    let py = position_y(id.x, id.y);
    let s = sample(px, py);
    let inside = coverage(px, i32(params.src_width)) * coverage(py, i32(params.src_height));
    out_pixels[id.y * params.width + id.x] = vec4(s.rgb, s.a * inside);
}
