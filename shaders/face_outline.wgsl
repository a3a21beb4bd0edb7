// The face-outline hull raster: each face's outline polygon rasterised with one-pixel
// anti-aliasing (0.5 + signed distance to the boundary) and max-ed into a mask frame's alpha,
// RGB mirroring alpha inside each polygon's box. CPU twin: src/face/outline.rs
// (`rasterise_faces`).
//
// uses: lib/double_f32.wgsl

struct Params {
    width: u32,
    height: u32,
    polygons: u32,
    vertices: u32,
    // 0 at run time: keeps the compiler from folding the rounding steps of `two_prod`.
    zero: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// Per polygon: its pixel box (x0, x1, y0, y1), then each vertex as (integer x, fraction of x,
// integer y, fraction of y), so that pixel − vertex is computed without rounding the vertex.
@group(0) @binding(1) var<storage, read> polys: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> mask: array<vec4<f32>>;

// Signed distance from the centre of pixel (x, y) to polygon `p`'s boundary: positive inside
// (even-odd rule). Pixel − vertex is kept as integer + fraction, and the offset from the
// nearest point of an edge as the difference of nearly equal exact terms, so only quantities
// of the distance's own size are rounded.
fn signed_distance(p: u32, x: u32, y: u32) -> f32 {
    let n = params.vertices;
    let base = p * (n + 1u) + 1u;
    var inside = false;
    var nearest = 3.4e38;
    for (var i = 0u; i < n; i++) {
        let a = polys[base + i];
        let b = polys[base + (i + 1u) % n];
        let whole = vec2(f32(x) - a.x, f32(y) - a.z);
        let part = vec2(0.5 - a.y, 0.5 - a.w);
        let pa = whole + part;
        let d_whole = vec2(b.x - a.x, b.z - a.z);
        let d_part = vec2(b.y - a.y, b.w - a.w);
        let d = d_whole + d_part;
        // ay > py != by > py, and px < ax + (py − ay)(bx − ax)/(by − ay).
        let pb_y = (f32(y) - b.z) + (0.5 - b.w);
        if (pa.y < 0.0) != (pb_y < 0.0) && pa.x < pa.y * d.x / d.y {
            inside = !inside;
        }
        let t = clamp(dot(pa, d) / max(dot(d, d), 1e-12), 0.0, 1.0);
        let tx = two_prod(t, d_whole.x);
        let ty = two_prod(t, d_whole.y);
        let e = vec2(
            ((whole.x - tx.x) - tx.y) + (part.x - t * d_part.x),
            ((whole.y - ty.x) - ty.y) + (part.y - t * d_part.y),
        );
        nearest = min(nearest, length(e));
    }
    return select(-nearest, nearest, inside);
}

@compute @workgroup_size(8, 8)
fn rasterise(@builtin(global_invocation_id) id: vec3<u32>) {
    let w = params.width;
    if id.x >= w || id.y >= params.height {
        return;
    }
    let i = id.y * w + id.x;
    var a = mask[i].a;
    var touched = false;
    let x = f32(id.x);
    let y = f32(id.y);
    for (var p = 0u; p < params.polygons; p++) {
        let bounds = polys[p * (params.vertices + 1u)];
        if x >= bounds.x && x < bounds.y && y >= bounds.z && y < bounds.w {
            touched = true;
            a = max(a, clamp(0.5 + signed_distance(p, id.x, id.y), 0.0, 1.0));
        }
    }
    if touched {
        mask[i] = vec4(a);
    }
}
