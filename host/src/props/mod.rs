//! Typed, multi-dimensional OFX property sets, with the error statuses a strict host returns.
//!
//! Pure Rust: the property suite in `ffi::property` turns C calls into these methods. Every property
//! has one type (int, double, string, pointer), a fixed or variable dimension, and may be read-only
//! to the plugin. Descriptor sets are "open": the plugin may create properties the host did not
//! know about (they are recorded for [`crate::EffectDescription`]).

mod value;

use std::collections::{BTreeMap, BTreeSet};

pub use value::{cstring, Out, PropKind, Scalar, Values};

use crate::consts::*;
use crate::dump::PropertyDump;

/// A refused property call: the status for the plugin, and a description when it is plugin misuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropErr {
    pub status: i32,
    pub misuse: Option<String>,
}

impl PropErr {
    fn unknown() -> Self {
        Self {
            status: kOfxStatErrUnknown,
            misuse: None,
        }
    }

    fn bad(status: i32, text: String) -> Self {
        Self {
            status,
            misuse: Some(text),
        }
    }
}

#[derive(Debug, Clone)]
struct Prop {
    values: Values,
    default: Values,
    var_dim: bool,
    read_only: bool,
}

/// A set of typed properties.
#[derive(Debug, Clone, Default)]
pub struct PropertySet {
    props: BTreeMap<String, Prop>,
    open: bool,
    touched: BTreeSet<String>,
}

impl PropertySet {
    /// A set that refuses properties it does not hold (instances, images, action arguments).
    pub fn closed() -> Self {
        Self::default()
    }

    /// A descriptor set: the plugin may add properties of its own.
    pub fn open() -> Self {
        Self {
            open: true,
            ..Self::default()
        }
    }

    /// Host side: declares (or replaces) a property.
    pub fn define(&mut self, name: &str, values: Values, var_dim: bool, read_only: bool) {
        self.props.insert(
            name.to_owned(),
            Prop {
                default: values.clone(),
                values,
                var_dim,
                read_only,
            },
        );
    }

    /// Host side: replaces the values of a property, keeping its flags (defines it if absent).
    pub fn put(&mut self, name: &str, values: Values) {
        match self.props.get_mut(name) {
            Some(p) => p.values = values,
            None => self.define(name, values, true, true),
        }
    }

    /// Host side: makes every property read-only, or writable.
    pub fn set_read_only_all(&mut self, read_only: bool) {
        for p in self.props.values_mut() {
            p.read_only = read_only;
        }
    }

    pub fn set_read_only(&mut self, name: &str, read_only: bool) {
        if let Some(p) = self.props.get_mut(name) {
            p.read_only = read_only;
        }
    }

    pub fn set_open(&mut self, open: bool) {
        self.open = open;
    }

    pub fn contains(&self, name: &str) -> bool {
        self.props.contains_key(name)
    }

    /// Whether the plugin has set this property.
    pub fn touched(&self, name: &str) -> bool {
        self.touched.contains(name)
    }

    pub fn values(&self, name: &str) -> Option<&Values> {
        self.props.get(name).map(|p| &p.values)
    }

    pub fn int(&self, name: &str, index: usize) -> Option<i32> {
        match self.values(name) {
            Some(Values::Int(v)) => v.get(index).copied(),
            _ => None,
        }
    }

    pub fn double(&self, name: &str, index: usize) -> Option<f64> {
        match self.values(name) {
            Some(Values::Double(v)) => v.get(index).copied(),
            _ => None,
        }
    }

    pub fn doubles(&self, name: &str) -> Option<Vec<f64>> {
        match self.values(name) {
            Some(Values::Double(v)) => Some(v.clone()),
            _ => None,
        }
    }

    pub fn string(&self, name: &str, index: usize) -> Option<String> {
        match self.values(name) {
            Some(Values::Str(v)) => v.get(index).map(|s| s.to_string_lossy().into_owned()),
            _ => None,
        }
    }

    pub fn strings(&self, name: &str) -> Vec<String> {
        match self.values(name) {
            Some(Values::Str(v)) => v.iter().map(|s| s.to_string_lossy().into_owned()).collect(),
            _ => Vec::new(),
        }
    }

    /// Copies every property of `other` into this set, as read-only or not.
    pub fn absorb(&mut self, other: &PropertySet, read_only: bool) {
        for (name, p) in &other.props {
            self.define(name, p.values.clone(), p.var_dim, read_only);
        }
    }

    /// Plugin side: reads one value.
    pub fn get(&self, name: &str, index: i32, kind: PropKind) -> Result<Out, PropErr> {
        let prop = self.props.get(name).ok_or_else(PropErr::unknown)?;
        check_kind(name, prop.values.kind(), kind, "get")?;
        let i = usize::try_from(index).map_err(|_| bad_index(name, index, prop))?;
        let out = match &prop.values {
            Values::Int(v) => v.get(i).map(|x| Out::Int(*x)),
            Values::Double(v) => v.get(i).map(|x| Out::Double(*x)),
            Values::Str(v) => v.get(i).map(|x| Out::Str(x.as_ptr())),
            Values::Ptr(v) => v.get(i).map(|x| Out::Ptr(*x)),
        };
        out.ok_or_else(|| bad_index(name, index, prop))
    }

    /// Plugin side: reads the first `count` values.
    pub fn get_n(&self, name: &str, count: i32, kind: PropKind) -> Result<Vec<Out>, PropErr> {
        let n = self
            .props
            .get(name)
            .ok_or_else(PropErr::unknown)?
            .values
            .len();
        let count = usize::try_from(count).unwrap_or(usize::MAX);
        if count > n {
            let prop = &self.props[name];
            check_kind(name, prop.values.kind(), kind, "get")?;
            return Err(PropErr::bad(
                kOfxStatErrBadIndex,
                format!("asked for {count} values of '{name}', which has {n}"),
            ));
        }
        (0..count)
            .map(|i| self.get(name, i32::try_from(i).unwrap_or(i32::MAX), kind))
            .collect()
    }

    /// Plugin side: writes one value (extends variable-dimension properties).
    pub fn set(&mut self, name: &str, index: i32, value: Scalar<'_>) -> Result<(), PropErr> {
        let open = self.open;
        if !self.props.contains_key(name) {
            if !open {
                return Err(PropErr::unknown());
            }
            self.define(name, Values::empty(value.kind()), true, false);
        }
        let prop = self.props.get_mut(name).ok_or_else(PropErr::unknown)?;
        if prop.read_only {
            return Err(PropErr::bad(
                kOfxStatErrValue,
                format!("set read-only property '{name}'"),
            ));
        }
        check_kind(name, prop.values.kind(), value.kind(), "set")?;
        let i = usize::try_from(index).map_err(|_| bad_index(name, index, prop))?;
        if i >= prop.values.len() {
            if !prop.var_dim {
                return Err(bad_index(name, index, prop));
            }
            prop.values.resize(i + 1);
        }
        match (&mut prop.values, value) {
            (Values::Int(v), Scalar::Int(x)) => v[i] = x,
            (Values::Double(v), Scalar::Double(x)) => v[i] = x,
            (Values::Str(v), Scalar::Str(x)) => v[i] = x.to_owned(),
            (Values::Ptr(v), Scalar::Ptr(x)) => v[i] = x,
            _ => return Err(PropErr::unknown()),
        }
        self.touched.insert(name.to_owned());
        Ok(())
    }

    /// Plugin side: writes `values` from index 0 (a variable-dimension property takes exactly these).
    pub fn set_n(&mut self, name: &str, values: &[Scalar<'_>]) -> Result<(), PropErr> {
        if let Some(prop) = self.props.get_mut(name) {
            if prop.var_dim && !prop.read_only {
                if let Some(first) = values.first() {
                    check_kind(name, prop.values.kind(), first.kind(), "set")?;
                }
                prop.values.resize(values.len());
            }
        }
        for (i, v) in values.iter().enumerate() {
            self.set(name, i32::try_from(i).unwrap_or(i32::MAX), *v)?;
        }
        if values.is_empty() {
            self.touched.insert(name.to_owned());
        }
        Ok(())
    }

    /// Plugin side: the number of values.
    pub fn dimension(&self, name: &str) -> Result<usize, PropErr> {
        self.props
            .get(name)
            .map(|p| p.values.len())
            .ok_or_else(PropErr::unknown)
    }

    /// Plugin side: back to the default value.
    pub fn reset(&mut self, name: &str) -> Result<(), PropErr> {
        let prop = self.props.get_mut(name).ok_or_else(PropErr::unknown)?;
        if prop.read_only {
            return Err(PropErr::bad(
                kOfxStatErrValue,
                format!("reset read-only property '{name}'"),
            ));
        }
        prop.values = prop.default.clone();
        Ok(())
    }

    /// Everything, for reports and descriptions.
    pub fn dump(&self) -> PropertyDump {
        PropertyDump(
            self.props
                .iter()
                .map(|(k, p)| (k.clone(), p.values.dump()))
                .collect(),
        )
    }
}

fn kind_name(k: PropKind) -> &'static str {
    match k {
        PropKind::Int => "int",
        PropKind::Double => "double",
        PropKind::String => "string",
        PropKind::Pointer => "pointer",
    }
}

fn check_kind(name: &str, have: PropKind, asked: PropKind, verb: &str) -> Result<(), PropErr> {
    if have == asked {
        return Ok(());
    }
    Err(PropErr::bad(
        kOfxStatErrValue,
        format!(
            "{verb} {} property '{name}' as {}",
            kind_name(have),
            kind_name(asked)
        ),
    ))
}

fn bad_index(name: &str, index: i32, prop: &Prop) -> PropErr {
    PropErr::bad(
        kOfxStatErrBadIndex,
        format!(
            "index {index} of '{name}', which has dimension {}",
            prop.values.len()
        ),
    )
}

#[cfg(test)]
mod tests;
