// The multigrid half of the GPU Poisson solve (src/gpu/multigrid.rs), the twin of
// src/blend/multigrid.rs: the 5-point operator of one grid level, its 2×2-aggregation
// (Galerkin) coarse levels, red-black Gauss–Seidel sweeps, the residual restriction, the
// over-corrected piecewise-constant prolongation and the coarsest level's fixed 32 sweeps.
//
// A level is `w × h` cells, row-major, no border: a neighbour outside the grid has no coupling.
// Its operator is one vec4 per cell: (diagonal, coupling to the right neighbour, coupling to
// the lower neighbour, 1 in the domain / 0 elsewhere); couplings are stored positive (the
// matrix entry is −c). Cells outside the domain have diagonal 1, no couplings and a zero
// right-hand side, so they stay 0. Vectors hold R, G, B and a spare lane.

struct Params {
    // This level.
    w: u32,
    h: u32,
    // The next coarser level (coarsen, restrict, prolong).
    cw: u32,
    ch: u32,
    // The cells a sweep updates: (x + y) % 2 == colour.
    colour: u32,
    // 1: the sweep takes x as zero (the first sweep of a cycle), 0: x as it is.
    fresh: u32,
}

// Bindings per entry point (after the uniforms at 0):
//   coarsen: op, coarse_op            relax, coarsest: op, b, x
//   restrict_residual: op, b, x_in, bc   prolong: op, xc, x
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> op: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> coarse_op: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> x_in: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> bc: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> xc: array<vec4<f32>>;

// Scale of the coarse-grid correction (as on the CPU: aggregation underestimates smooth
// corrections by about half).
const OVERCORRECT: f32 = 1.75;
// Symmetric sweep pairs on the coarsest level (at most 16 cells).
const COARSEST_SWEEPS: u32 = 32u;

// The operator at (x, y) of this level; zero (no coupling, not in the domain) outside it.
fn op_at(px: i32, py: i32) -> vec4<f32> {
    if px < 0 || py < 0 || px >= i32(params.w) || py >= i32(params.h) {
        return vec4(0.0);
    }
    return op[u32(py) * params.w + u32(px)];
}

fn inverse(diag: f32) -> f32 {
    // A zero diagonal only occurs when the whole frame is the domain (no boundary, zero
    // right-hand side): the cell stays 0.
    return select(1.0 / diag, 0.0, diag == 0.0);
}

fn x_at(px: i32, py: i32) -> vec4<f32> {
    if px < 0 || py < 0 || px >= i32(params.w) || py >= i32(params.h) {
        return vec4(0.0);
    }
    return x[u32(py) * params.w + u32(px)];
}

fn x_in_at(px: i32, py: i32) -> vec4<f32> {
    if px < 0 || py < 0 || px >= i32(params.w) || py >= i32(params.h) {
        return vec4(0.0);
    }
    return x_in[u32(py) * params.w + u32(px)];
}

// Σ couplings · x over the four neighbours of (x, y), in the CPU's order: left, right, up, down.
fn neighbours_x(px: i32, py: i32) -> vec4<f32> {
    let here = op_at(px, py);
    var n = op_at(px - 1, py).y * x_at(px - 1, py);
    n += here.y * x_at(px + 1, py);
    n += op_at(px, py - 1).z * x_at(px, py - 1);
    n += here.z * x_at(px, py + 1);
    return n;
}

// (A x_in) at (x, y).
fn apply_in(px: i32, py: i32) -> vec4<f32> {
    let here = op_at(px, py);
    var n = op_at(px - 1, py).y * x_in_at(px - 1, py);
    n += here.y * x_in_at(px + 1, py);
    n += op_at(px, py - 1).z * x_in_at(px, py - 1);
    n += here.z * x_in_at(px, py + 1);
    return here.x * x_in_at(px, py) - n;
}

// The Galerkin operator of the coarse level, one invocation per coarse cell.
@compute @workgroup_size(8, 8)
fn coarsen(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= params.cw || id.y >= params.ch {
        return;
    }
    let fx = i32(2u * id.x);
    let fy = i32(2u * id.y);
    var diag = 0.0;
    var inside = false;
    var offsets = array(vec2(0, 0), vec2(1, 0), vec2(0, 1), vec2(1, 1));
    for (var k = 0; k < 4; k++) {
        let o = op_at(fx + offsets[k].x, fy + offsets[k].y);
        if o.w > 0.0 {
            inside = true;
            diag += o.x;
        }
    }
    let ci = id.y * params.cw + id.x;
    if !inside {
        coarse_op[ci] = vec4(1.0, 0.0, 0.0, 0.0);
        return;
    }
    // Couplings inside the aggregate cancel against the diagonal.
    let inner = op_at(fx, fy).y + op_at(fx, fy + 1).y + op_at(fx, fy).z + op_at(fx + 1, fy).z;
    coarse_op[ci] = vec4(
        diag - 2.0 * inner,
        op_at(fx + 1, fy).y + op_at(fx + 1, fy + 1).y,
        op_at(fx, fy + 1).z + op_at(fx + 1, fy + 1).z,
        1.0,
    );
}

// One red-black Gauss–Seidel sweep over the cells of one colour, in place: the other colour is
// only read. With `fresh`, the other colour is set to zero and the sweep takes it as zero.
@compute @workgroup_size(8, 8)
fn relax(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= params.w || id.y >= params.h {
        return;
    }
    let i = id.y * params.w + id.x;
    if (id.x + id.y) % 2u != params.colour {
        if params.fresh != 0u {
            x[i] = vec4(0.0);
        }
        return;
    }
    var n = vec4(0.0);
    if params.fresh == 0u {
        n = neighbours_x(i32(id.x), i32(id.y));
    }
    x[i] = (b[i] + n) * inverse(op[i].x);
}

// The coarse right-hand side: the residual b − A x summed over each 2×2 aggregate.
@compute @workgroup_size(8, 8)
fn restrict_residual(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= params.cw || id.y >= params.ch {
        return;
    }
    var acc = vec4(0.0);
    var offsets = array(vec2(0u, 0u), vec2(1u, 0u), vec2(0u, 1u), vec2(1u, 1u));
    for (var k = 0; k < 4; k++) {
        let fx = 2u * id.x + offsets[k].x;
        let fy = 2u * id.y + offsets[k].y;
        if fx < params.w && fy < params.h {
            acc += b[fy * params.w + fx] - apply_in(i32(fx), i32(fy));
        }
    }
    bc[id.y * params.cw + id.x] = acc;
}

// x += OVERCORRECT · (the coarse correction, constant over each aggregate), in the domain.
@compute @workgroup_size(8, 8)
fn prolong(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= params.w || id.y >= params.h {
        return;
    }
    let i = id.y * params.w + id.x;
    let c = OVERCORRECT * op[i].w;
    x[i] += c * xc[(id.y / 2u) * params.cw + id.x / 2u];
}

// The coarsest level (at most 16 cells, one per invocation of a single workgroup): x = 0, then
// 32 symmetric pairs of sweeps (red, black, black, red), as on the CPU.
var<workgroup> cells: array<vec4<f32>, 64>;

fn cell_at(px: i32, py: i32) -> vec4<f32> {
    if px < 0 || py < 0 || px >= i32(params.w) || py >= i32(params.h) {
        return vec4(0.0);
    }
    return cells[u32(py) * params.w + u32(px)];
}

fn sweep(li: u32, colour: u32) {
    if li < params.w * params.h {
        let px = li % params.w;
        let py = li / params.w;
        if (px + py) % 2u == colour {
            let sx = i32(px);
            let sy = i32(py);
            let here = op[li];
            var n = op_at(sx - 1, sy).y * cell_at(sx - 1, sy);
            n += here.y * cell_at(sx + 1, sy);
            n += op_at(sx, sy - 1).z * cell_at(sx, sy - 1);
            n += here.z * cell_at(sx, sy + 1);
            cells[li] = (b[li] + n) * inverse(here.x);
        }
    }
    workgroupBarrier();
}

@compute @workgroup_size(64)
fn coarsest(@builtin(local_invocation_index) li: u32) {
    cells[li] = vec4(0.0);
    workgroupBarrier();
    for (var k = 0u; k < COARSEST_SWEEPS; k++) {
        sweep(li, 0u);
        sweep(li, 1u);
        sweep(li, 1u);
        sweep(li, 0u);
    }
    if li < params.w * params.h {
        x[li] = cells[li];
    }
}
