// Separable blurs of f32 mask planes, clamp-to-edge: one sampled-kernel pass along rows or
// columns (`convolve`: Face Blend's feather for σ ≤ 4, Face Swap's box-mask blur), and three
// extended-box passes per line by running sums (`boxes`: Face Blend's feather for σ > 4).
// CPU twins: src/blend/blur.rs and src/swap/mask.rs (`gaussian_blur`).
//
// uses: lib/double_f32.wgsl

struct Params {
    width: u32,
    height: u32,
    // 0: along rows (x), 1: along columns (y).
    axis: u32,
    // Kernel radius (2·radius + 1 taps), or the box radius r.
    radius: u32,
    // Bit 0: a window of exact ones gives exactly 1; bit 1: clamp the output to [0, 1].
    flags: u32,
    // Extended box: the end taps' weight α and the normaliser 2r + 1 + 2α.
    alpha: f32,
    norm: f32,
    // 0 at run time: keeps the compiler from folding the compensated sum's rounding steps.
    zero: u32,
}

const EXACT_ONES: u32 = 1u;
const CLAMP: u32 = 2u;

@group(0) @binding(0) var<uniform> params: Params;
// convolve
@group(0) @binding(1) var<storage, read> taps: array<f32>;
@group(0) @binding(2) var<storage, read> src: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;
// boxes: pass 1 line_in → line_out, pass 2 line_out → mid, pass 3 mid → line_out.
@group(0) @binding(1) var<storage, read> line_in: array<f32>;
@group(0) @binding(2) var<storage, read_write> mid: array<f32>;
@group(0) @binding(3) var<storage, read_write> line_out: array<f32>;

fn finish(v: f32) -> f32 {
    if (params.flags & CLAMP) != 0u {
        return clamp(v, 0.0, 1.0);
    }
    return v;
}

// One output pixel: Σ taps[k]·src[clamped neighbour k − r], summed in the CPU's order.
@compute @workgroup_size(8, 8)
fn convolve(@builtin(global_invocation_id) id: vec3<u32>) {
    let w = params.width;
    if id.x >= w || id.y >= params.height {
        return;
    }
    let along_x = params.axis == 0u;
    let n = i32(select(params.height, w, along_x));
    let pos = i32(select(id.y, id.x, along_x));
    let r = i32(params.radius);
    var sum = 0.0;
    var all_one = true;
    for (var k = -r; k <= r; k++) {
        let j = u32(clamp(pos + k, 0, n - 1));
        let v = src[select(j * w + id.x, id.y * w + j, along_x)];
        all_one = all_one && v == 1.0;
        sum += taps[u32(k + r)] * v;
    }
    if all_one && (params.flags & EXACT_ONES) != 0u {
        sum = 1.0;
    }
    dst[id.y * w + id.x] = finish(sum);
}

// Buffers of the box passes: 0 line_in, 1 mid, 2 line_out.
fn load(buffer: u32, i: u32) -> f32 {
    switch buffer {
        case 0u: {
            return line_in[i];
        }
        case 1u: {
            return mid[i];
        }
        default: {
            return line_out[i];
        }
    }
}

fn store(buffer: u32, i: u32, v: f32) {
    if buffer == 1u {
        mid[i] = v;
    } else {
        line_out[i] = v;
    }
}

// The running window: exact counts of non-zero samples and of exact ones, and the compensated
// (Kahan) sum of the samples that are neither 0 nor 1, reset to exactly 0 whenever the window
// holds none, so rounding never carries across a run of zeros and ones.
struct Window {
    nonzero: i32,
    ones: i32,
    others: i32,
    soft: f32,
    carry: f32,
}

fn add(win: ptr<function, Window>, v: f32, count: i32) {
    if v != 0.0 {
        (*win).nonzero += count;
        if v == 1.0 {
            (*win).ones += count;
        } else {
            (*win).others += count;
            let y = v * f32(count) - (*win).carry;
            let t = opaque((*win).soft + y);
            (*win).carry = opaque(t - (*win).soft) - y;
            (*win).soft = t;
            if (*win).others == 0 {
                (*win).soft = 0.0;
                (*win).carry = 0.0;
            }
        }
    }
}

// One extended-box pass over line `line` (n samples, `stride` apart from `start`).
fn box_pass(input: u32, output: u32, start: u32, stride: u32, n: i32, last_pass: bool) {
    let r = i32(params.radius);
    let width = 2 * r + 1;
    let alpha = params.alpha;
    var win = Window(0, 0, 0, 0.0, 0.0);
    // The window [−r, r] around 0, clamped indices counted in bulk.
    add(&win, load(input, start), r);
    for (var k = 0; k < min(r + 1, n); k++) {
        add(&win, load(input, start + u32(k) * stride), 1);
    }
    if r + 1 > n {
        add(&win, load(input, start + u32(n - 1) * stride), r + 1 - n);
    }
    for (var i = 0; i < n; i++) {
        if i > 0 {
            add(&win, load(input, start + u32(clamp(i + r, 0, n - 1)) * stride), 1);
            add(&win, load(input, start + u32(clamp(i - 1 - r, 0, n - 1)) * stride), -1);
        }
        let lo = load(input, start + u32(clamp(i - r - 1, 0, n - 1)) * stride);
        let hi = load(input, start + u32(clamp(i + r + 1, 0, n - 1)) * stride);
        let ends_zero = alpha == 0.0 || (lo == 0.0 && hi == 0.0);
        let ends_one = alpha == 0.0 || (lo == 1.0 && hi == 1.0);
        var v: f32;
        if win.nonzero == 0 && ends_zero {
            v = 0.0;
        } else if win.ones == width && ends_one {
            v = 1.0;
        } else {
            // Positive: the window holds a non-zero sample and masks are ≥ 0. Rounding may
            // lose a tail value of ~1e-9 (the CPU sums in f64); keep it non-zero, as the CPU's
            // is, so the mask's zeros (the seamless step's domain) are the CPU's exactly.
            v = max((f32(win.ones) + (win.soft - win.carry) + alpha * (lo + hi)) / params.norm,
                    1.17549435e-38);
        }
        if last_pass {
            v = finish(v);
        }
        store(output, start + u32(i) * stride, v);
    }
}

// One invocation per line (a row for axis 0, a column for axis 1): the three passes in turn.
@compute @workgroup_size(64)
fn boxes(@builtin(global_invocation_id) id: vec3<u32>) {
    let line = id.x + id.y * 65535u * 64u;
    let w = params.width;
    let along_x = params.axis == 0u;
    if line >= select(w, params.height, along_x) {
        return;
    }
    let n = i32(select(params.height, w, along_x));
    let start = select(line, line * w, along_x);
    let stride = select(w, 1u, along_x);
    box_pass(0u, 2u, start, stride, n, false);
    box_pass(2u, 1u, start, stride, n, false);
    box_pass(1u, 2u, start, stride, n, true);
}
