//! `OnnxModel`: parses a `ModelProto` once, keeps its bytes and indexes what Doppel needs
//! (GraphProto entry types are in `graph.rs`).
//!
//! Indexed: ModelProto header fields, opset imports, `metadata_props`, and of the graph its
//! name, node count, inputs and outputs (`ValueInfoProto` with tensor type and shape) and
//! initializers (`TensorProto` header, plus the byte range for decoding on demand).
//! Nodes, attributes and sub-graphs are not parsed. Repeated occurrences of the graph field
//! are merged as protobuf specifies (repeated fields concatenate); deeper singular messages
//! use the last occurrence.

use std::collections::HashSet;

use super::graph::{parse_tensor, parse_value_info, Initializer, ValueInfo};
use super::wire::{Field, Reader, WireError};
use super::OnnxError;

/// An operator set the model imports (`OperatorSetIdProto`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpsetImport {
    /// `""` (or `"ai.onnx"`) is the default ONNX operator set.
    pub domain: String,
    pub version: i64,
}

/// A parsed ONNX model: the original bytes plus an index of the parts Doppel reads.
#[derive(Debug, Clone)]
pub struct OnnxModel {
    pub(super) bytes: Vec<u8>,
    ir_version: Option<i64>,
    producer_name: String,
    producer_version: String,
    domain: String,
    model_version: Option<i64>,
    doc_string: String,
    opset_imports: Vec<OpsetImport>,
    metadata: Vec<(String, String)>,
    graph_name: String,
    node_count: usize,
    pub(super) inputs: Vec<ValueInfo>,
    pub(super) outputs: Vec<ValueInfo>,
    pub(super) initializers: Vec<Initializer>,
}

impl OnnxModel {
    /// Parses a model from bytes (copied; see [`OnnxModel::from_vec`] to avoid the copy).
    pub fn parse(bytes: &[u8]) -> Result<OnnxModel, OnnxError> {
        Self::from_vec(bytes.to_vec())
    }

    /// Parses a model, taking ownership of its bytes.
    pub fn from_vec(bytes: Vec<u8>) -> Result<OnnxModel, OnnxError> {
        let mut m = OnnxModel {
            bytes: Vec::new(),
            ir_version: None,
            producer_name: String::new(),
            producer_version: String::new(),
            domain: String::new(),
            model_version: None,
            doc_string: String::new(),
            opset_imports: Vec::new(),
            metadata: Vec::new(),
            graph_name: String::new(),
            node_count: 0,
            inputs: Vec::new(),
            outputs: Vec::new(),
            initializers: Vec::new(),
        };
        let mut has_graph = false;
        for field in Reader::new(&bytes) {
            let field = field?;
            match field.number {
                1 => m.ir_version = Some(field.int64("ModelProto.ir_version")?),
                2 => m.producer_name = field.string("ModelProto.producer_name")?,
                3 => m.producer_version = field.string("ModelProto.producer_version")?,
                4 => m.domain = field.string("ModelProto.domain")?,
                5 => m.model_version = Some(field.int64("ModelProto.model_version")?),
                6 => m.doc_string = field.string("ModelProto.doc_string")?,
                7 => {
                    m.parse_graph(&field)?;
                    has_graph = true;
                }
                8 => m.opset_imports.push(parse_opset(&field)?),
                14 => m
                    .metadata
                    .push(parse_entry(&field, "ModelProto.metadata_props")?),
                _ => {}
            }
        }
        if !has_graph {
            return Err(OnnxError::NoGraph { len: bytes.len() });
        }
        m.bytes = bytes;
        Ok(m)
    }

    fn parse_graph(&mut self, field: &Field<'_>) -> Result<(), WireError> {
        for f in field.message("ModelProto.graph")? {
            let f = f?;
            match f.number {
                1 => {
                    f.bytes("GraphProto.node")?;
                    self.node_count += 1;
                }
                2 => self.graph_name = f.string("GraphProto.name")?,
                5 => self.initializers.push(parse_tensor(&f)?),
                11 => self.inputs.push(parse_value_info(&f, "GraphProto.input")?),
                12 => self
                    .outputs
                    .push(parse_value_info(&f, "GraphProto.output")?),
                _ => {}
            }
        }
        Ok(())
    }

    /// The model file's bytes, exactly as given.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Gives the bytes back.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// `ModelProto.ir_version`, if present.
    pub fn ir_version(&self) -> Option<i64> {
        self.ir_version
    }

    /// `producer_name` (e.g. `"pytorch"`), empty if absent.
    pub fn producer_name(&self) -> &str {
        &self.producer_name
    }

    /// `producer_version`, empty if absent.
    pub fn producer_version(&self) -> &str {
        &self.producer_version
    }

    /// `ModelProto.domain`, empty if absent.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// `ModelProto.model_version`, if present.
    pub fn model_version(&self) -> Option<i64> {
        self.model_version
    }

    /// `ModelProto.doc_string`, empty if absent.
    pub fn doc_string(&self) -> &str {
        &self.doc_string
    }

    /// All `opset_import` entries, in file order.
    pub fn opset_imports(&self) -> &[OpsetImport] {
        &self.opset_imports
    }

    /// The version of the default ONNX operator set (domain `""` or `"ai.onnx"`).
    pub fn onnx_opset(&self) -> Option<i64> {
        self.opset_imports
            .iter()
            .filter(|o| o.domain.is_empty() || o.domain == "ai.onnx")
            .map(|o| o.version)
            .max()
    }

    /// `metadata_props` as (key, value) pairs, in file order.
    pub fn metadata(&self) -> &[(String, String)] {
        &self.metadata
    }

    /// The value of the last metadata entry with this key.
    pub fn metadata_value(&self, key: &str) -> Option<&str> {
        self.metadata
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// `GraphProto.name`, empty if absent.
    pub fn graph_name(&self) -> &str {
        &self.graph_name
    }

    /// Number of nodes in the main graph (sub-graphs not counted).
    pub fn node_count(&self) -> usize {
        self.node_count
    }

    /// Graph inputs as declared, including any that are initializers (old exporters list them).
    pub fn inputs(&self) -> &[ValueInfo] {
        &self.inputs
    }

    /// Graph inputs that are not also initializers: what a caller must feed.
    pub fn data_inputs(&self) -> Vec<&ValueInfo> {
        let init: HashSet<&str> = self.initializer_names().collect();
        self.inputs
            .iter()
            .filter(|i| !init.contains(i.name.as_str()))
            .collect()
    }

    /// Graph outputs as declared.
    pub fn outputs(&self) -> &[ValueInfo] {
        &self.outputs
    }

    /// The graph input with this name.
    pub fn input(&self, name: &str) -> Option<&ValueInfo> {
        self.inputs.iter().find(|v| v.name == name)
    }

    /// The graph output with this name.
    pub fn output(&self, name: &str) -> Option<&ValueInfo> {
        self.outputs.iter().find(|v| v.name == name)
    }

    /// All initializers, in file order.
    pub fn initializers(&self) -> &[Initializer] {
        &self.initializers
    }

    /// Initializer names, in file order.
    pub fn initializer_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.initializers.iter().map(|i| i.name.as_str())
    }

    /// The initializer with this name (the last one if a broken file repeats a name).
    pub fn initializer(&self, name: &str) -> Option<&Initializer> {
        self.initializers.iter().rev().find(|i| i.name == name)
    }

    /// The last initializer in file order: inswapper's fallback location for its emap.
    pub fn last_initializer(&self) -> Option<&Initializer> {
        self.initializers.last()
    }
}

fn parse_opset(field: &Field<'_>) -> Result<OpsetImport, WireError> {
    let mut op = OpsetImport {
        domain: String::new(),
        version: 0,
    };
    for f in field.message("ModelProto.opset_import")? {
        let f = f?;
        match f.number {
            1 => op.domain = f.string("OperatorSetIdProto.domain")?,
            2 => op.version = f.int64("OperatorSetIdProto.version")?,
            _ => {}
        }
    }
    Ok(op)
}

/// A `StringStringEntryProto` as (key, value).
pub(super) fn parse_entry(
    field: &Field<'_>,
    what: &'static str,
) -> Result<(String, String), WireError> {
    let (mut key, mut value) = (String::new(), String::new());
    for f in field.message(what)? {
        let f = f?;
        match f.number {
            1 => key = f.string("StringStringEntryProto.key")?,
            2 => value = f.string("StringStringEntryProto.value")?,
            _ => {}
        }
    }
    Ok((key, value))
}
