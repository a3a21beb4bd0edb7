//! Parameter values and keyframe curves: doubles interpolate linearly between keys (constant
//! outside them), everything else steps.

use std::ffi::CString;

use crate::consts::*;

/// A parameter value as the host API (tests, job files) speaks it.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Double(f64),
    Int(i32),
    Bool(bool),
    Choice(i32),
    Double2D(f64, f64),
    Double3D(f64, f64, f64),
    Int2D(i32, i32),
    Int3D(i32, i32, i32),
    Rgb(f64, f64, f64),
    Rgba(f64, f64, f64, f64),
    /// String, file path, custom and string-choice parameters.
    String(String),
}

/// What the C shim needs to know to read a va_list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    Int,
    Double,
    String,
    /// Groups, pages, push buttons: no value.
    None,
}

/// The value shape of an OFX parameter type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamKind {
    pub value_type: ValueType,
    pub dim: usize,
}

impl ParamKind {
    /// The shape of an OFX parameter type name, or None when the type is not an OFX one.
    pub fn of(param_type: &str) -> Option<ParamKind> {
        let (value_type, dim) = match param_type {
            t if t == n(kOfxParamTypeInteger)
                || t == n(kOfxParamTypeBoolean)
                || t == n(kOfxParamTypeChoice) =>
            {
                (ValueType::Int, 1)
            }
            t if t == n(kOfxParamTypeInteger2D) => (ValueType::Int, 2),
            t if t == n(kOfxParamTypeInteger3D) => (ValueType::Int, 3),
            t if t == n(kOfxParamTypeDouble) => (ValueType::Double, 1),
            t if t == n(kOfxParamTypeDouble2D) => (ValueType::Double, 2),
            t if t == n(kOfxParamTypeDouble3D) || t == n(kOfxParamTypeRGB) => {
                (ValueType::Double, 3)
            }
            t if t == n(kOfxParamTypeRGBA) => (ValueType::Double, 4),
            t if t == n(kOfxParamTypeString)
                || t == n(kOfxParamTypeCustom)
                || t == n(kOfxParamTypeStrChoice) =>
            {
                (ValueType::String, 1)
            }
            t if t == n(kOfxParamTypeGroup)
                || t == n(kOfxParamTypePage)
                || t == n(kOfxParamTypePushButton) =>
            {
                (ValueType::None, 0)
            }
            _ => return None,
        };
        Some(ParamKind { value_type, dim })
    }
}

/// A stored value.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    I(Vec<i32>),
    D(Vec<f64>),
    S(CString),
    None,
}

impl Raw {
    /// Converts a host-API value to this parameter's shape.
    pub fn from_value(v: &ParamValue, kind: ParamKind) -> Result<Raw, String> {
        let raw = match v {
            ParamValue::Double(x) => Raw::D(vec![*x]),
            ParamValue::Int(x) | ParamValue::Choice(x) => Raw::I(vec![*x]),
            ParamValue::Bool(b) => Raw::I(vec![i32::from(*b)]),
            ParamValue::Double2D(a, b) => Raw::D(vec![*a, *b]),
            ParamValue::Double3D(a, b, c) | ParamValue::Rgb(a, b, c) => Raw::D(vec![*a, *b, *c]),
            ParamValue::Rgba(a, b, c, d) => Raw::D(vec![*a, *b, *c, *d]),
            ParamValue::Int2D(a, b) => Raw::I(vec![*a, *b]),
            ParamValue::Int3D(a, b, c) => Raw::I(vec![*a, *b, *c]),
            ParamValue::String(s) => Raw::S(crate::props::cstring(s)),
        };
        let fits = match (&raw, kind.value_type) {
            (Raw::I(v), ValueType::Int) => v.len() == kind.dim,
            (Raw::D(v), ValueType::Double) => v.len() == kind.dim,
            (Raw::I(v), ValueType::Double) => v.len() == kind.dim,
            (Raw::S(_), ValueType::String) => true,
            _ => false,
        };
        if !fits {
            return Err(format!("{v:?} does not fit a parameter of {kind:?}"));
        }
        // An int given for a double parameter is taken as a double.
        Ok(match (raw, kind.value_type) {
            (Raw::I(v), ValueType::Double) => Raw::D(v.into_iter().map(f64::from).collect()),
            (raw, _) => raw,
        })
    }

    /// Back to a host-API value, given the OFX parameter type.
    pub fn to_value(&self, param_type: &str) -> Option<ParamValue> {
        let t = param_type;
        Some(match self {
            Raw::I(v) if t == n(kOfxParamTypeBoolean) => ParamValue::Bool(v[0] != 0),
            Raw::I(v) if t == n(kOfxParamTypeChoice) => ParamValue::Choice(v[0]),
            Raw::I(v) => match v.as_slice() {
                [a] => ParamValue::Int(*a),
                [a, b] => ParamValue::Int2D(*a, *b),
                [a, b, c] => ParamValue::Int3D(*a, *b, *c),
                _ => return None,
            },
            Raw::D(v) => match v.as_slice() {
                [a] => ParamValue::Double(*a),
                [a, b] => ParamValue::Double2D(*a, *b),
                [a, b, c] if t == n(kOfxParamTypeRGB) => ParamValue::Rgb(*a, *b, *c),
                [a, b, c] => ParamValue::Double3D(*a, *b, *c),
                [a, b, c, d] => ParamValue::Rgba(*a, *b, *c, *d),
                _ => return None,
            },
            Raw::S(s) => ParamValue::String(s.to_string_lossy().into_owned()),
            Raw::None => return None,
        })
    }
}

/// A parameter's value over time.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    pub value: Raw,
    /// Keyframes sorted by time.
    pub keys: Vec<(f64, Raw)>,
}

const KEY_EPS: f64 = 1e-9;

impl Curve {
    pub fn new(value: Raw) -> Self {
        Self {
            value,
            keys: Vec::new(),
        }
    }

    pub fn is_animated(&self) -> bool {
        !self.keys.is_empty()
    }

    /// Sets or replaces the key at `time`.
    pub fn set_key(&mut self, time: f64, v: Raw) {
        match self
            .keys
            .iter()
            .position(|(t, _)| (t - time).abs() < KEY_EPS)
        {
            Some(i) => self.keys[i].1 = v,
            None => {
                let at = self.keys.partition_point(|(t, _)| *t < time);
                self.keys.insert(at, (time, v));
            }
        }
    }

    /// Sets the value: a key at `time` when animated, the constant value otherwise.
    pub fn set(&mut self, time: f64, v: Raw) {
        if self.is_animated() {
            self.set_key(time, v);
        } else {
            self.value = v;
        }
    }

    /// The value at `time`.
    pub fn at(&self, time: f64) -> Raw {
        let Some(first) = self.keys.first() else {
            return self.value.clone();
        };
        if time <= first.0 {
            return first.1.clone();
        }
        let after = self.keys.partition_point(|(t, _)| *t <= time);
        if after >= self.keys.len() {
            return self.keys[self.keys.len() - 1].1.clone();
        }
        let (t0, v0) = &self.keys[after - 1];
        let (t1, v1) = &self.keys[after];
        match (v0, v1) {
            (Raw::D(a), Raw::D(b)) => {
                let f = (time - t0) / (t1 - t0);
                Raw::D(a.iter().zip(b).map(|(a, b)| a + (b - a) * f).collect())
            }
            _ => v0.clone(),
        }
    }

    /// d value / d time at `time` (doubles only; zero where the curve is flat).
    pub fn derivative(&self, time: f64, dim: usize) -> Vec<f64> {
        let mut out = vec![0.0; dim];
        if self.keys.len() < 2 || time < self.keys[0].0 {
            return out;
        }
        let after = self.keys.partition_point(|(t, _)| *t <= time);
        if after >= self.keys.len() {
            return out;
        }
        if let ((t0, Raw::D(a)), (t1, Raw::D(b))) = (&self.keys[after - 1], &self.keys[after]) {
            for (i, o) in out.iter_mut().enumerate() {
                *o = (b[i] - a[i]) / (t1 - t0);
            }
        }
        out
    }

    /// The integral of the value from `t1` to `t2` (doubles only; exact for piecewise-linear curves).
    pub fn integral(&self, t1: f64, t2: f64, dim: usize) -> Vec<f64> {
        if t2 < t1 {
            return self.integral(t2, t1, dim).into_iter().map(|v| -v).collect();
        }
        let mut points = vec![t1];
        points.extend(
            self.keys
                .iter()
                .map(|(t, _)| *t)
                .filter(|t| *t > t1 && *t < t2),
        );
        points.push(t2);
        let mut out = vec![0.0; dim];
        for w in points.windows(2) {
            let (a, b) = (self.at(w[0]), self.at(w[1]));
            if let (Raw::D(a), Raw::D(b)) = (a, b) {
                for (i, o) in out.iter_mut().enumerate() {
                    *o += (a[i] + b[i]) * 0.5 * (w[1] - w[0]);
                }
            }
        }
        out
    }

    /// The index of the key at `time` (direction 0), or the nearest before (-1) or after (+1).
    pub fn key_index(&self, time: f64, direction: i32) -> Option<usize> {
        match direction.signum() {
            0 => self
                .keys
                .iter()
                .position(|(t, _)| (t - time).abs() < KEY_EPS),
            d if d < 0 => self.keys.iter().rposition(|(t, _)| *t < time - KEY_EPS),
            _ => self.keys.iter().position(|(t, _)| *t > time + KEY_EPS),
        }
    }

    pub fn delete_key(&mut self, time: f64) -> bool {
        match self.key_index(time, 0) {
            Some(i) => {
                let (_, v) = self.keys.remove(i);
                if self.keys.is_empty() {
                    self.value = v;
                }
                true
            }
            None => false,
        }
    }

    pub fn delete_all_keys(&mut self, time: f64) {
        if self.is_animated() {
            self.value = self.at(time);
            self.keys.clear();
        }
    }
}

#[cfg(test)]
#[path = "params_tests.rs"]
mod tests;
