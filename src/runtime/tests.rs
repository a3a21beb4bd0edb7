//! Runtime tests on tiny models encoded with `crate::onnx::wire`, run by the real ONNX Runtime
//! library from `.cache/assets` (or `DOPPEL_ORT_LIB`): they fail, not skip, without it.

use std::path::PathBuf;
use std::time::Duration;

use super::*;
use crate::onnx::wire::Writer;
use crate::onnx::Dim;

/// Points the runtime at the test library; panics with the fix when it is missing.
pub(crate) fn init_test_runtime() {
    let path = std::env::var_os("DOPPEL_ORT_LIB")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".cache/assets/libonnxruntime.so.1.31.1")
        });
    assert!(
        path.is_file(),
        "the ONNX Runtime library {} is missing: run `bash scripts/assets.sh` first \
         (or set DOPPEL_ORT_LIB)",
        path.display()
    );
    set_library_path(&path);
}

/// A scratch folder for this test binary.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("doppel-runtime-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

const FLOAT: u64 = 1;
const FLOAT16: u64 = 10;
const DOUBLE: u64 = 11;

fn value_info(name: &str, elem: u64, dims: &[Dim]) -> Writer {
    let mut shape = Writer::new();
    for d in dims {
        let mut dim = Writer::new();
        match d {
            Dim::Fixed(v) => dim.int64(1, *v),
            Dim::Param(p) => dim.string(2, p),
            Dim::Unknown => &mut dim,
        };
        shape.message(1, &dim);
    }
    let mut tensor = Writer::new();
    tensor.varint(1, elem).message(2, &shape);
    let mut ty = Writer::new();
    ty.message(1, &tensor);
    let mut v = Writer::new();
    v.string(1, name).message(2, &ty);
    v
}

/// A node; `cast_to` adds Cast's `to` attribute.
fn node(op: &str, inputs: &[&str], output: &str, cast_to: Option<u64>) -> Writer {
    let mut n = Writer::new();
    for i in inputs {
        n.string(1, i);
    }
    n.string(2, output).string(3, output).string(4, op);
    if let Some(to) = cast_to {
        let mut attr = Writer::new();
        attr.string(1, "to").varint(3, to).varint(20, 2);
        n.message(5, &attr);
    }
    n
}

fn model(graph: &Writer) -> Vec<u8> {
    let mut opset = Writer::new();
    opset.string(1, "").int64(2, 13);
    let mut m = Writer::new();
    m.int64(1, 7).message(8, &opset).message(7, graph);
    m.into_bytes()
}

/// sum = x + y (f32 [2,3]); half = Cast(sum, float16).
fn add_model() -> Vec<u8> {
    let dims = [Dim::Fixed(2), Dim::Fixed(3)];
    let mut g = Writer::new();
    g.message(1, &node("Add", &["x", "y"], "sum", None));
    g.message(1, &node("Cast", &["sum"], "half", Some(FLOAT16)));
    g.string(2, "add");
    g.message(11, &value_info("x", FLOAT, &dims));
    g.message(11, &value_info("y", FLOAT, &dims));
    g.message(12, &value_info("sum", FLOAT, &dims));
    g.message(12, &value_info("half", FLOAT16, &dims));
    model(&g)
}

/// z = x · float(w) + b, with w a float64 input and b an initializer listed as an input;
/// echo = w (float64 out).
fn weight_model() -> Vec<u8> {
    let mut g = Writer::new();
    g.message(1, &node("Cast", &["w"], "wf", Some(FLOAT)));
    g.message(1, &node("Mul", &["x", "wf"], "xw", None));
    g.message(1, &node("Add", &["xw", "b"], "z", None));
    g.message(1, &node("Identity", &["w"], "echo", None));
    g.string(2, "weight");
    let mut b = Writer::new();
    b.int64(1, 1).varint(2, FLOAT).string(8, "b");
    b.bytes(9, &0.5f32.to_le_bytes());
    g.message(5, &b);
    g.message(11, &value_info("x", FLOAT, &[Dim::Param("n".into())]));
    g.message(11, &value_info("w", DOUBLE, &[Dim::Fixed(1)]));
    g.message(11, &value_info("b", FLOAT, &[Dim::Fixed(1)]));
    g.message(12, &value_info("z", FLOAT, &[Dim::Param("n".into())]));
    g.message(12, &value_info("echo", DOUBLE, &[Dim::Fixed(1)]));
    model(&g)
}

fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn a_run_gives_the_right_values_on_cpu() {
    init_test_runtime();
    let path = write("add.onnx", &add_model());
    let model = load_model(&path, Device::Auto).expect("load add.onnx");
    // The CPU-only library has no accelerator: Auto falls back silently.
    assert_eq!(model.provider(), "CPU");
    assert_eq!(model.path(), path.as_path());
    let names: Vec<_> = model.inputs().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["x", "y"]);
    assert_eq!(model.inputs()[0].shape, [Some(2), Some(3)]);
    assert_eq!(model.inputs()[0].elem, ElemType::F32);
    assert_eq!(model.outputs()[1].elem, ElemType::F16);

    let x = Tensor::f32([2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let y = Tensor::f32([2, 3], vec![0.5, -2.0, 0.25, 100.0, -5.0, 1e-3]);
    let out = model.run(&[("y", &y), ("x", &x)]).expect("run");
    assert_eq!(out.len(), 2);
    let want = [1.5, 0.0, 3.25, 104.0, 0.0, 6.001];
    assert_eq!(out[0].shape, [2, 3]);
    assert_eq!(out[0].as_f32().unwrap(), want);
    // float16 output, converted to f32: within half precision.
    for (h, w) in out[1].as_f32().unwrap().iter().zip(want) {
        assert!((h - w).abs() <= 1e-3 * w.abs().max(1.0), "{h} vs {w}");
    }
}

#[test]
fn float64_inputs_and_outputs_work_and_initializer_inputs_are_dropped() {
    init_test_runtime();
    let path = write("weight.onnx", &weight_model());
    let model = load_model(&path, Device::Cpu).expect("load weight.onnx");
    let names: Vec<_> = model.inputs().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["x", "w"],
        "b is an initializer, not an input to feed"
    );
    assert_eq!(model.inputs()[0].shape, [None]);
    assert_eq!(model.inputs()[1].elem, ElemType::F64);

    let x = Tensor::f32([4], vec![1.0, -2.0, 0.0, 8.0]);
    let w = Tensor::f64([1], vec![0.25]);
    let out = model.run(&[("x", &x), ("w", &w)]).expect("run");
    assert_eq!(out[0].as_f32().unwrap(), [0.75, 0.0, 0.5, 2.5]);
    assert_eq!(out[1].as_f64().unwrap(), [0.25]);
    // An f32 tensor for the f64 input is converted.
    let w32 = Tensor::f32([1], vec![2.0]);
    let out = model
        .run(&[("x", &x), ("w", &w32)])
        .expect("run with f32 weight");
    assert_eq!(out[0].as_f32().unwrap(), [2.5, -3.5, 0.5, 16.5]);
}

#[test]
fn the_cache_shares_sessions_per_file_device_and_fix() {
    init_test_runtime();
    let path = write("cached.onnx", &add_model());
    let a = load_model(&path, Device::Auto).unwrap();
    let b = load_model(&path, Device::Auto).unwrap();
    assert!(a.shares_session_with(&b));
    let cpu = load_model(&path, Device::Cpu).unwrap();
    assert!(!a.shares_session_with(&cpu));
    let fixed = |m: &crate::onnx::OnnxModel| {
        m.with_input_dims(&[("x", vec![Dim::Param("a".into()), Dim::Fixed(3)])])
    };
    let f1 = load_model_with(&path, Device::Auto, "dyn-x", fixed).unwrap();
    let f2 = load_model_with(&path, Device::Auto, "dyn-x", fixed).unwrap();
    assert!(f1.shares_session_with(&f2) && !f1.shares_session_with(&a));
    assert_eq!(f1.inputs()[0].shape, [None, Some(3)]);
    // A changed file is a new model.
    std::fs::write(&path, weight_model()).unwrap();
    let changed = load_model(&path, Device::Auto).unwrap();
    assert!(!changed.shares_session_with(&a));
    assert_eq!(changed.inputs().len(), 2);
    assert_eq!(changed.outputs()[1].name, "echo");
}

#[test]
fn a_missing_or_foreign_library_is_an_error_not_a_panic() {
    let missing = scratch("no-such-dir/libonnxruntime.so.1.31.1");
    let e = check_library(&missing).unwrap_err();
    assert!(e.contains("does not exist"), "{e}");
    let text = write("fake-libonnxruntime.so", b"this is not a library");
    let e = check_library(&text).unwrap_err();
    assert!(e.contains("not a shared library"), "{e}");
    let e = check_library(&std::env::temp_dir()).unwrap_err();
    assert!(e.contains("folder"), "{e}");
    init_test_runtime();
    let real = std::env::var_os("DOPPEL_ORT_LIB").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".cache/assets/libonnxruntime.so.1.31.1"),
        PathBuf::from,
    );
    check_library(&real).expect("the real library passes the check");
    // The bundle puts the library where the plugin looks.
    assert_eq!(library_file_name(), doppel_bundle::onnxruntime_file_name());
    assert_eq!(ORT_VERSION, doppel_bundle::ONNXRUNTIME_VERSION);
    assert_eq!(
        library_path_in_bundle(std::path::Path::new("/b/Contents/Linux-x86-64")),
        PathBuf::from("/b/Contents/Linux-x86-64").join(library_file_name())
    );
}

#[test]
fn bad_model_files_are_errors_naming_the_file() {
    init_test_runtime();
    let bytes = add_model();
    let truncated = write("truncated.onnx", &bytes[..bytes.len() * 2 / 3]);
    let e = load_model(&truncated, Device::Auto).unwrap_err();
    assert_eq!(e.kind(), ModelErrorKind::Invalid);
    assert!(e.to_string().contains("truncated.onnx"), "{e}");
    assert!(e.to_string().contains("not an ONNX model"), "{e}");

    let missing = scratch("absent.onnx");
    let e = load_model(&missing, Device::Auto).unwrap_err();
    assert_eq!(e.kind(), ModelErrorKind::Unreadable);
    assert!(e.to_string().contains("absent.onnx") && e.to_string().contains("does not exist"));

    let png = write("picture.onnx", b"\x89PNG\r\n\x1a\n not a model at all");
    let e = load_model(&png, Device::Auto).unwrap_err();
    assert_eq!(e.kind(), ModelErrorKind::Invalid, "{e}");

    let mut g = Writer::new();
    g.message(1, &node("NoSuchOperator", &["x"], "y", None));
    g.message(11, &value_info("x", FLOAT, &[Dim::Fixed(1)]));
    g.message(12, &value_info("y", FLOAT, &[Dim::Fixed(1)]));
    let refused = write("refused.onnx", &model(&g));
    let e = load_model(&refused, Device::Auto).unwrap_err();
    assert_eq!(e.kind(), ModelErrorKind::Rejected, "{e}");
    assert!(e.to_string().contains("refused.onnx"), "{e}");
}

#[test]
fn unsuitable_inputs_are_errors_naming_them() {
    init_test_runtime();
    let path = write("inputs.onnx", &add_model());
    let model = load_model(&path, Device::Auto).unwrap();
    let ok = Tensor::f32([2, 3], vec![0.0; 6]);
    let cases = [
        (vec![("x", &ok)], "'y' was not given"),
        (vec![("x", &ok), ("y", &ok), ("q", &ok)], "no input 'q'"),
    ];
    for (inputs, want) in cases {
        let e = model.run(&inputs).unwrap_err();
        assert_eq!(e.kind(), ModelErrorKind::Inputs);
        assert!(e.to_string().contains(want), "{e}");
    }
    let wrong = Tensor::f32([3, 2], vec![0.0; 6]);
    let e = model.run(&[("x", &ok), ("y", &wrong)]).unwrap_err();
    assert!(e.to_string().contains("expects [2, 3]"), "{e}");
    let short = Tensor::f32([2, 3], vec![0.0; 5]);
    let e = model.run(&[("x", &ok), ("y", &short)]).unwrap_err();
    assert!(e.to_string().contains("needs 6 values"), "{e}");
}

#[test]
fn model_time_accumulates_per_thread() {
    init_test_runtime();
    let path = write("timed.onnx", &add_model());
    let model = load_model(&path, Device::Auto).unwrap();
    let x = Tensor::f32([2, 3], vec![1.0; 6]);
    let _ = take_model_time();
    let mut outside = Duration::ZERO;
    for _ in 0..3 {
        let t = std::time::Instant::now();
        model.run(&[("x", &x), ("y", &x)]).unwrap();
        outside += t.elapsed();
    }
    let inside = take_model_time();
    assert!(
        inside > Duration::ZERO && inside <= outside,
        "{inside:?} vs {outside:?}"
    );
    assert_eq!(take_model_time(), Duration::ZERO, "taking resets");
    // Another thread's runs are its own.
    let m = model.clone();
    std::thread::spawn(move || {
        m.run(&[("x", &x), ("y", &x)]).unwrap();
    })
    .join()
    .unwrap();
    assert_eq!(take_model_time(), Duration::ZERO);
}

#[test]
fn a_provider_that_fails_to_register_falls_back_to_the_next_then_cpu() {
    use ort::ep;
    init_test_runtime();
    let env = super::env::environment().expect("environment");
    // The CPU-only library has neither CUDA nor TensorRT: registering them fails, as on a
    // machine with the GPU build but without NVIDIA's libraries.
    let candidates = vec![
        (
            "TensorRT",
            vec![ep::TensorRT::default().build().error_on_failure()],
        ),
        ("CUDA", vec![ep::CUDA::default().build().error_on_failure()]),
    ];
    let dir = std::env::temp_dir();
    let (_session, provider) =
        super::cache::first_that_builds(&env, &add_model(), &dir, candidates)
            .expect("falls back to CPU");
    assert_eq!(provider, "CPU");
}
