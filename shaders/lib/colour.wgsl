// Shared colour arithmetic (prepended to colour_convert, colour_apply and colour_stats): the
// sRGB curve of src/colour.rs (the exact knee, odd-symmetric below zero, the power segment
// continued above 1, HDR values never clamped) and linear RGB ↔ CIELAB (D65, the white folded
// into the matrices).

const LINEAR_KNEE: f32 = 0.0031306684;
const ENCODED_KNEE: f32 = 0.040448236;
const LAB_DELTA: f32 = 6.0 / 29.0;

// Linear → sRGB-encoded.
fn encode(v: f32) -> f32 {
    let a = abs(v);
    var e: f32;
    if a <= LINEAR_KNEE {
        e = a * 12.92;
    } else {
        e = 1.055 * pow(a, 1.0 / 2.4) - 0.055;
    }
    return select(e, -e, v < 0.0);
}

// sRGB-encoded → linear.
fn decode(v: f32) -> f32 {
    let a = abs(v);
    var l: f32;
    if a <= ENCODED_KNEE {
        l = a / 12.92;
    } else {
        l = pow((a + 0.055) / 1.055, 2.4);
    }
    return select(l, -l, v < 0.0);
}

// CIELAB companding: a cube root refined by one Newton step above δ³, linear below.
fn lab_f(t: f32) -> f32 {
    if t > LAB_DELTA * LAB_DELTA * LAB_DELTA {
        let y = pow(t, 1.0 / 3.0);
        return y - (y * y * y - t) / (3.0 * y * y);
    }
    return t / (3.0 * LAB_DELTA * LAB_DELTA) + 4.0 / 29.0;
}

fn lab_f_inv(u: f32) -> f32 {
    if u > LAB_DELTA {
        return u * u * u;
    }
    return 3.0 * LAB_DELTA * LAB_DELTA * (u - 4.0 / 29.0);
}

// Linear RGB → CIELAB (LINEAR_TO_XYZ of src/colour.rs with the white folded into its rows).
fn linear_to_lab(rgb: vec3<f32>) -> vec3<f32> {
    let x = lab_f(dot(vec3(0.43388734556603990, 0.37622400913749876, 0.18988864529646140), rgb));
    let y = lab_f(dot(vec3(0.21263900587151036, 0.71516867876775590, 0.07219231536073371), rgb));
    let z = lab_f(dot(vec3(0.01775004007097326, 0.10944762085523850, 0.87280233907378820), rgb));
    return vec3(116.0 * y - 16.0, 500.0 * (x - y), 200.0 * (y - z));
}

// CIELAB → linear RGB: XYZ_TO_LINEAR of src/colour.rs with the white folded into its columns.
fn lab_to_linear(lab: vec3<f32>) -> vec3<f32> {
    let fy = (lab.x + 16.0) / 116.0;
    let f = vec3(lab_f_inv(fy + lab.y / 500.0), lab_f_inv(fy), lab_f_inv(fy - lab.z / 200.0));
    return vec3(
        dot(vec3(3.080399090679464, -1.5373831775700935, -0.543015913109371), f),
        dot(vec3(-0.921223358860277, 1.8759675015077206, 0.0452558573525563), f),
        dot(vec3(0.05287393897036444, -0.20397695888897657, 1.151103019918612), f),
    );
}
