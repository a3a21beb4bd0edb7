// Colour-space conversion of a frame, in place: sRGB encode or decode of R, G and B (alpha
// untouched). The same curve as src/colour.rs: the exact knee, odd-symmetric below zero, the
// power segment continued above 1 (HDR values are never clamped).
//
// uses: lib/colour.wgsl

struct Params {
    count: u32,
    // 0 = linear → sRGB (encode), 1 = sRGB → linear (decode).
    direction: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> pixels: array<vec4<f32>>;

// One invocation per pixel; rows of 64 × 65535 pixels in y (a 1-D dispatch is limited to
// 65535 workgroups).
@compute @workgroup_size(64)
fn convert(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x + id.y * 65535u * 64u;
    if i >= params.count {
        return;
    }
    let p = pixels[i];
    var rgb: vec3<f32>;
    if params.direction == 0u {
        rgb = vec3(encode(p.r), encode(p.g), encode(p.b));
    } else {
        rgb = vec3(decode(p.r), decode(p.g), decode(p.b));
    }
    pixels[i] = vec4(rgb, p.a);
}
