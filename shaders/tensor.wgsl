// Crops to model tensors and back on the GPU (src/gpu/tensor.rs), as src/identity/tensor.rs:
// `to_tensor` lays an RGBA crop out as a batch-1, 3-channel NCHW or NHWC tensor with a
// per-channel affine normalisation, `from_tensor` undoes it into an RGBA crop (alpha 1), and
// `to_mask` clamps a single-channel mask to 0..1 (NaN → 0). Frames are read and written as
// plain f32 arrays (pixel i, channel c at 4i + c) so every entry shares these bindings.

struct Params {
    width: u32,
    height: u32,
    // 0 = NCHW, 1 = NHWC (`layout` is reserved).
    nhwc: u32,
    // Frame channel (0..3) of tensor channel k = 0, 1, 2.
    channel0: u32,
    channel1: u32,
    channel2: u32,
    // Tensor channel k's value = frame value · scale_k + offset_k (`to_tensor`), or the frame
    // value = tensor value · scale_k + offset_k (`from_tensor`).
    scale0: f32,
    scale1: f32,
    scale2: f32,
    offset0: f32,
    offset1: f32,
    offset2: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

// Index of channel k of pixel (x, y) in the tensor.
fn tensor_index(x: u32, y: u32, k: u32) -> u32 {
    if params.nhwc == 0u {
        return (k * params.height + y) * params.width + x;
    }
    return (y * params.width + x) * 3u + k;
}

// (frame channel, scale, offset) of tensor channel k.
struct Coeff {
    channel: u32,
    scale: f32,
    offset: f32,
}

fn coeff(k: u32) -> Coeff {
    if k == 0u {
        return Coeff(params.channel0, params.scale0, params.offset0);
    }
    if k == 1u {
        return Coeff(params.channel1, params.scale1, params.offset1);
    }
    return Coeff(params.channel2, params.scale2, params.offset2);
}

// Crop → tensor: one invocation per pixel, three values written.
@compute @workgroup_size(8, 8)
fn to_tensor(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= params.width || id.y >= params.height {
        return;
    }
    let pixel = (id.y * params.width + id.x) * 4u;
    for (var k = 0u; k < 3u; k++) {
        let c = coeff(k);
        dst[tensor_index(id.x, id.y, k)] = src[pixel + c.channel] * c.scale + c.offset;
    }
}

// Tensor → crop: one invocation per pixel, alpha 1.
@compute @workgroup_size(8, 8)
fn from_tensor(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= params.width || id.y >= params.height {
        return;
    }
    let pixel = (id.y * params.width + id.x) * 4u;
    dst[pixel + 3u] = 1.0;
    for (var k = 0u; k < 3u; k++) {
        let c = coeff(k);
        dst[pixel + c.channel] = src[tensor_index(id.x, id.y, k)] * c.scale + c.offset;
    }
}

// Mask tensor → 0..1 plane: one invocation per value. NaN is found by its bits (a compiler
// may assume comparisons never see one).
@compute @workgroup_size(8, 8)
fn to_mask(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= params.width || id.y >= params.height {
        return;
    }
    let i = id.y * params.width + id.x;
    let v = src[i];
    let nan = (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
    dst[i] = select(clamp(v, 0.0, 1.0), 0.0, nan);
}
