// A frame put in the model domain (what models see: sRGB-encoded RGB clamped to 0..1, alpha 1,
// non-finite values 0), reduced by an integer factor on the way (block means, the last partial
// blocks too): detection's view, and with factor 1 a crop's conversion. The arithmetic of
// src/swap/model_domain.rs: a block's values summed row by row in f32, divided by its count.
//
// uses: lib/colour.wgsl

struct Params {
    // The output grid.
    width: u32,
    height: u32,
    src_width: u32,
    src_height: u32,
    factor: u32,
    // 1 when the frame is linear (encoded here), 0 when already sRGB-encoded.
    linear: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out_pixels: array<vec4<f32>>;

// A mean as models see it; the finiteness test is on the bits (NaN and infinity have every
// exponent bit set), since WGSL may assume floats finite.
fn model_value(mean: f32) -> f32 {
    if (bitcast<u32>(mean) & 0x7f800000u) == 0x7f800000u {
        return 0.0;
    }
    var v = mean;
    if params.linear == 1u {
        v = encode(mean);
    }
    return clamp(v, 0.0, 1.0);
}

// One invocation per output pixel.
@compute @workgroup_size(8, 8)
fn reduce(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= params.width || id.y >= params.height {
        return;
    }
    let f = params.factor;
    let x0 = id.x * f;
    let y0 = id.y * f;
    let x1 = min(x0 + f, params.src_width);
    let y1 = min(y0 + f, params.src_height);
    var sum = vec3<f32>(0.0);
    for (var y = y0; y < y1; y++) {
        for (var x = x0; x < x1; x++) {
            sum += src[y * params.src_width + x].rgb;
        }
    }
    var mean = sum;
    let n = (x1 - x0) * (y1 - y0);
    if n > 1u {
        mean = sum / f32(n);
    }
    out_pixels[id.y * params.width + id.x] =
        vec4(model_value(mean.r), model_value(mean.g), model_value(mean.b), 1.0);
}
