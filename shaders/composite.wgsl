// Face Blend's output over the final mask's support rectangle (src/blend/composite.rs), in place
// on a frame that already holds Source (Composite) or transparent black (Face Only, Mask Only):
// - `composite`: w = mask·mix; where w > 0, rgb = s + (f − s)·w (f itself at w ≥ 1) with
//   Source's alpha, or (f·w, w) for Face Only; f is the matched face (a work-sized frame);
// - `mask_only`: (w, w, w, w).

struct Params {
    // Frame width (the weights are full-frame, row-major).
    width: u32,
    // Support rectangle.
    sx0: u32,
    sy0: u32,
    sw: u32,
    sh: u32,
    // Work rectangle's origin and width (the matched face's frame).
    wx0: u32,
    wy0: u32,
    ww: u32,
    mix: f32,
    // 1 = Face Only.
    face_only: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> weights: array<f32>;
@group(0) @binding(2) var<storage, read_write> frame: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> matched: array<vec4<f32>>;

@compute @workgroup_size(8, 8)
fn composite(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= params.sw || id.y >= params.sh {
        return;
    }
    let x = params.sx0 + id.x;
    let y = params.sy0 + id.y;
    let i = y * params.width + x;
    let wgt = weights[i] * params.mix;
    if wgt <= 0.0 {
        return;
    }
    let f = matched[(y - params.wy0) * params.ww + (x - params.wx0)].rgb;
    if params.face_only == 1u {
        frame[i] = vec4(f * wgt, wgt);
        return;
    }
    let p = frame[i];
    var rgb = p.rgb + (f - p.rgb) * wgt;
    if wgt >= 1.0 {
        rgb = f;
    }
    frame[i] = vec4(rgb, p.a);
}

@compute @workgroup_size(8, 8)
fn mask_only(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= params.sw || id.y >= params.sh {
        return;
    }
    let i = (params.sy0 + id.y) * params.width + params.sx0 + id.x;
    frame[i] = vec4(weights[i] * params.mix);
}
