// Face Blend's raw masks on whole-frame planes: the anti-aliased rotated ellipse (`ellipse`),
// the mask from a frame's alpha with its non-finite check (`from_alpha`) and `invert`. CPU
// twin: src/blend/mask.rs. Also `support`, the bounding box of a plane's non-zero values
// (`Plane::support`). The ellipse's ρ² − 1 is summed in double-f32 (hi + lo pairs) so
// the outline's distance keeps the CPU's f64 accuracy at any frame size.
//
// uses: lib/double_f32.wgsl, lib/edge.wgsl

struct Params {
    width: u32,
    height: u32,
    // ellipse: the CPU's rectangle [x0, x1) × [y0, y1) (zero outside), centre and radii,
    // cos/sin of the angle, the quadratic form ρ² = qa·dx² + qb·dx·dy + qc·dy² as hi + lo
    // pairs, and min(rx, ry); `zero` is 0 (it keeps the compiler from folding rounding steps).
    x0: u32,
    y0: u32,
    x1: u32,
    y1: u32,
    cx: f32,
    cy: f32,
    rx: f32,
    ry: f32,
    cos: f32,
    sin: f32,
    qa_hi: f32,
    qa_lo: f32,
    qb_hi: f32,
    qb_lo: f32,
    qc_hi: f32,
    qc_lo: f32,
    inner: f32,
    zero: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// ellipse
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
// from_alpha: the smallest pixel index holding a non-finite alpha (u32::MAX when none).
@group(0) @binding(1) var<storage, read> frame: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> alpha_out: array<f32>;
@group(0) @binding(3) var<storage, read_write> first_bad: atomic<u32>;
// invert
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
// support (src at binding 1): x0, y0, x1, y1 of the non-zero values (MAX, MAX, 0, 0 if none).
@group(0) @binding(2) var<storage, read_write> bounds: array<atomic<u32>, 4>;

var<workgroup> tile_bounds: array<atomic<u32>, 4>;

// --- Ellipse (the CPU's `ellipse`; its `coverage` and `normal` are lib/edge.wgsl's).

@compute @workgroup_size(8, 8)
fn ellipse(@builtin(global_invocation_id) id: vec3<u32>) {
    let w = params.width;
    if id.x >= w || id.y >= params.height {
        return;
    }
    var value = 0.0;
    if id.x >= params.x0 && id.x < params.x1 && id.y >= params.y0 && id.y < params.y1 {
        // Offsets from the centre, exact as hi + lo.
        let dx = two_sum(f32(id.x) + 0.5, -params.cx);
        let dy = two_sum(f32(id.y) + 0.5, -params.cy);
        let qa = vec2(params.qa_hi, params.qa_lo);
        let qb = vec2(params.qb_hi, params.qb_lo);
        let qc = vec2(params.qc_hi, params.qc_lo);
        let f = df_add(
            df_add(df_mul(qa, df_mul(dx, dx)), df_mul(qb, df_mul(dx, dy))),
            df_add(df_mul(qc, df_mul(dy, dy)), vec2(-1.0, 0.0)),
        );
        let rho2_minus_1 = f.x + f.y;
        let ddx = dx.x + dx.y;
        let ddy = dy.x + dy.y;
        let u = ddx * params.cos - ddy * params.sin;
        let v = ddx * params.sin + ddy * params.cos;
        let gu = u / (params.rx * params.rx);
        let gv = v / (params.ry * params.ry);
        let grad = length(vec2(gu, gv));
        var dist = -params.inner;
        if grad > 0.0 {
            let rho = sqrt(max(1.0 + rho2_minus_1, 0.0));
            dist = rho2_minus_1 / (rho + 1.0) * rho / grad;
        }
        let n = normal(vec2(gu * params.cos + gv * params.sin, gv * params.cos - gu * params.sin));
        value = coverage(dist, n);
    }
    out[id.y * w + id.x] = value;
}

// --- Alpha and invert.

@compute @workgroup_size(8, 8)
fn from_alpha(@builtin(global_invocation_id) id: vec3<u32>) {
    let w = params.width;
    if id.x >= w || id.y >= params.height {
        return;
    }
    let i = id.y * w + id.x;
    let a = frame[i].a;
    // Non-finite by its bits (NaN and infinity have every exponent bit set).
    let finite = (bitcast<u32>(a) & 0x7f800000u) != 0x7f800000u;
    if !finite {
        atomicMin(&first_bad, i);
    }
    alpha_out[i] = select(0.0, clamp(a, 0.0, 1.0), finite);
}

@compute @workgroup_size(8, 8)
fn invert(@builtin(global_invocation_id) id: vec3<u32>) {
    let w = params.width;
    if id.x >= w || id.y >= params.height {
        return;
    }
    let i = id.y * w + id.x;
    dst[i] = 1.0 - src[i];
}

// Each tile's box first (workgroup atomics), then one global update per tile.
@compute @workgroup_size(8, 8)
fn support(
    @builtin(global_invocation_id) id: vec3<u32>,
    @builtin(local_invocation_index) li: u32,
) {
    if li == 0u {
        atomicStore(&tile_bounds[0], 0xffffffffu);
        atomicStore(&tile_bounds[1], 0xffffffffu);
        atomicStore(&tile_bounds[2], 0u);
        atomicStore(&tile_bounds[3], 0u);
    }
    workgroupBarrier();
    let w = params.width;
    if id.x < w && id.y < params.height && src[id.y * w + id.x] != 0.0 {
        atomicMin(&tile_bounds[0], id.x);
        atomicMin(&tile_bounds[1], id.y);
        atomicMax(&tile_bounds[2], id.x + 1u);
        atomicMax(&tile_bounds[3], id.y + 1u);
    }
    workgroupBarrier();
    if li == 0u {
        let x0 = atomicLoad(&tile_bounds[0]);
        if x0 != 0xffffffffu {
            atomicMin(&bounds[0], x0);
            atomicMin(&bounds[1], atomicLoad(&tile_bounds[1]));
            atomicMax(&bounds[2], atomicLoad(&tile_bounds[2]));
            atomicMax(&bounds[3], atomicLoad(&tile_bounds[3]));
        }
    }
}
