//! Property values: the four OFX types, and single values passed in and out of the suite.

use std::ffi::{c_char, CStr, CString};

use crate::dump::DumpValue;

/// Property value type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropKind {
    Int,
    Double,
    String,
    Pointer,
}

/// The values of one property.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Int(Vec<i32>),
    Double(Vec<f64>),
    Str(Vec<CString>),
    Ptr(Vec<usize>),
}

impl Values {
    pub fn kind(&self) -> PropKind {
        match self {
            Values::Int(_) => PropKind::Int,
            Values::Double(_) => PropKind::Double,
            Values::Str(_) => PropKind::String,
            Values::Ptr(_) => PropKind::Pointer,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Values::Int(v) => v.len(),
            Values::Double(v) => v.len(),
            Values::Str(v) => v.len(),
            Values::Ptr(v) => v.len(),
        }
    }

    /// Strings from Rust text (interior NULs are dropped).
    pub fn strs<S: AsRef<str>>(items: &[S]) -> Values {
        Values::Str(items.iter().map(|s| cstring(s.as_ref())).collect())
    }

    pub(super) fn empty(kind: PropKind) -> Values {
        match kind {
            PropKind::Int => Values::Int(Vec::new()),
            PropKind::Double => Values::Double(Vec::new()),
            PropKind::String => Values::Str(Vec::new()),
            PropKind::Pointer => Values::Ptr(Vec::new()),
        }
    }

    pub(super) fn resize(&mut self, n: usize) {
        match self {
            Values::Int(v) => v.resize(n, 0),
            Values::Double(v) => v.resize(n, 0.0),
            Values::Str(v) => v.resize(n, CString::default()),
            Values::Ptr(v) => v.resize(n, 0),
        }
    }

    pub(super) fn dump(&self) -> DumpValue {
        match self {
            Values::Int(v) => DumpValue::Int(v.clone()),
            Values::Double(v) => DumpValue::Double(v.clone()),
            Values::Str(v) => {
                DumpValue::String(v.iter().map(|s| s.to_string_lossy().into_owned()).collect())
            }
            Values::Ptr(v) => DumpValue::Pointer(v.clone()),
        }
    }
}

/// Rust text to a C string, dropping interior NULs.
pub fn cstring(s: &str) -> CString {
    CString::new(s.replace('\0', "")).unwrap_or_default()
}

/// One value handed in by the plugin.
#[derive(Debug, Clone, Copy)]
pub enum Scalar<'a> {
    Int(i32),
    Double(f64),
    Str(&'a CStr),
    Ptr(usize),
}

impl Scalar<'_> {
    pub(super) fn kind(&self) -> PropKind {
        match self {
            Scalar::Int(_) => PropKind::Int,
            Scalar::Double(_) => PropKind::Double,
            Scalar::Str(_) => PropKind::String,
            Scalar::Ptr(_) => PropKind::Pointer,
        }
    }
}

/// One value handed out to the plugin (strings as pointers into the set, valid until changed).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Out {
    Int(i32),
    Double(f64),
    Str(*const c_char),
    Ptr(usize),
}
