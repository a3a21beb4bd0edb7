// Face Swap's crop-space masks: the padded box before its blur (`fill_box`), the square min
// filter that erodes a learned mask (`min_filter`, one axis per dispatch) and the `min` that
// combines masks (`min_into`). CPU twin: src/swap/mask.rs. The blur is blur.wgsl's `convolve`.

struct Params {
    width: u32,
    height: u32,
    // fill_box: the zero bands per side; min_filter: axis (0 rows, 1 columns) and radius.
    top: u32,
    right: u32,
    bottom: u32,
    left: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// fill_box
@group(0) @binding(1) var<storage, read_write> boxed: array<f32>;
// min_filter
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
// min_into
@group(0) @binding(1) var<storage, read_write> acc: array<f32>;
@group(0) @binding(2) var<storage, read> other: array<f32>;

// 1 inside [left, width − right) × [top, height − bottom), 0 in the bands.
@compute @workgroup_size(8, 8)
fn fill_box(@builtin(global_invocation_id) id: vec3<u32>) {
    let w = params.width;
    let h = params.height;
    if id.x >= w || id.y >= h {
        return;
    }
    let inside = id.y >= params.top && id.y + params.bottom < h && id.x >= params.left
        && id.x + params.right < w;
    boxed[id.y * w + id.x] = select(0.0, 1.0, inside);
}

// The minimum over the window [i − radius, i + radius] clipped to the plane, along one axis.
@compute @workgroup_size(8, 8)
fn min_filter(@builtin(global_invocation_id) id: vec3<u32>) {
    let w = params.width;
    let h = params.height;
    if id.x >= w || id.y >= h {
        return;
    }
    let along_x = params.top == 0u;
    let radius = params.right;
    let n = select(h, w, along_x);
    let pos = select(id.y, id.x, along_x);
    let lo = pos - min(pos, radius);
    let hi = min(pos + radius, n - 1u);
    var m = src[select(lo * w + id.x, id.y * w + lo, along_x)];
    for (var c = lo + 1u; c <= hi; c++) {
        m = min(m, src[select(c * w + id.x, id.y * w + c, along_x)]);
    }
    dst[id.y * w + id.x] = m;
}

// acc = min(acc, other), element by element (`count` = width · height in `width`).
@compute @workgroup_size(64)
fn min_into(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x + id.y * 65535u * 64u;
    if i >= params.width {
        return;
    }
    acc[i] = min(acc[i], other[i]);
}
