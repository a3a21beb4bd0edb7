// Shared double-f32 arithmetic (prepended to blur, mask_shapes, morphology and face_outline):
// error-free transforms on hi + lo pairs. Products of 12-bit halves are exact, so fused
// multiply-adds change nothing, and `opaque` stops algebraic folding of the rounding steps.
// The including shader declares `params` with a `zero: u32` field that is 0 at run time.

fn opaque(x: f32) -> f32 {
    return bitcast<f32>(bitcast<u32>(x) | params.zero);
}

// a + b as s + e exactly.
fn two_sum(a: f32, b: f32) -> vec2<f32> {
    let s = opaque(a + b);
    let bb = opaque(s - a);
    return vec2(s, (a - (s - bb)) + (b - bb));
}

// a + b as s + e exactly, for |a| ≥ |b|.
fn quick_two_sum(a: f32, b: f32) -> vec2<f32> {
    let s = opaque(a + b);
    return vec2(s, b - (s - a));
}

// a as hi + lo, hi its top 12 significand bits.
fn split(a: f32) -> vec2<f32> {
    let hi = bitcast<f32>(bitcast<u32>(a) & 0xfffff000u);
    return vec2(hi, a - hi);
}

// a·b as p + e exactly (products of 12-bit halves are exact, fused or not).
fn two_prod(a: f32, b: f32) -> vec2<f32> {
    let p = opaque(a * b);
    let x = split(a);
    let y = split(b);
    return vec2(p, ((x.x * y.x - p) + x.x * y.y + x.y * y.x) + x.y * y.y);
}

fn df_mul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
    let p = two_prod(a.x, b.x);
    return quick_two_sum(p.x, p.y + (a.x * b.y + a.y * b.x));
}

fn df_add(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
    let s = two_sum(a.x, b.x);
    return quick_two_sum(s.x, s.y + (a.y + b.y));
}
