//! Both effects through the test host on the GPU path (the machine's adapter; lavapipe in CI)
//! against the CPU path (`device` = CPU): the same frames within 1e-4. And without an adapter
//! (`DOPPEL_GPU=off`, in a fresh process) the effects render on the CPU, with a note in the
//! log and no message in the host.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use doppel_host::{Clips, HostImage, HostProfile, Instance, ParamValue};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Skips (or fails under `DOPPEL_REQUIRE_GPU=1`) where this machine has no adapter: the plugin
/// loaded in this process sees the same machine.
fn machine_has_gpu(test: &str) -> bool {
    let has = doppel::gpu::context().is_some();
    if !has {
        assert!(
            std::env::var("DOPPEL_REQUIRE_GPU").as_deref() != Ok("1"),
            "{test}: DOPPEL_REQUIRE_GPU=1 but no GPU adapter"
        );
        eprintln!("{test}: skipped, no GPU adapter");
    }
    has
}

fn set(instance: &Instance, values: &[(&str, ParamValue)]) {
    for (id, value) in values {
        instance
            .set_value(id, value.clone())
            .unwrap_or_else(|e| panic!("set {id}: {e}"));
    }
}

/// The render at `t` on the GPU path and on the CPU path.
fn both(instance: &Instance, t: f64) -> (HostImage, HostImage) {
    let mut out = Vec::new();
    for device in [0, 1] {
        set(instance, &[("device", ParamValue::Choice(device))]);
        out.push(instance.render(t, &plain()).expect("render"));
        assert_clean(instance);
        assert_eq!(instance.persistent_message(), None);
    }
    let cpu = out.pop().unwrap();
    (out.pop().unwrap(), cpu)
}

fn blend_instance() -> (Instance, HostImage) {
    // Another frame's texture, graded: a colour match cannot turn it into the Source.
    let source = plate(320, 256, 3);
    let face = graded(&plate(320, 256, 9));
    let source = to_host(&source);
    let instance = face_blend(
        HostProfile::Generic,
        Clips::new()
            .with("Source", source.clone())
            .with("Face", to_host(&face)),
    );
    set(
        &instance,
        &[
            ("maskSource", ParamValue::Choice(2)),
            ("ellipseCentre", ParamValue::Double2D(160.0, 128.0)),
            ("ellipseSize", ParamValue::Double2D(70.0, 90.0)),
            ("maskFeather", ParamValue::Double(10.0)),
        ],
    );
    (instance, source)
}

#[test]
fn face_blend_on_the_gpu_matches_the_cpu() {
    if !machine_has_gpu("face_blend_on_the_gpu_matches_the_cpu") {
        return;
    }
    let (instance, source) = blend_instance();
    for (name, values) in [
        ("Reinhard", vec![("colourMatch", ParamValue::Choice(1))]),
        (
            "Linear, sRGB",
            vec![
                ("colourMatch", ParamValue::Choice(2)),
                ("colourSpace", ParamValue::Choice(1)),
            ],
        ),
        (
            "Histogram, eroded",
            vec![
                ("colourMatch", ParamValue::Choice(3)),
                ("maskErode", ParamValue::Double(-6.0)),
            ],
        ),
        (
            "Reinhard, Poisson",
            vec![
                ("colourMatch", ParamValue::Choice(1)),
                ("seamless", ParamValue::Bool(true)),
            ],
        ),
        (
            "mask only, inverted",
            vec![
                ("output", ParamValue::Choice(1)),
                ("maskInvert", ParamValue::Bool(true)),
            ],
        ),
    ] {
        set(&instance, &values);
        let (gpu, cpu) = both(&instance, 0.0);
        let diff = max_abs_diff(&gpu, &cpu);
        assert!(diff <= 1e-4, "{name}: GPU and CPU differ by {diff}");
        assert!(
            max_abs_diff(&cpu, &source) > 0.01,
            "{name}: the blend did something"
        );
    }
}

#[test]
fn face_swap_on_the_gpu_matches_the_cpu() {
    if !machine_has_gpu("face_swap_on_the_gpu_matches_the_cpu") {
        return;
    }
    let frames: Vec<HostImage> = (0..8).map(moving::frame).collect();
    let instance = host(HostProfile::Generic)
        .create_instance(
            "com.doppel.FaceSwap",
            "OfxImageEffectContextFilter",
            Clips::new().with("Source", frames.clone()),
        )
        .expect("create Face Swap");
    let model = root().join("tests/models/colour_shift/per_identity_256.onnx");
    set(
        &instance,
        &[
            ("identity", ParamValue::String(model.display().to_string())),
            ("colourSpace", ParamValue::Choice(1)),
            ("pixelBoost", ParamValue::Choice(1)),
        ],
    );
    for (name, values) in [
        (
            "Reinhard, window",
            vec![("colourMatch", ParamValue::Choice(1))],
        ),
        (
            "Linear, per frame",
            vec![
                ("colourMatch", ParamValue::Choice(2)),
                ("temporalRadius", ParamValue::Int(0)),
            ],
        ),
        (
            "no match, face only",
            vec![
                ("colourMatch", ParamValue::Choice(0)),
                ("output", ParamValue::Choice(1)),
            ],
        ),
    ] {
        set(&instance, &values);
        let (gpu, cpu) = both(&instance, 4.0);
        let diff = max_abs_diff(&gpu, &cpu);
        assert!(diff <= 1e-4, "{name}: GPU and CPU differ by {diff}");
        assert!(
            max_abs_diff(&cpu, &frames[4]) > 0.01,
            "{name}: the face was swapped"
        );
    }
}

const WORKER_OUT: &str = "DOPPEL_TEST_GPU_WORKER_OUT";

/// Not a test on its own: renders Face Blend with `device` Auto in a process started with
/// `DOPPEL_GPU=off` by [`without_an_adapter_the_effects_render_on_the_cpu`].
#[test]
#[ignore = "a worker process of another test"]
fn no_adapter_worker() {
    let Ok(out) = std::env::var(WORKER_OUT) else {
        return;
    };
    let (instance, _) = blend_instance();
    set(&instance, &[("colourMatch", ParamValue::Choice(1))]);
    let image = instance.render(0.0, &plain()).expect("render");
    assert_clean(&instance);
    assert_eq!(
        instance.persistent_message(),
        None,
        "no message in the host"
    );
    let bytes: Vec<u8> = image
        .pixels
        .iter()
        .flatten()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    std::fs::write(out, bytes).expect("write");
}

#[test]
fn without_an_adapter_the_effects_render_on_the_cpu() {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no_adapter.f32");
    let _ = std::fs::remove_file(&out);
    let run = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", "no_adapter_worker", "--ignored", "--nocapture"])
        .env(WORKER_OUT, &out)
        .env(BUNDLE_ENV, bundle())
        .env("DOPPEL_GPU", "off")
        .env("DOPPEL_LOG", "info")
        .output()
        .expect("start the worker");
    let log = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "the worker failed: {log}");
    assert!(
        log.contains("every step runs on the CPU"),
        "the log says the CPU renders: {log}"
    );
    let (instance, _) = blend_instance();
    set(
        &instance,
        &[
            ("colourMatch", ParamValue::Choice(1)),
            ("device", ParamValue::Choice(1)),
        ],
    );
    let cpu = instance.render(0.0, &plain()).expect("render");
    let want: Vec<u8> = cpu
        .pixels
        .iter()
        .flatten()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    assert!(
        std::fs::read(&out).expect("the worker's frame") == want,
        "the fallback is exactly the CPU path"
    );
}
