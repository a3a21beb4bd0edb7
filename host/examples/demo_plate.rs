//! Makes the demo's stand-in "processed face" plate: the input photo under a different grade,
//! as a face from a swap model rendered under other light would look.
//!
//! Usage: `cargo run -p doppel-host --example demo_plate -- IN.png OUT.png`

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        eprintln!("usage: demo_plate IN.png OUT.png");
        return ExitCode::from(2);
    };
    let image = match image::open(input) {
        Ok(image) => image.to_rgba16(),
        Err(e) => {
            eprintln!("demo_plate: cannot read {input}: {e}");
            return ExitCode::FAILURE;
        }
    };
    // A warm, brighter grade: per-channel gain and lift, in the image's own encoding.
    let gain = [1.12_f32, 0.97, 0.86];
    let lift = [0.035_f32, 0.01, 0.0];
    let mut graded = image.clone();
    for pixel in graded.pixels_mut() {
        for c in 0..3 {
            let v = f32::from(pixel[c]) / 65535.0 * gain[c] + lift[c];
            pixel[c] = (v.clamp(0.0, 1.0) * 65535.0).round() as u16;
        }
    }
    if let Some(dir) = std::path::Path::new(output).parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    match graded.save(output) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo_plate: cannot write {output}: {e}");
            ExitCode::FAILURE
        }
    }
}
