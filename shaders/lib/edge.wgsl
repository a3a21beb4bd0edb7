// Shared straight-edge pixel coverage (prepended to mask_shapes and morphology): the
// anti-aliased edge model of src/blend/mask.rs (`coverage`, `distance`, `normal`).

// Area of a unit pixel inside a straight edge at signed distance d, normal (a, b), a ≥ b ≥ 0.
fn coverage(d: f32, n: vec2<f32>) -> f32 {
    let half = (n.x + n.y) / 2.0;
    let band = (n.x - n.y) / 2.0;
    if d >= half {
        return 0.0;
    } else if d <= -half {
        return 1.0;
    } else if abs(d) <= band {
        return 0.5 - d / n.x;
    } else if d > 0.0 {
        return (half - d) * (half - d) / (2.0 * n.x * n.y);
    }
    return 1.0 - (half + d) * (half + d) / (2.0 * n.x * n.y);
}

// Inverse of `coverage`: the signed distance from the pixel centre to the edge.
fn distance(m: f32, n: vec2<f32>) -> f32 {
    let half = (n.x + n.y) / 2.0;
    let corner = n.y / (2.0 * n.x);
    if m <= 0.0 {
        return half;
    } else if m >= 1.0 {
        return -half;
    } else if m < corner {
        return half - sqrt(2.0 * n.x * n.y * m);
    } else if m > 1.0 - corner {
        return sqrt(2.0 * n.x * n.y * (1.0 - m)) - half;
    }
    return (0.5 - m) * n.x;
}

// (max, min) of the absolute components of a direction; axis-aligned if degenerate.
fn normal(v: vec2<f32>) -> vec2<f32> {
    let len = length(v);
    if !(len > 1e-12) {
        return vec2(1.0, 0.0);
    }
    let a = abs(v / len);
    return vec2(max(a.x, a.y), min(a.x, a.y));
}
