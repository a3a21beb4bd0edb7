// Histogram matching's weighted quantile tables (src/blend/histogram.rs `quantiles`) on the GPU,
// six channels side by side (workgroup y = channel), from the (key, weight) pairs `gather` of
// colour_stats.wgsl wrote:
// - `sort_local` / `sort_step`: bitonic sort by key (ascending f32::total_cmp order, then by
//   weight), the stages
//   with compare distances below 512 in workgroup memory, the others one dispatch each;
// - `block_sums`: per block of 1024 sorted pairs, the sum of the weights and their count (the CPU
//   turns them into f64 block offsets, written back as hi + lo pairs, and channel totals);
// - `midpoints`: each sample's midpoint position below + w/2 (hi, lo), written once so that
//   both neighbours compare the same values;
// - `quantiles`: the midpoint-rule walk, inverted: sample i writes the table entries whose
//   target position lies in (mid[i − 1], mid[i]] (sample 0: at or below mid[0]; the last one:
//   above it too), interpolated as the CPU does. Positions are compared as hi + lo pairs, so
//   the f32 rounding of a position near 2¹⁸ does not move a table entry.

struct Params {
    // Elements per channel: a power of two, at least 1024.
    padded: u32,
    // Samples with a positive weight (they sort first).
    count: u32,
    // Blocks of 1024 per channel.
    blocks: u32,
    // sort_step: block size and compare distance; sort_local: first and last block size.
    size: u32,
    dist: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> keys: array<vec2<u32>>;
// Per channel, blocks + 1 entries: (sum, count) from block_sums, then from the CPU
// (offset hi, offset lo) and last (total hi, total lo).
@group(0) @binding(2) var<storage, read_write> blocks: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> mids: array<vec2<f32>>;
// Per channel, the QUANTILES target positions k/(QUANTILES − 1)·total as (hi, lo).
@group(0) @binding(4) var<storage, read> targets: array<vec2<f32>>;
@group(0) @binding(5) var<storage, read_write> tables: array<f32>;

const LOCAL: u32 = 512u;
const BLOCK: u32 = 1024u;
const PER_THREAD: u32 = 16u;
const QUANTILES: u32 = 4096u;

var<workgroup> tile: array<vec2<u32>, 512>;
var<workgroup> part: array<f32, 128>;

// Key order, then weight order: ties of equal values in one defined order (as on the CPU),
// since the midpoint rule's interpolation at a run's ends depends on which weight is there.
fn greater(a: vec2<u32>, b: vec2<u32>) -> bool {
    return a.x > b.x || (a.x == b.x && a.y > b.y);
}

fn compare_swap(i: u32, l: u32, up: bool) {
    let a = tile[i];
    let b = tile[l];
    if select(greater(b, a), greater(a, b), up) {
        tile[i] = b;
        tile[l] = a;
    }
}

// Bitonic stages of block sizes params.size ..= params.dist, distances < 512, over 512 pairs
// per workgroup.
@compute @workgroup_size(64)
fn sort_local(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
    let t = lid.x;
    let first = wid.x * LOCAL;
    let base = wid.y * params.padded + first;
    for (var e = t; e < LOCAL; e += 64u) {
        tile[e] = keys[base + e];
    }
    workgroupBarrier();
    for (var k = params.size; k <= params.dist; k *= 2u) {
        for (var j = min(k / 2u, LOCAL / 2u); j > 0u; j /= 2u) {
            for (var p = t; p < LOCAL / 2u; p += 64u) {
                let i = (p / j) * 2u * j + p % j;
                compare_swap(i, i + j, ((first + i) & k) == 0u);
            }
            workgroupBarrier();
        }
    }
    for (var e = t; e < LOCAL; e += 64u) {
        keys[base + e] = tile[e];
    }
}

// One bitonic stage (block size params.size, distance params.dist ≥ 512), one pair per thread.
@compute @workgroup_size(64)
fn sort_step(@builtin(global_invocation_id) id: vec3<u32>) {
    let j = params.dist;
    let i = (id.x / j) * 2u * j + id.x % j;
    let base = id.y * params.padded;
    let a = keys[base + i];
    let b = keys[base + i + j];
    let up = (i & params.size) == 0u;
    if select(greater(b, a), greater(a, b), up) {
        keys[base + i] = b;
        keys[base + i + j] = a;
    }
}

fn weight(at: u32) -> f32 {
    return bitcast<f32>(keys[at].y);
}

fn value(key: u32) -> f32 {
    return bitcast<f32>(select(~key, key & 0x7FFFFFFFu, (key & 0x80000000u) != 0u));
}

@compute @workgroup_size(64)
fn block_sums(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
    let t = lid.x;
    let start = wid.y * params.padded + wid.x * BLOCK + t * PER_THREAD;
    var s = 0.0;
    var c = 0.0;
    for (var j = 0u; j < PER_THREAD; j++) {
        let w = weight(start + j);
        s += w;
        c += select(0.0, 1.0, w > 0.0);
    }
    part[t] = s;
    part[64u + t] = c;
    workgroupBarrier();
    for (var h = 32u; h > 0u; h /= 2u) {
        if t < h {
            part[t] += part[t + h];
            part[64u + t] += part[64u + t + h];
        }
        workgroupBarrier();
    }
    if t == 0u {
        blocks[wid.y * (params.blocks + 1u) + wid.x] = vec2(part[0], part[64]);
    }
}

@compute @workgroup_size(64)
fn midpoints(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
    let t = lid.x;
    let start = wid.y * params.padded + wid.x * BLOCK + t * PER_THREAD;
    var s = 0.0;
    for (var j = 0u; j < PER_THREAD; j++) {
        s += weight(start + j);
    }
    part[t] = s;
    workgroupBarrier();
    var below = 0.0;
    for (var u = 0u; u < t; u++) {
        below += part[u];
    }
    let offset = blocks[wid.y * (params.blocks + 1u) + wid.x];
    for (var j = 0u; j < PER_THREAD; j++) {
        let w = weight(start + j);
        mids[start + j] = vec2(offset.x, offset.y + (below + 0.5 * w));
        below += w;
    }
}

// a − b of two (hi, lo) positions; exact in the hi part when they are close (Sterbenz).
fn minus(a: vec2<f32>, b: vec2<f32>) -> f32 {
    return (a.x - b.x) + (a.y - b.y);
}

@compute @workgroup_size(64)
fn quantiles(@builtin(global_invocation_id) id: vec3<u32>) {
    let e = id.x;
    let n = params.count;
    if e >= n {
        return;
    }
    let ch = id.y;
    let base = ch * params.padded;
    let total = blocks[ch * (params.blocks + 1u) + params.blocks];
    let scale = f32(QUANTILES - 1u) / (total.x + total.y);
    let here = keys[base + e];
    let v = value(here.x);
    let w = bitcast<f32>(here.y);
    let mid = mids[base + e];
    var vp = 0.0;
    var wp = 0.0;
    var mid_prev = vec2(0.0);
    var k_lo = 0i;
    var k_hi = i32(QUANTILES) - 1i;
    if e > 0u {
        let p = keys[base + e - 1u];
        vp = value(p.x);
        wp = bitcast<f32>(p.y);
        mid_prev = mids[base + e - 1u];
        k_lo = max(i32(floor((mid_prev.x + mid_prev.y) * scale)) - 1i, 0i);
    }
    if e + 1u < n {
        k_hi = min(i32(floor((mid.x + mid.y) * scale)) + 1i, k_hi);
    }
    for (var k = k_lo; k <= k_hi; k++) {
        let at = ch * QUANTILES + u32(k);
        let goal = targets[at];
        let at_or_below = minus(goal, mid) <= 0.0;
        var q = v;
        if at_or_below && (e == 0u || minus(goal, mid_prev) > 0.0) {
            if e > 0u {
                let f = clamp(minus(goal, mid_prev) / ((wp + w) * 0.5), 0.0, 1.0);
                q = vp + f * (v - vp);
            }
        } else if at_or_below || e + 1u < n {
            continue;
        }
        tables[at] = q;
    }
}
