//! Owned snapshots of property sets and what a plugin declared, with typed accessors for tests.

use std::collections::BTreeMap;

/// The values of one property in a snapshot.
#[derive(Debug, Clone, PartialEq)]
pub enum DumpValue {
    Int(Vec<i32>),
    Double(Vec<f64>),
    String(Vec<String>),
    Pointer(Vec<usize>),
}

/// A snapshot of a property set: name → typed values.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PropertyDump(pub BTreeMap<String, DumpValue>);

impl PropertyDump {
    pub fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    pub fn get(&self, name: &str) -> Option<&DumpValue> {
        self.0.get(name)
    }

    /// The first value of an int property.
    pub fn int(&self, name: &str) -> Option<i32> {
        self.ints(name).and_then(|v| v.first().copied())
    }

    pub fn ints(&self, name: &str) -> Option<&[i32]> {
        match self.0.get(name) {
            Some(DumpValue::Int(v)) => Some(v),
            _ => None,
        }
    }

    /// The first value of a double property.
    pub fn double(&self, name: &str) -> Option<f64> {
        self.doubles(name).and_then(|v| v.first().copied())
    }

    pub fn doubles(&self, name: &str) -> Option<&[f64]> {
        match self.0.get(name) {
            Some(DumpValue::Double(v)) => Some(v),
            _ => None,
        }
    }

    /// The first value of a string property.
    pub fn string(&self, name: &str) -> Option<&str> {
        match self.0.get(name) {
            Some(DumpValue::String(v)) => v.first().map(String::as_str),
            _ => None,
        }
    }

    /// All values of a string property (empty when absent or not a string).
    pub fn strings(&self, name: &str) -> Vec<String> {
        match self.0.get(name) {
            Some(DumpValue::String(v)) => v.clone(),
            _ => Vec::new(),
        }
    }

    /// The number of values, when present.
    pub fn dimension(&self, name: &str) -> Option<usize> {
        self.0.get(name).map(|v| match v {
            DumpValue::Int(v) => v.len(),
            DumpValue::Double(v) => v.len(),
            DumpValue::String(v) => v.len(),
            DumpValue::Pointer(v) => v.len(),
        })
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }
}

/// One parameter as declared: its OFX type (e.g. `OfxParamTypeDouble`) and descriptor properties.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamDescription {
    pub param_type: String,
    pub props: PropertyDump,
}

/// Everything a plugin declared in Describe and DescribeInContext.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EffectDescription {
    /// The effect descriptor after Describe.
    pub props: PropertyDump,
    /// Supported contexts, as declared (full OFX names).
    pub contexts: Vec<String>,
    /// Per described context: clip name → clip descriptor properties.
    pub clips: BTreeMap<String, BTreeMap<String, PropertyDump>>,
    /// Parameters (from the first described context, plus any only defined in later ones).
    pub params: BTreeMap<String, ParamDescription>,
    /// Per described context: the effect descriptor after DescribeInContext.
    pub context_props: BTreeMap<String, PropertyDump>,
    /// Per described context: parameter names in definition order.
    pub param_order: BTreeMap<String, Vec<String>>,
}

impl EffectDescription {
    /// The clips declared in `context` (full name or short: "filter", "general").
    pub fn clips_in(&self, context: &str) -> Option<&BTreeMap<String, PropertyDump>> {
        self.clips.get(&crate::context_name(context))
    }

    pub fn param(&self, name: &str) -> Option<&ParamDescription> {
        self.params.get(name)
    }
}
