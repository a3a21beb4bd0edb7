//! GraphProto entries: the `ValueInfo` and `Initializer` index types and their parsing from
//! `ValueInfoProto` / `TypeProto` / `TensorShapeProto` and `TensorProto` fields.

use std::ops::Range;

use super::model::parse_entry;
use super::wire::{Field, WireError};
use super::{DataType, Dim};

/// A graph input or output (`ValueInfoProto`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueInfo {
    pub name: String,
    /// Element type if the value is a tensor; `None` for sequences, maps or a missing type.
    pub elem_type: Option<DataType>,
    /// Declared shape; `None` when the rank is unknown (no shape recorded).
    pub shape: Option<Vec<Dim>>,
}

impl ValueInfo {
    /// The shape when every dimension is fixed.
    pub fn fixed_shape(&self) -> Option<Vec<i64>> {
        self.shape
            .as_ref()?
            .iter()
            .map(|d| {
                if let Dim::Fixed(v) = d {
                    Some(*v)
                } else {
                    None
                }
            })
            .collect()
    }
}

/// Which `TensorProto` field holds an initializer's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// `raw_data`: fixed-width little-endian bytes.
    Raw,
    /// `float_data` (FLOAT, COMPLEX64).
    FloatData,
    /// `int32_data` (small integer types, BOOL, and FLOAT16/BFLOAT16 as bit patterns).
    Int32Data,
    /// `int64_data`.
    Int64Data,
    /// `double_data`.
    DoubleData,
    /// `uint64_data`.
    Uint64Data,
    /// `string_data`.
    StringData,
    /// A separate file (`data_location = EXTERNAL`); `location` is its path relative to the model.
    External { location: String },
    /// No data field at all (valid only for tensors with zero elements).
    Empty,
}

impl std::fmt::Display for Storage {
    /// The `TensorProto` field name, as a user would look it up in onnx.proto.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Storage::Raw => "raw_data",
            Storage::FloatData => "float_data",
            Storage::Int32Data => "int32_data",
            Storage::Int64Data => "int64_data",
            Storage::DoubleData => "double_data",
            Storage::Uint64Data => "uint64_data",
            Storage::StringData => "string_data",
            Storage::External { .. } => "external_data",
            Storage::Empty => "no data field",
        })
    }
}

/// A graph initializer (`TensorProto` header; values are decoded on demand).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Initializer {
    pub name: String,
    /// Dimensions as declared; an empty list is a scalar.
    pub dims: Vec<i64>,
    pub data_type: DataType,
    pub storage: Storage,
    /// Absolute byte range of the encoded `TensorProto` (payload, without tag and length).
    pub span: Range<usize>,
}

impl Initializer {
    /// Number of elements (product of dims), or `None` if a dim is negative or it overflows.
    pub fn element_count(&self) -> Option<usize> {
        self.dims
            .iter()
            .try_fold(1usize, |n, &d| n.checked_mul(usize::try_from(d).ok()?))
    }
}

pub(super) fn parse_value_info(
    field: &Field<'_>,
    what: &'static str,
) -> Result<ValueInfo, WireError> {
    let mut info = ValueInfo {
        name: String::new(),
        elem_type: None,
        shape: None,
    };
    for f in field.message(what)? {
        let f = f?;
        match f.number {
            1 => info.name = f.string("ValueInfoProto.name")?,
            2 => {
                info.elem_type = None;
                info.shape = None;
                for t in f.message("ValueInfoProto.type")? {
                    let t = t?;
                    if t.number == 1 {
                        parse_tensor_type(&t, &mut info)?;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(info)
}

fn parse_tensor_type(field: &Field<'_>, info: &mut ValueInfo) -> Result<(), WireError> {
    info.elem_type = Some(DataType::UNDEFINED);
    for f in field.message("TypeProto.tensor_type")? {
        let f = f?;
        match f.number {
            1 => info.elem_type = Some(DataType(f.int32("TypeProto.Tensor.elem_type")?)),
            2 => {
                let mut dims = Vec::new();
                for d in f.message("TypeProto.Tensor.shape")? {
                    let d = d?;
                    if d.number == 1 {
                        dims.push(parse_dim(&d)?);
                    }
                }
                info.shape = Some(dims);
            }
            _ => {}
        }
    }
    Ok(())
}

fn parse_dim(field: &Field<'_>) -> Result<Dim, WireError> {
    let mut dim = Dim::Unknown;
    for f in field.message("TensorShapeProto.dim")? {
        let f = f?;
        match f.number {
            1 => dim = Dim::Fixed(f.int64("Dimension.dim_value")?),
            2 => dim = Dim::Param(f.string("Dimension.dim_param")?),
            _ => {}
        }
    }
    Ok(dim)
}

pub(super) fn parse_tensor(field: &Field<'_>) -> Result<Initializer, WireError> {
    let payload = field.bytes("GraphProto.initializer")?;
    let span = field.value_offset..field.value_offset + payload.len();
    let (mut name, mut data_type, mut dims) = (String::new(), 0, Vec::new());
    let (mut location, mut external) = (String::new(), false);
    let mut seen: Vec<Storage> = Vec::new();
    for f in field.message("GraphProto.initializer")? {
        let f = f?;
        let kind = match f.number {
            1 => {
                f.repeated_varint("TensorProto.dims", &mut dims)?;
                None
            }
            2 => {
                data_type = f.int32("TensorProto.data_type")?;
                None
            }
            4 => Some(Storage::FloatData),
            5 => Some(Storage::Int32Data),
            6 => Some(Storage::StringData),
            7 => Some(Storage::Int64Data),
            8 => {
                name = f.string("TensorProto.name")?;
                None
            }
            9 => Some(Storage::Raw),
            10 => Some(Storage::DoubleData),
            11 => Some(Storage::Uint64Data),
            13 => {
                let (k, v) = parse_entry(&f, "TensorProto.external_data")?;
                if k == "location" {
                    location = v;
                }
                None
            }
            14 => {
                external = f.int32("TensorProto.data_location")? == 1;
                None
            }
            _ => None,
        };
        if let Some(kind) = kind {
            if !seen.contains(&kind) {
                seen.push(kind);
            }
        }
    }
    let data_type = DataType(data_type);
    let storage = if external {
        Storage::External { location }
    } else if seen.contains(&Storage::Raw) {
        Storage::Raw
    } else {
        let natural = natural_storage(data_type);
        if seen.contains(&natural) {
            natural
        } else {
            seen.into_iter().next().unwrap_or(Storage::Empty)
        }
    };
    Ok(Initializer {
        name,
        dims: dims.into_iter().map(|d| d as i64).collect(),
        data_type,
        storage,
        span,
    })
}

/// The typed field onnx.proto assigns to each element type.
fn natural_storage(t: DataType) -> Storage {
    match t {
        DataType::FLOAT | DataType::COMPLEX64 => Storage::FloatData,
        DataType::INT64 => Storage::Int64Data,
        DataType::STRING => Storage::StringData,
        DataType::DOUBLE | DataType::COMPLEX128 => Storage::DoubleData,
        DataType::UINT32 | DataType::UINT64 => Storage::Uint64Data,
        _ => Storage::Int32Data,
    }
}
