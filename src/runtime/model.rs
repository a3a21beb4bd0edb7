//! `Model`: one ONNX Runtime session behind a mutex, its declared I/O, and `run` on plain
//! tensors (conversion to the declared element types in, to f32/f64 out).

use std::borrow::Cow;
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use half::{bf16, f16};
use ort::session::{Session, SessionInputValue};
use ort::value::{DynValue, TensorElementType, TensorRef, ValueType};
use parking_lot::Mutex;

use super::env::panic_message;
use super::{ElemType, IoSpec, ModelError, ModelErrorKind, Tensor, TensorData};

thread_local! {
    static MODEL_TIME: Cell<Duration> = const { Cell::new(Duration::ZERO) };
}

/// Total time this thread spent inside [`Model::run`] since the previous call (the benchmark's
/// model time), and resets it.
pub fn take_model_time() -> Duration {
    MODEL_TIME.with(|t| t.replace(Duration::ZERO))
}

/// A loaded model, ready to run. Cheap to clone: clones share one session. `Session::run`
/// needs exclusive access, so runs of one model from several threads take turns.
#[derive(Clone)]
pub struct Model {
    inner: Arc<Inner>,
}

struct Inner {
    session: Mutex<Session>,
    inputs: Vec<IoSpec>,
    outputs: Vec<IoSpec>,
    provider: &'static str,
    path: PathBuf,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("path", &self.inner.path)
            .field("provider", &self.inner.provider)
            .field("inputs", &self.inner.inputs)
            .field("outputs", &self.inner.outputs)
            .finish()
    }
}

impl Model {
    pub(super) fn new(session: Session, provider: &'static str, path: PathBuf) -> Model {
        let inputs = session
            .inputs()
            .iter()
            .map(|o| io_spec(o.name(), o.dtype()))
            .collect();
        let outputs = session
            .outputs()
            .iter()
            .map(|o| io_spec(o.name(), o.dtype()))
            .collect();
        Model {
            inner: Arc::new(Inner {
                session: Mutex::new(session),
                inputs,
                outputs,
                provider,
                path,
            }),
        }
    }

    /// The inputs to feed, as the session declares them (initializers excluded).
    pub fn inputs(&self) -> &[IoSpec] {
        &self.inner.inputs
    }

    /// The outputs, in declared order (the order [`Model::run`] returns them in).
    pub fn outputs(&self) -> &[IoSpec] {
        &self.inner.outputs
    }

    /// The execution provider running the model: "TensorRT", "CUDA", "CoreML", "DirectML" or "CPU".
    pub fn provider(&self) -> &str {
        self.inner.provider
    }

    /// The model file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Whether both handles share one session (the cache hands out clones).
    pub fn shares_session_with(&self, other: &Model) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    fn error(&self, kind: ModelErrorKind, message: impl Into<String>) -> ModelError {
        ModelError::new(&self.inner.path, kind, message)
    }

    /// Runs the model on named inputs (every declared input, each once) and returns every
    /// output in declared order. Inputs are converted to the declared element type (f32, f64,
    /// f16 or i64); float16/bfloat16 outputs come back as f32, integer and bool outputs as f64.
    pub fn run(&self, inputs: &[(&str, &Tensor)]) -> Result<Vec<Tensor>, ModelError> {
        let start = Instant::now();
        let result = self.run_timed(inputs);
        MODEL_TIME.with(|t| t.set(t.get() + start.elapsed()));
        result
    }

    fn run_timed(&self, inputs: &[(&str, &Tensor)]) -> Result<Vec<Tensor>, ModelError> {
        self.check_inputs(inputs)?;
        let mut values: Vec<(Cow<'_, str>, SessionInputValue<'_>)> = Vec::new();
        for (name, tensor) in inputs {
            let spec = self.inner.inputs.iter().find(|s| s.name == *name);
            let elem = spec.map_or(ElemType::F32, |s| s.elem);
            let value = input_value(tensor, elem)
                .map_err(|e| self.error(ModelErrorKind::Inputs, format!("input '{name}': {e}")))?;
            values.push((Cow::Borrowed(*name), value));
        }
        let mut session = self.inner.session.lock();
        let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<Vec<Tensor>, String> {
            let outputs = session.run(values).map_err(|e| e.to_string())?;
            self.inner
                .outputs
                .iter()
                .map(|spec| {
                    let value = outputs
                        .get(spec.name.as_str())
                        .ok_or_else(|| format!("output '{}' is missing", spec.name))?;
                    output_tensor(value).map_err(|e| format!("output '{}': {e}", spec.name))
                })
                .collect()
        }));
        match outcome {
            Ok(result) => result.map_err(|e| self.error(ModelErrorKind::Run, e)),
            Err(panic) => Err(self.error(
                ModelErrorKind::Run,
                format!("ONNX Runtime panicked: {}", panic_message(&panic)),
            )),
        }
    }

    /// Names, completeness, data length and declared fixed dims, with messages naming them.
    fn check_inputs(&self, inputs: &[(&str, &Tensor)]) -> Result<(), ModelError> {
        let declared = &self.inner.inputs;
        let names = || {
            declared
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        for (i, (name, tensor)) in inputs.iter().enumerate() {
            let Some(spec) = declared.iter().find(|s| s.name == *name) else {
                return Err(self.error(
                    ModelErrorKind::Inputs,
                    format!("it has no input '{name}'; its inputs are: {}", names()),
                ));
            };
            if inputs[..i].iter().any(|(n, _)| n == name) {
                return Err(self.error(
                    ModelErrorKind::Inputs,
                    format!("input '{name}' given twice"),
                ));
            }
            if tensor.len() != tensor.element_count() {
                return Err(self.error(
                    ModelErrorKind::Inputs,
                    format!(
                        "input '{name}': shape {:?} needs {} values, got {}",
                        tensor.shape,
                        tensor.element_count(),
                        tensor.len()
                    ),
                ));
            }
            let fits = spec.shape.len() == tensor.shape.len()
                && spec
                    .shape
                    .iter()
                    .zip(&tensor.shape)
                    .all(|(d, &n)| d.is_none_or(|d| d == n));
            if !fits {
                return Err(self.error(
                    ModelErrorKind::Inputs,
                    format!(
                        "input '{name}' has shape {:?}; the model expects {}",
                        tensor.shape,
                        shape_text(&spec.shape)
                    ),
                ));
            }
        }
        if let Some(missing) = declared
            .iter()
            .find(|s| !inputs.iter().any(|(n, _)| *n == s.name))
        {
            return Err(self.error(
                ModelErrorKind::Inputs,
                format!(
                    "input '{}' was not given; its inputs are: {}",
                    missing.name,
                    names()
                ),
            ));
        }
        Ok(())
    }
}

/// `[1, 3, H?, W?]`-style text for a declared shape.
fn shape_text(shape: &[Option<usize>]) -> String {
    let dims: Vec<String> = shape
        .iter()
        .map(|d| d.map_or_else(|| "?".to_owned(), |d| d.to_string()))
        .collect();
    format!("[{}]", dims.join(", "))
}

fn io_spec(name: &str, dtype: &ValueType) -> IoSpec {
    let (elem, shape) = match dtype {
        ValueType::Tensor { ty, shape, .. } => (
            elem_type(*ty),
            shape.iter().map(|&d| usize::try_from(d).ok()).collect(),
        ),
        _ => (ElemType::Other, Vec::new()),
    };
    IoSpec {
        name: name.to_owned(),
        shape,
        elem,
    }
}

fn elem_type(ty: TensorElementType) -> ElemType {
    match ty {
        TensorElementType::Float32 => ElemType::F32,
        TensorElementType::Float64 => ElemType::F64,
        TensorElementType::Float16 => ElemType::F16,
        TensorElementType::Int64 => ElemType::I64,
        _ => ElemType::Other,
    }
}

/// The session value for `tensor`, borrowed when the element type already matches.
fn input_value(tensor: &Tensor, elem: ElemType) -> Result<SessionInputValue<'_>, String> {
    let shape = tensor.shape.clone();
    let value: SessionInputValue<'_> = match (&tensor.data, elem) {
        (TensorData::F32(v), ElemType::F32) => TensorRef::from_array_view((shape, v.as_slice()))
            .map_err(|e| e.to_string())?
            .into(),
        (TensorData::F64(v), ElemType::F64) => TensorRef::from_array_view((shape, v.as_slice()))
            .map_err(|e| e.to_string())?
            .into(),
        (_, ElemType::F32) => owned(shape, values(tensor, |x| x as f32))?,
        (_, ElemType::F64) => owned(shape, values(tensor, |x| x))?,
        (_, ElemType::F16) => owned(shape, values(tensor, f16::from_f64))?,
        (_, ElemType::I64) => owned(shape, values(tensor, |x| x.round() as i64))?,
        (_, ElemType::Other) => {
            return Err("the model wants an element type Doppel cannot provide".to_owned())
        }
    };
    Ok(value)
}

fn values<T>(tensor: &Tensor, f: impl Fn(f64) -> T) -> Vec<T> {
    match &tensor.data {
        TensorData::F32(v) => v.iter().map(|&x| f(f64::from(x))).collect(),
        TensorData::F64(v) => v.iter().map(|&x| f(x)).collect(),
    }
}

fn owned<T>(shape: Vec<usize>, data: Vec<T>) -> Result<SessionInputValue<'static>, String>
where
    T: ort::value::PrimitiveTensorElementType + std::fmt::Debug + Clone + 'static,
{
    Ok(ort::value::Tensor::from_array((shape, data))
        .map_err(|e| e.to_string())?
        .into())
}

/// A session output as a plain tensor.
fn output_tensor(value: &DynValue) -> Result<Tensor, String> {
    let ValueType::Tensor { ty, .. } = value.dtype() else {
        return Err("not a tensor (sequences and maps are not supported)".to_owned());
    };
    fn get<T: ort::value::PrimitiveTensorElementType>(
        v: &DynValue,
    ) -> Result<(Vec<usize>, &[T]), String> {
        let (shape, data) = v.try_extract_tensor::<T>().map_err(|e| e.to_string())?;
        let shape = shape
            .iter()
            .map(|&d| usize::try_from(d).unwrap_or(0))
            .collect();
        Ok((shape, data))
    }
    fn to_f64<T: ort::value::PrimitiveTensorElementType + Copy>(
        v: &DynValue,
        f: impl Fn(T) -> f64,
    ) -> Result<Tensor, String> {
        let (shape, data) = get::<T>(v)?;
        Ok(Tensor::f64(shape, data.iter().map(|&x| f(x)).collect()))
    }
    match ty {
        TensorElementType::Float32 => get::<f32>(value).map(|(s, d)| Tensor::f32(s, d.to_vec())),
        TensorElementType::Float64 => get::<f64>(value).map(|(s, d)| Tensor::f64(s, d.to_vec())),
        TensorElementType::Float16 => {
            get::<f16>(value).map(|(s, d)| Tensor::f32(s, d.iter().map(|x| x.to_f32()).collect()))
        }
        TensorElementType::Bfloat16 => {
            get::<bf16>(value).map(|(s, d)| Tensor::f32(s, d.iter().map(|x| x.to_f32()).collect()))
        }
        TensorElementType::Int64 => to_f64::<i64>(value, |x| x as f64),
        TensorElementType::Int32 => to_f64::<i32>(value, f64::from),
        TensorElementType::Int16 => to_f64::<i16>(value, f64::from),
        TensorElementType::Int8 => to_f64::<i8>(value, f64::from),
        TensorElementType::Uint64 => to_f64::<u64>(value, |x| x as f64),
        TensorElementType::Uint32 => to_f64::<u32>(value, f64::from),
        TensorElementType::Uint16 => to_f64::<u16>(value, f64::from),
        TensorElementType::Uint8 => to_f64::<u8>(value, f64::from),
        TensorElementType::Bool => to_f64::<bool>(value, |x| if x { 1.0 } else { 0.0 }),
        other => Err(format!("element type {other} cannot be read")),
    }
}
