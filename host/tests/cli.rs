//! doppel-render end to end: a job file, a PNG sequence and a still in, PNG/EXR frames out.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use doppel_host::HostImage;

fn workdir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("plates")).unwrap();
    dir
}

fn render(job: &Path, profile: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_doppel-render"))
        .arg("--bundle")
        .arg(common::bundle())
        .args(["--job"])
        .arg(job)
        .args(["--profile", profile, "--strict"])
        .output()
        .unwrap()
}

#[test]
fn renders_a_png_sequence_with_keyframes() {
    let dir = workdir("png");
    for f in 1..=3 {
        let img = HostImage::from_fn(6, 4, |x, y| [x as f32 / 5.0, y as f32 / 3.0, 0.5, 1.0]);
        img.save(&dir.join(format!("plates/plate.{f:04}.png")))
            .unwrap();
    }
    let job = r#"{
        "plugin": "org.doppel.test.Probe",
        "clips": { "Source": "plates/plate.%04d.png" },
        "frames": [1, 3],
        "params": { "gain": { "keys": [[1, 0.0], [3, 1.0]] }, "flag": true, "mode": 0 },
        "output": "out/probe.####.exr"
    }"#;
    std::fs::write(dir.join("job.json"), job).unwrap();
    let out = render(&dir.join("job.json"), "nuke");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = HostImage::load(&dir.join("out/probe.0001.exr")).unwrap();
    let mid = HostImage::load(&dir.join("out/probe.0002.exr")).unwrap();
    assert_eq!(first.get(5, 0), [0.0, 0.0, 0.0, 1.0]);
    let p = mid.get(5, 0);
    assert!(
        (p[0] - 0.5).abs() < 1e-4 && (p[2] - 0.25).abs() < 1e-4,
        "{p:?}"
    );
}

#[test]
fn reports_the_plugins_error_and_fails() {
    let dir = workdir("fail");
    HostImage::filled(4, 4, [0.2, 0.2, 0.2, 1.0])
        .save(&dir.join("plates/still.png"))
        .unwrap();
    let job = r#"{
        "clips": { "Source": "plates/still.png" },
        "frames": [0, 1],
        "params": { "mode": 5 },
        "output": "out/x.%d.png"
    }"#;
    std::fs::write(dir.join("job.json"), job).unwrap();
    let out = render(&dir.join("job.json"), "resolve");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("frame 0") && err.contains("probe failed on purpose"),
        "{err}"
    );
}
