// A rectangle of a frame copied out as a frame of its own (a paste's plate pixels under the
// face), every channel bit for bit.

struct Params {
    // The rectangle's size and top-left corner in the source frame.
    width: u32,
    height: u32,
    x0: u32,
    y0: u32,
    src_width: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out_pixels: array<vec4<f32>>;

// One invocation per rectangle pixel.
@compute @workgroup_size(8, 8)
fn copy_region(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= params.width || id.y >= params.height {
        return;
    }
    let at = (params.y0 + id.y) * params.src_width + params.x0 + id.x;
    out_pixels[id.y * params.width + id.x] = src[at];
}
