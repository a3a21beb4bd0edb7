// Colour statistics of Face Blend's colour match over the CPU's sample grid (every `step`-th
// pixel of every `step`-th row of the core mask's support, weights > 0 only), as in
// src/blend/colour_match.rs:
// - `moments`: per workgroup of 1024 samples, the weighted sums of Source's and Face's values
//   (LAB for Reinhard, linear RGB for Linear) centred on the workgroup's own weighted mean; the
//   CPU combines the partials in f64.
// - `gather`: the samples' (key, weight) pairs of the six channels (Source R, G, B, Face R, G, B
//   as encoded) for the Histogram sort, keys ordered as f32::total_cmp; samples with no weight
//   and the padding get the largest key and weight 0 (they sort last).
//
// uses: lib/colour.wgsl

struct Params {
    // Frame width (frames and planes are full-frame, row-major).
    width: u32,
    // Grid origin (the core support's top-left), step, and size in samples.
    x0: u32,
    y0: u32,
    step: u32,
    gw: u32,
    gh: u32,
    // 1 = LAB (Reinhard), 2 = linear RGB (Linear).
    mode: u32,
    // 0 = linear input, 1 = sRGB-encoded input.
    space: u32,
    // gather: elements per channel (the grid padded to a power of two).
    padded: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> source: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> face: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> core: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<u32>;

// The value statistics are taken on (`stat` of colour_match.rs).
fn stat(p: vec4<f32>) -> vec3<f32> {
    var lin = p.rgb;
    if params.space == 1u {
        lin = vec3(decode(p.r), decode(p.g), decode(p.b));
    }
    if params.mode == 1u {
        return linear_to_lab(lin);
    }
    return lin;
}

// Frame index of grid sample g.
fn sample_pixel(g: u32) -> u32 {
    let gx = g % params.gw;
    let gy = g / params.gw;
    return (params.y0 + gy * params.step) * params.width + params.x0 + gx * params.step;
}

const PER_THREAD: u32 = 16u;
const CHUNK: u32 = 1024u;
// Output words per workgroup of `moments`.
const STRIDE: u32 = 32u;

var<workgroup> sums: array<f32, 1152>;

// Tree sum of the first `count` rows of 64 values in `sums` into each row's first entry.
fn reduce(t: u32, count: u32) {
    workgroupBarrier();
    for (var s = 32u; s > 0u; s /= 2u) {
        if t < s {
            for (var k = 0u; k < count; k++) {
                sums[k * 64u + t] += sums[k * 64u + t + s];
            }
        }
        workgroupBarrier();
    }
}

@compute @workgroup_size(64)
fn moments(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
    let t = lid.x;
    let count = params.gw * params.gh;
    var ws: array<f32, 16>;
    var vs: array<vec3<f32>, 16>;
    var vf: array<vec3<f32>, 16>;
    var w_sum = 0.0;
    var s_sum = vec3(0.0);
    var f_sum = vec3(0.0);
    for (var j = 0u; j < PER_THREAD; j++) {
        let g = wid.x * CHUNK + j * 64u + t;
        if g < count {
            let i = sample_pixel(g);
            let w = core[i];
            if w > 0.0 {
                ws[j] = w;
                vs[j] = stat(source[i]);
                vf[j] = stat(face[i]);
                w_sum += w;
                s_sum += w * vs[j];
                f_sum += w * vf[j];
            }
        }
    }
    // Pass 1: the workgroup's weighted means, the shift of its centred sums.
    sums[t] = w_sum;
    for (var c = 0u; c < 3u; c++) {
        sums[(1u + c) * 64u + t] = s_sum[c];
        sums[(4u + c) * 64u + t] = f_sum[c];
    }
    reduce(t, 7u);
    let total = sums[0];
    var ks = vec3(0.0);
    var kf = vec3(0.0);
    if total > 0.0 {
        ks = vec3(sums[64], sums[128], sums[192]) / total;
        kf = vec3(sums[256], sums[320], sums[384]) / total;
    }
    workgroupBarrier();
    // Pass 2: Σw·d and Σw·d·dᵀ (upper triangle) of d = value − shift, Source then Face.
    var acc: array<f32, 18>;
    for (var j = 0u; j < PER_THREAD; j++) {
        let w = ws[j];
        let ds = vs[j] - ks;
        let df = vf[j] - kf;
        for (var side = 0u; side < 2u; side++) {
            let d = select(ds, df, side == 1u);
            let o = side * 9u;
            acc[o] += w * d.x;
            acc[o + 1u] += w * d.y;
            acc[o + 2u] += w * d.z;
            acc[o + 3u] += w * d.x * d.x;
            acc[o + 4u] += w * d.x * d.y;
            acc[o + 5u] += w * d.x * d.z;
            acc[o + 6u] += w * d.y * d.y;
            acc[o + 7u] += w * d.y * d.z;
            acc[o + 8u] += w * d.z * d.z;
        }
    }
    for (var k = 0u; k < 18u; k++) {
        sums[k * 64u + t] = acc[k];
    }
    reduce(t, 18u);
    if t == 0u {
        let o = wid.x * STRIDE;
        out[o] = bitcast<u32>(total);
        for (var c = 0u; c < 3u; c++) {
            out[o + 1u + c] = bitcast<u32>(ks[c]);
            out[o + 13u + c] = bitcast<u32>(kf[c]);
        }
        for (var k = 0u; k < 9u; k++) {
            out[o + 4u + k] = bitcast<u32>(sums[k * 64u]);
            out[o + 16u + k] = bitcast<u32>(sums[(9u + k) * 64u]);
        }
    }
}

// f32 bits → a key whose unsigned order is f32::total_cmp's; the largest key is kept for the
// excluded samples.
fn sort_key(v: f32) -> u32 {
    let bits = bitcast<u32>(v);
    let key = select(bits | 0x80000000u, ~bits, (bits & 0x80000000u) != 0u);
    return min(key, 0xFFFFFFFEu);
}

fn put(ch: u32, g: u32, v: f32, w: f32, keep: bool) {
    let at = (ch * params.padded + g) * 2u;
    out[at] = select(0xFFFFFFFFu, sort_key(v), keep);
    out[at + 1u] = select(0u, bitcast<u32>(w), keep);
}

// One invocation per padded sample; rows of 64 × 65535 in y.
@compute @workgroup_size(64)
fn gather(@builtin(global_invocation_id) id: vec3<u32>) {
    let g = id.x + id.y * 65535u * 64u;
    if g >= params.padded {
        return;
    }
    var w = 0.0;
    var s = vec3(0.0);
    var f = vec3(0.0);
    if g < params.gw * params.gh {
        let i = sample_pixel(g);
        w = core[i];
        s = source[i].rgb;
        f = face[i].rgb;
    }
    let keep = w > 0.0;
    for (var c = 0u; c < 3u; c++) {
        put(c, g, s[c], w, keep);
        put(3u + c, g, f[c], w, keep);
    }
}
