//! Model rewrites that return new file bytes: replace declared input/output dims, drop graph
//! inputs that are initializers. Everything not rewritten is copied byte-for-byte.

use std::collections::HashSet;

use super::graph::{parse_value_info, ValueInfo};
use super::model::OnnxModel;
use super::wire::{self, Edit, Field, Reader, WireError, Writer};
use super::{Dim, OnnxError};

/// A set of edits to apply in one pass; build with [`OnnxModel::rewrite`], apply with
/// [`Rewrite::finish`]. With no edits, `finish` returns the original bytes unchanged.
#[derive(Debug, Clone)]
#[must_use = "a Rewrite does nothing until finish() is called"]
pub struct Rewrite<'m> {
    model: &'m OnnxModel,
    inputs: Vec<(String, Vec<Dim>)>,
    outputs: Vec<(String, Vec<Dim>)>,
    drop_initializer_inputs: bool,
}

impl OnnxModel {
    /// Starts a rewrite of this model.
    pub fn rewrite(&self) -> Rewrite<'_> {
        Rewrite {
            model: self,
            inputs: Vec::new(),
            outputs: Vec::new(),
            drop_initializer_inputs: false,
        }
    }

    /// New model bytes with these graph inputs declared with these dims (fixed, symbolic or
    /// unknown; the rank may change). Dimension denotations of kept positions survive.
    pub fn with_input_dims<S: AsRef<str>>(
        &self,
        dims: &[(S, Vec<Dim>)],
    ) -> Result<Vec<u8>, OnnxError> {
        dims.iter()
            .fold(self.rewrite(), |r, (name, d)| {
                r.input_dims(name.as_ref(), d.clone())
            })
            .finish()
    }

    /// New model bytes without the graph inputs whose name is also an initializer (old
    /// exporters list every weight as an input; ONNX Runtime then cannot constant-fold them).
    pub fn without_initializer_inputs(&self) -> Result<Vec<u8>, OnnxError> {
        self.rewrite().drop_initializer_inputs().finish()
    }
}

impl Rewrite<'_> {
    /// Declares graph input `name` with `dims`.
    pub fn input_dims(mut self, name: impl Into<String>, dims: Vec<Dim>) -> Self {
        self.inputs.push((name.into(), dims));
        self
    }

    /// Declares graph output `name` with `dims` (e.g. symbolic, once the inputs are).
    pub fn output_dims(mut self, name: impl Into<String>, dims: Vec<Dim>) -> Self {
        self.outputs.push((name.into(), dims));
        self
    }

    /// Removes from `graph.input` every entry whose name is also an initializer.
    pub fn drop_initializer_inputs(mut self) -> Self {
        self.drop_initializer_inputs = true;
        self
    }

    /// Checks the edits against the model and produces the new bytes.
    pub fn finish(self) -> Result<Vec<u8>, OnnxError> {
        check("input", &self.inputs, &self.model.inputs)?;
        check("output", &self.outputs, &self.model.outputs)?;
        let init_names: HashSet<&str> = if self.drop_initializer_inputs {
            self.model.initializer_names().collect()
        } else {
            HashSet::new()
        };
        let model = wire::rewrite::<OnnxError>(Reader::new(&self.model.bytes), |f| {
            if f.number != 7 {
                return Ok(Edit::Keep);
            }
            let graph = wire::rewrite::<OnnxError>(f.message("ModelProto.graph")?, |g| {
                let (what, edits) = match g.number {
                    11 => ("GraphProto.input", &self.inputs),
                    12 => ("GraphProto.output", &self.outputs),
                    _ => return Ok(Edit::Keep),
                };
                let name = parse_value_info(g, what)?.name;
                if g.number == 11 && init_names.contains(name.as_str()) {
                    return Ok(Edit::Drop);
                }
                match edits.iter().rev().find(|(n, _)| *n == name) {
                    Some((_, dims)) => Ok(Edit::Replace(value_info_with_dims(g, what, dims)?)),
                    None => Ok(Edit::Keep),
                }
            })?;
            Ok(Edit::Replace(graph.into_bytes()))
        })?;
        Ok(model.into_bytes())
    }
}

/// Every edit must name an existing tensor value and use non-negative fixed dims.
fn check(
    kind: &'static str,
    edits: &[(String, Vec<Dim>)],
    values: &[ValueInfo],
) -> Result<(), OnnxError> {
    for (name, dims) in edits {
        let Some(value) = values.iter().find(|v| v.name == *name) else {
            return Err(OnnxError::ValueNotFound {
                kind,
                name: name.clone(),
                available: values.iter().map(|v| v.name.clone()).collect(),
            });
        };
        if value.elem_type.is_none() {
            return Err(OnnxError::NotATensor {
                kind,
                name: name.clone(),
            });
        }
        if let Some(&dim) = dims.iter().find_map(|d| match d {
            Dim::Fixed(v) if *v < 0 => Some(v),
            _ => None,
        }) {
            return Err(OnnxError::BadDim {
                kind,
                name: name.clone(),
                dim,
            });
        }
    }
    Ok(())
}

/// `ValueInfoProto` payload with the tensor shape inside `type.tensor_type` replaced.
fn value_info_with_dims(
    field: &Field<'_>,
    what: &'static str,
    dims: &[Dim],
) -> Result<Vec<u8>, WireError> {
    let out = wire::rewrite::<WireError>(field.message(what)?, |f| {
        if f.number != 2 {
            return Ok(Edit::Keep);
        }
        let ty = wire::rewrite::<WireError>(f.message("ValueInfoProto.type")?, |t| {
            if t.number != 1 {
                return Ok(Edit::Keep);
            }
            Ok(Edit::Replace(tensor_type_with_dims(t, dims)?))
        })?;
        Ok(Edit::Replace(ty.into_bytes()))
    })?;
    Ok(out.into_bytes())
}

/// `TypeProto.Tensor` payload with its `shape` replaced (or added when it had none).
fn tensor_type_with_dims(field: &Field<'_>, dims: &[Dim]) -> Result<Vec<u8>, WireError> {
    let mut replaced = false;
    let mut out = wire::rewrite::<WireError>(field.message("TypeProto.tensor_type")?, |f| {
        if f.number != 2 {
            return Ok(Edit::Keep);
        }
        if replaced {
            return Ok(Edit::Drop);
        }
        replaced = true;
        Ok(Edit::Replace(shape_with_dims(
            Some(f.message("TypeProto.Tensor.shape")?),
            dims,
        )?))
    })?;
    if !replaced {
        out.bytes(2, &shape_with_dims(None, dims)?);
    }
    Ok(out.into_bytes())
}

/// `TensorShapeProto` payload with `dims`; per-dimension fields other than the value
/// (denotation) and shape fields other than `dim` are kept from `old`.
fn shape_with_dims(old: Option<Reader<'_>>, dims: &[Dim]) -> Result<Vec<u8>, WireError> {
    let mut old_dims = Vec::new();
    let mut other = Writer::new();
    for f in old.into_iter().flatten() {
        let f = f?;
        if f.number == 1 {
            old_dims.push(f);
        } else {
            other.raw(f.raw);
        }
    }
    let mut shape = Writer::new();
    for (i, dim) in dims.iter().enumerate() {
        let mut d = Writer::new();
        match dim {
            Dim::Fixed(v) => {
                d.int64(1, *v);
            }
            Dim::Param(p) => {
                d.string(2, p);
            }
            Dim::Unknown => {}
        }
        if let Some(old) = old_dims.get(i) {
            for f in old.message("TensorShapeProto.dim")? {
                let f = f?;
                if f.number != 1 && f.number != 2 {
                    d.raw(f.raw);
                }
            }
        }
        shape.message(1, &d);
    }
    shape.raw(other.as_bytes());
    Ok(shape.into_bytes())
}
