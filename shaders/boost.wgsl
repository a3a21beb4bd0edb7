// Pixel boost on the GPU (src/gpu/boost.rs): copying one interleaved sub-image out of a k·S
// crop (`split`) or back into it (`merge`). Part (i, j) holds the crop's pixels at column
// x·k + j, row y·k + i (src/face/boost.rs); one invocation per part pixel, a plain copy.

struct Params {
    // The part's size.
    width: u32,
    height: u32,
    // The crop's width (k · width).
    crop_width: u32,
    k: u32,
    // Row and column offsets of the part.
    i: u32,
    j: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4<f32>>;

fn crop_index(x: u32, y: u32) -> u32 {
    return (y * params.k + params.i) * params.crop_width + x * params.k + params.j;
}

// Crop → part.
@compute @workgroup_size(8, 8)
fn split(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= params.width || id.y >= params.height {
        return;
    }
    dst[id.y * params.width + id.x] = src[crop_index(id.x, id.y)];
}

// Part → its pixels of the crop.
@compute @workgroup_size(8, 8)
fn merge(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= params.width || id.y >= params.height {
        return;
    }
    dst[crop_index(id.x, id.y)] = src[id.y * params.width + id.x];
}
