// The seamless (Poisson) blend on the GPU (src/gpu/poisson.rs), the twin of
// src/blend/poisson.rs: the finest level's operator and right-hand side from the mask, the
// face and the plate (`setup`), the conjugate-gradient steps around the V-cycle of
// multigrid.wgsl, their dot products (per-workgroup partial sums, then one workgroup adds them
// and updates the scalars: `finish`), and the face plus the solved correction (`compose`).
//
// The solve grid is the mask's support, `w × h` cells; the face and the output cover the work
// rectangle (the support grown by one pixel, clipped to the plate); the weights cover it or the
// whole plate; the plate is the whole frame. Vectors hold R, G, B and a spare lane (always 0).

struct Params {
    // The solve grid (the mask's support).
    w: u32,
    h: u32,
    // The plate.
    fw: u32,
    fh: u32,
    // The work rectangle's origin in the plate and its size.
    wx: u32,
    wy: u32,
    ww: u32,
    wh: u32,
    // The support's origin in the work rectangle.
    ox: u32,
    oy: u32,
    // finish: how many partial sums, and which step they end (see `finish`).
    count: u32,
    mode: u32,
    // finish: the relative residual at which a channel stops updating.
    tolerance: f32,
    // update_p: 1 on the first direction (p = z).
    first: u32,
    // The weights' origin in the plate and their width (they cover the work rectangle or the
    // whole plate).
    mx: u32,
    my: u32,
    mw: u32,
}

// Bindings per entry point (after the uniforms at 0):
//   setup: partials, plate, face, weights, op_out, b_out, x_out
//   apply: partials, op, p, ap_out            dot_partials: partials, va, vb
//   update_xr: partials, scalars, p, ap, x, r   finish: partials_in, state
//   update_p: z, scalars, p_out               compose: composed, face_c, op_c, x_c
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> partials: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> plate: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> face: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> weights: array<f32>;
@group(0) @binding(5) var<storage, read_write> op_out: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> b_out: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> x_out: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> op: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> p: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> ap_out: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> va: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> vb: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> scalars: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> ap: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> x: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> r: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> partials_in: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> state: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> z: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> p_out: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> composed: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> face_c: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> op_c: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> x_c: array<vec4<f32>>;

// Slots of the scalar state, one vec4 (R, G, B, spare) each.
const B_NORM: u32 = 0u;
const ACTIVE: u32 = 1u;
const RZ: u32 = 2u;
const PAP: u32 = 3u;
const ALPHA: u32 = 4u;
const BETA: u32 = 5u;

// Tree sum of one value per invocation of an 8×8 workgroup; every invocation must call it.
var<workgroup> sums: array<vec4<f32>, 64>;

fn workgroup_sum(li: u32, v: vec4<f32>) -> vec4<f32> {
    sums[li] = v;
    workgroupBarrier();
    for (var s = 32u; s > 0u; s = s / 2u) {
        if li < s {
            sums[li] += sums[li + s];
        }
        workgroupBarrier();
    }
    return sums[0];
}

// An invocation's place in a reduction: its index in its 8×8 workgroup, and the workgroup's
// place in the dispatch.
struct Group {
    @builtin(local_invocation_index) li: u32,
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
}

// This workgroup's sum of `v` as its entry of `partials`; every invocation must call it.
fn store_partial(group: Group, v: vec4<f32>) {
    let total = workgroup_sum(group.li, v);
    if group.li == 0u {
        partials[group.wg.y * group.groups.x + group.wg.x] = total;
    }
}

// Whether support cell (sx, sy) is in Ω (the mask is positive there).
fn in_omega(sx: i32, sy: i32) -> bool {
    if sx < 0 || sy < 0 || sx >= i32(params.w) || sy >= i32(params.h) {
        return false;
    }
    let gx = u32(sx) + params.ox + params.wx - params.mx;
    let gy = u32(sy) + params.oy + params.wy - params.my;
    return weights[gy * params.mw + gx] > 0.0;
}

// The finest level's operator and right-hand side, x = 0, and the partial sums of b·b.
// Diagonal: the neighbours inside the plate (Neumann at its edge); right-hand side: Σ over
// the Dirichlet neighbours (in the plate, outside Ω) of plate − face.
@compute @workgroup_size(8, 8)
fn setup(@builtin(global_invocation_id) id: vec3<u32>, group: Group) {
    var bb = vec4(0.0);
    if id.x < params.w && id.y < params.h {
        let i = id.y * params.w + id.x;
        let sx = i32(id.x);
        let sy = i32(id.y);
        var o = vec4(1.0, 0.0, 0.0, 0.0);
        var rhs = vec4(0.0);
        if in_omega(sx, sy) {
            // Plate coordinates.
            let gx = sx + i32(params.ox + params.wx);
            let gy = sy + i32(params.oy + params.wy);
            let fw = i32(params.fw);
            let fh = i32(params.fh);
            let vertical = f32(u32(gy > 0) + u32(gy + 1 < fh));
            let diag = vertical + f32(u32(gx > 0) + u32(gx + 1 < fw));
            o = vec4(diag, f32(in_omega(sx + 1, sy)), f32(in_omega(sx, sy + 1)), 1.0);
            // Left, right, up, down, as on the CPU.
            var steps = array(vec2(-1, 0), vec2(1, 0), vec2(0, -1), vec2(0, 1));
            for (var k = 0; k < 4; k++) {
                let qx = gx + steps[k].x;
                let qy = gy + steps[k].y;
                let inside = qx >= 0 && qy >= 0 && qx < fw && qy < fh;
                if inside && !in_omega(sx + steps[k].x, sy + steps[k].y) {
                    let pv = plate[u32(qy) * params.fw + u32(qx)];
                    let wi = u32(qy - i32(params.wy)) * params.ww + u32(qx - i32(params.wx));
                    let fv = face[wi];
                    rhs += vec4((pv - fv).xyz, 0.0);
                }
            }
        }
        op_out[i] = o;
        b_out[i] = rhs;
        x_out[i] = vec4(0.0);
        bb = rhs * rhs;
    }
    store_partial(group, bb);
}

// ap = A p, and the partial sums of p·ap.
@compute @workgroup_size(8, 8)
fn apply(@builtin(global_invocation_id) id: vec3<u32>, group: Group) {
    var d = vec4(0.0);
    if id.x < params.w && id.y < params.h {
        let i = id.y * params.w + id.x;
        let w = params.w;
        let here = op[i];
        var n = vec4(0.0);
        if id.x > 0u {
            n += op[i - 1u].y * p[i - 1u];
        }
        if id.x + 1u < w {
            n += here.y * p[i + 1u];
        }
        if id.y > 0u {
            n += op[i - w].z * p[i - w];
        }
        if id.y + 1u < params.h {
            n += here.z * p[i + w];
        }
        let a = here.x * p[i] - n;
        ap_out[i] = a;
        d = p[i] * a;
    }
    store_partial(group, d);
}

// The partial sums of va·vb.
@compute @workgroup_size(8, 8)
fn dot_partials(@builtin(global_invocation_id) id: vec3<u32>, group: Group) {
    var d = vec4(0.0);
    if id.x < params.w && id.y < params.h {
        let i = id.y * params.w + id.x;
        d = va[i] * vb[i];
    }
    store_partial(group, d);
}

// x += α p, r −= α ap, and the partial sums of r·r.
@compute @workgroup_size(8, 8)
fn update_xr(@builtin(global_invocation_id) id: vec3<u32>, group: Group) {
    var d = vec4(0.0);
    if id.x < params.w && id.y < params.h {
        let i = id.y * params.w + id.x;
        let alpha = scalars[ALPHA];
        x[i] += alpha * p[i];
        let ri = r[i] - alpha * ap[i];
        r[i] = ri;
        d = ri * ri;
    }
    store_partial(group, d);
}

// Adds `count` partial sums (one workgroup) and ends a step of the conjugate gradients:
//   mode 0: b·b → ‖b‖, a channel active while its ‖b‖ > 0;  mode 1: r·z → rz;
//   mode 2: p·Ap → α = rz / p·Ap;  mode 3: r·r → a channel stops at ‖r‖ ≤ tolerance·‖b‖;
//   mode 4: r·z → β = r·z / rz, rz = r·z.
// A stopped channel gets α = β = 0: it no longer changes.
@compute @workgroup_size(64)
fn finish(@builtin(local_invocation_index) li: u32) {
    var acc = vec4(0.0);
    for (var j = li; j < params.count; j += 64u) {
        acc += partials_in[j];
    }
    let total = workgroup_sum(li, acc);
    if li != 0u {
        return;
    }
    let zero = vec4(0.0);
    let one = vec4(1.0);
    let running = state[ACTIVE] > vec4(0.5);
    switch params.mode {
        case 0u: {
            let norm = sqrt(total);
            state[B_NORM] = norm;
            state[ACTIVE] = select(zero, one, norm > zero) * vec4(1.0, 1.0, 1.0, 0.0);
        }
        case 1u: {
            state[RZ] = total;
        }
        case 2u: {
            state[PAP] = total;
            let ok = running & (total > zero);
            state[ALPHA] = select(zero, state[RZ] / total, ok);
        }
        case 3u: {
            let go = (state[PAP] > zero) & (sqrt(total) > params.tolerance * state[B_NORM]);
            state[ACTIVE] = select(zero, one, running & go);
        }
        default: {
            let rz = state[RZ];
            state[BETA] = select(zero, total / rz, running & (rz > zero));
            state[RZ] = total;
        }
    }
}

// p = z + β p (p = z on the first direction).
@compute @workgroup_size(8, 8)
fn update_p(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= params.w || id.y >= params.h {
        return;
    }
    let i = id.y * params.w + id.x;
    if params.first != 0u {
        p_out[i] = z[i];
    } else {
        p_out[i] = z[i] + scalars[BETA] * p_out[i];
    }
}

// The output over the work rectangle: the face, plus the solved correction in Ω.
@compute @workgroup_size(8, 8)
fn compose(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= params.ww || id.y >= params.wh {
        return;
    }
    let i = id.y * params.ww + id.x;
    let f = face_c[i];
    var correction = vec3(0.0);
    let sx = i32(id.x) - i32(params.ox);
    let sy = i32(id.y) - i32(params.oy);
    if sx >= 0 && sy >= 0 && sx < i32(params.w) && sy < i32(params.h) {
        let j = u32(sy) * params.w + u32(sx);
        if op_c[j].w > 0.0 {
            correction = x_c[j].xyz;
        }
    }
    composed[i] = vec4(f.xyz + correction, f.w);
}
