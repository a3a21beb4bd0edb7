//! Effect declarations as plain data: identity, clips and parameters, read by the OFX layer.

use std::collections::BTreeMap;

/// The OFX contexts an effect can be used in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// One `Source` input.
    Filter,
    /// `Source` plus extra inputs.
    General,
}

#[derive(Debug, Clone, Copy)]
pub struct ClipDecl {
    pub name: &'static str,
    pub label: &'static str,
    pub optional: bool,
    /// Whether frames other than the render time are read from this clip.
    pub temporal: bool,
    /// Contexts this clip exists in (`Source` exists in all).
    pub contexts: &'static [Context],
}

/// How a double parameter is shown and scaled by the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoubleKind {
    Plain,
    Angle,
    /// A length in canonical pixels, scaled by the host with the project.
    Length,
}

/// How a 2D double parameter is interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointKind {
    /// A position in canonical coordinates; the default is given as a fraction of the project size.
    Position,
    /// A size in canonical coordinates; the default is given as a fraction of the project size.
    Size,
}

#[derive(Debug, Clone, Copy)]
pub struct Range<T> {
    pub min: T,
    pub max: T,
    /// The slider's range; hosts such as Resolve clamp to (−1, 1) without it.
    pub display_min: T,
    pub display_max: T,
}

#[derive(Debug, Clone, Copy)]
pub enum ParamKind {
    Double {
        default: f64,
        range: Range<f64>,
        kind: DoubleKind,
    },
    Int {
        default: i32,
        range: Range<i32>,
    },
    Bool {
        default: bool,
    },
    Choice {
        options: &'static [&'static str],
        default: usize,
    },
    Point {
        default: (f64, f64),
        kind: PointKind,
    },
    /// A file (or, with `directory`, a folder) the user picks.
    Path {
        directory: bool,
    },
    /// Read-only text the effect writes for the user (the model's person, licence, provider).
    Label,
}

#[derive(Debug, Clone, Copy)]
pub struct ParamDecl {
    /// Saved in host projects: never changes once released.
    pub id: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub kind: ParamKind,
    /// Off where keyframes make no sense (Resolve animates choices and booleans by default).
    pub animates: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct EffectDecl {
    /// Saved in host projects: never changes once released.
    pub id: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    pub grouping: &'static str,
    pub version: (u32, u32),
    pub contexts: &'static [Context],
    pub clips: &'static [ClipDecl],
    pub params: &'static [ParamDecl],
}

impl EffectDecl {
    pub fn temporal_clip_access(&self) -> bool {
        self.clips.iter().any(|c| c.temporal)
    }

    pub fn clips_in(&self, context: Context) -> impl Iterator<Item = &ClipDecl> {
        self.clips
            .iter()
            .filter(move |c| c.contexts.contains(&context))
    }

    pub fn param(&self, id: &str) -> Option<&ParamDecl> {
        self.params.iter().find(|p| p.id == id)
    }
}

/// A parameter's value at one time, as the host gave it.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Double(f64),
    Int(i32),
    Bool(bool),
    Choice(usize),
    Point(f64, f64),
    Text(String),
}

/// All of an effect's parameter values at the render time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParamValues {
    values: BTreeMap<&'static str, ParamValue>,
}

impl ParamValues {
    /// The declared defaults: what a freshly applied effect renders with.
    pub fn defaults(decl: &EffectDecl) -> Self {
        let mut values = Self::default();
        for p in decl.params {
            let v = match p.kind {
                ParamKind::Double { default, .. } => ParamValue::Double(default),
                ParamKind::Int { default, .. } => ParamValue::Int(default),
                ParamKind::Bool { default } => ParamValue::Bool(default),
                ParamKind::Choice { default, .. } => ParamValue::Choice(default),
                ParamKind::Point { default, .. } => ParamValue::Point(default.0, default.1),
                ParamKind::Path { .. } | ParamKind::Label => ParamValue::Text(String::new()),
            };
            values.set(p.id, v);
        }
        values
    }

    pub fn set(&mut self, id: &'static str, value: ParamValue) {
        self.values.insert(id, value);
    }

    pub fn get(&self, id: &str) -> Option<&ParamValue> {
        self.values.get(id)
    }

    /// A double (ints widen); NaN when absent so that a missing value cannot pass silently.
    pub fn double(&self, id: &str) -> f64 {
        match self.get(id) {
            Some(ParamValue::Double(v)) => *v,
            Some(ParamValue::Int(v)) => f64::from(*v),
            _ => f64::NAN,
        }
    }

    pub fn int(&self, id: &str) -> i32 {
        match self.get(id) {
            Some(ParamValue::Int(v)) => *v,
            _ => 0,
        }
    }

    pub fn flag(&self, id: &str) -> bool {
        matches!(self.get(id), Some(ParamValue::Bool(true)))
    }

    pub fn choice(&self, id: &str) -> usize {
        match self.get(id) {
            Some(ParamValue::Choice(v)) => *v,
            _ => 0,
        }
    }

    /// A path or label's text; empty when unset.
    pub fn text(&self, id: &str) -> &str {
        match self.get(id) {
            Some(ParamValue::Text(t)) => t,
            _ => "",
        }
    }

    pub fn point(&self, id: &str) -> (f64, f64) {
        match self.get(id) {
            Some(ParamValue::Point(x, y)) => (*x, *y),
            _ => (f64::NAN, f64::NAN),
        }
    }
}
