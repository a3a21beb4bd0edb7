//! Job files: which plugin, which clips, which frames, which parameter values, where to write.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use doppel_host::{ClipSource, EffectDescription, HostImage, ParamValue};
use serde::Deserialize;
use serde_json::Value;

/// A render job (see host/README.md).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Job {
    /// Plugin identifier; optional when the bundle holds one plugin.
    pub plugin: Option<String>,
    /// "filter", "general" or a full OFX context name (default "filter").
    #[serde(default = "default_context")]
    pub context: String,
    /// Clip name → image sequence pattern (`plate.%04d.exr`, `plate.####.png`) or a still.
    pub clips: BTreeMap<String, String>,
    /// First and last frame, inclusive.
    pub frames: [i64; 2],
    /// Parameter name → value, or `{"keys": [[frame, value], ...]}`.
    #[serde(default)]
    pub params: BTreeMap<String, Value>,
    #[serde(default = "one")]
    pub render_scale: f64,
    /// Output pattern, `.png` (16-bit, clamped) or `.exr` (float).
    pub output: String,
}

fn default_context() -> String {
    "filter".into()
}

fn one() -> f64 {
    1.0
}

impl Job {
    /// Reads a job; relative paths in it are taken from the job file's folder.
    pub fn load(path: &Path) -> Result<(Job, PathBuf), String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let job: Job =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        if job.frames[1] < job.frames[0] {
            return Err(format!("frames {:?}: last before first", job.frames));
        }
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok((job, base))
    }
}

/// A file name pattern: `%d`, `%0Nd` or a run of `#` stand for the frame number.
#[derive(Debug, Clone)]
pub struct Pattern {
    prefix: String,
    suffix: String,
    width: usize,
}

impl Pattern {
    pub fn parse(s: &str) -> Option<Pattern> {
        if let Some(at) = s.find('%') {
            let rest = &s[at + 1..];
            let end = rest.find('d')?;
            let spec = &rest[..end];
            let width = if spec.is_empty() {
                0
            } else {
                spec.trim_start_matches('0').parse().ok()?
            };
            return Some(Pattern {
                prefix: s[..at].to_owned(),
                suffix: rest[end + 1..].to_owned(),
                width,
            });
        }
        let at = s.find('#')?;
        let width = s[at..].chars().take_while(|c| *c == '#').count();
        Some(Pattern {
            prefix: s[..at].to_owned(),
            suffix: s[at + width..].to_owned(),
            width,
        })
    }

    pub fn frame(&self, frame: i64) -> String {
        let digits = format!("{:0w$}", frame.abs(), w = self.width);
        let sign = if frame < 0 { "-" } else { "" };
        format!("{}{sign}{digits}{}", self.prefix, self.suffix)
    }
}

/// An image sequence on disk.
pub struct Sequence {
    pattern: Pattern,
    base: PathBuf,
    range: (f64, f64),
    display: String,
}

impl Sequence {
    /// The range is what exists on disk around the job's frames (the job's frames if none do).
    pub fn new(pattern: Pattern, base: &Path, display: &str, job_frames: [i64; 2]) -> Sequence {
        let exists = |f: i64| base.join(pattern.frame(f)).is_file();
        let (mut first, mut last) = (job_frames[0], job_frames[1]);
        if (first..=last).any(exists) {
            while exists(first - 1) {
                first -= 1;
            }
            while exists(last + 1) {
                last += 1;
            }
        }
        Sequence {
            pattern,
            base: base.to_owned(),
            range: (first as f64, last as f64),
            display: base.join(display).to_string_lossy().into_owned(),
        }
    }

    fn path(&self, time: f64) -> Option<PathBuf> {
        let f = time.round();
        ((time - f).abs() < 1e-6).then(|| self.base.join(self.pattern.frame(f as i64)))
    }
}

impl ClipSource for Sequence {
    fn image(&self, time: f64) -> Option<HostImage> {
        let path = self.path(time)?;
        if !path.is_file() {
            return None;
        }
        match HostImage::load(&path) {
            Ok(img) => Some(img),
            Err(e) => {
                eprintln!("doppel-render: {e}");
                None
            }
        }
    }

    fn frame_range(&self) -> (f64, f64) {
        self.range
    }

    fn size(&self, time: f64) -> Option<(usize, usize)> {
        let (w, h) = image::image_dimensions(self.path(time)?).ok()?;
        Some((w as usize, h as usize))
    }

    fn source_path(&self) -> Option<String> {
        Some(self.display.clone())
    }
}

/// A single image used for every frame of the job.
pub struct Still {
    image: HostImage,
    path: String,
    range: (f64, f64),
}

impl Still {
    pub fn load(path: &Path, job_frames: [i64; 2]) -> Result<Still, String> {
        Ok(Still {
            image: HostImage::load(path)?,
            path: path.to_string_lossy().into_owned(),
            range: (job_frames[0] as f64, job_frames[1] as f64),
        })
    }
}

impl ClipSource for Still {
    fn image(&self, _time: f64) -> Option<HostImage> {
        Some(self.image.clone())
    }

    fn frame_range(&self) -> (f64, f64) {
        self.range
    }

    fn size(&self, _time: f64) -> Option<(usize, usize)> {
        Some((self.image.width, self.image.height))
    }

    fn source_path(&self) -> Option<String> {
        Some(self.path.clone())
    }
}

/// Keyframes or a constant.
pub enum Setting {
    Value(ParamValue),
    Keys(Vec<(f64, ParamValue)>),
}

/// Converts a job value for parameter `name`, by the type the plugin declared.
pub fn setting(desc: &EffectDescription, name: &str, v: &Value) -> Result<Setting, String> {
    let p = desc
        .param(name)
        .ok_or_else(|| format!("the plugin has no parameter '{name}'"))?;
    if let Some(keys) = v.get("keys") {
        let keys = keys
            .as_array()
            .ok_or_else(|| format!("{name}: keys must be a list"))?;
        let mut out = Vec::new();
        for k in keys {
            let pair = k.as_array().filter(|a| a.len() == 2);
            let pair = pair.ok_or_else(|| format!("{name}: each key is [frame, value]"))?;
            let t = pair[0]
                .as_f64()
                .ok_or_else(|| format!("{name}: key frame must be a number"))?;
            out.push((t, value(&p.param_type, &p.props, name, &pair[1])?));
        }
        return Ok(Setting::Keys(out));
    }
    Ok(Setting::Value(value(&p.param_type, &p.props, name, v)?))
}

fn value(
    t: &str,
    props: &doppel_host::PropertyDump,
    name: &str,
    v: &Value,
) -> Result<ParamValue, String> {
    let bad = || format!("{name}: {v} does not fit a parameter of type {t}");
    let num = |v: &Value| v.as_f64().ok_or_else(bad);
    let nums =
        || -> Result<Vec<f64>, String> { v.as_array().ok_or_else(bad)?.iter().map(num).collect() };
    let int = |x: f64| x.round() as i32;
    Ok(match t {
        "OfxParamTypeDouble" => ParamValue::Double(num(v)?),
        "OfxParamTypeInteger" => ParamValue::Int(int(num(v)?)),
        "OfxParamTypeBoolean" => match v {
            Value::Bool(b) => ParamValue::Bool(*b),
            _ => ParamValue::Bool(num(v)? != 0.0),
        },
        "OfxParamTypeChoice" => match v {
            Value::String(s) => {
                let options = props.strings("OfxParamPropChoiceOption");
                let i = options
                    .iter()
                    .position(|o| o == s)
                    .ok_or_else(|| format!("{name}: '{s}' is not one of {options:?}"))?;
                ParamValue::Choice(i as i32)
            }
            _ => ParamValue::Choice(int(num(v)?)),
        },
        "OfxParamTypeString" | "OfxParamTypeStrChoice" | "OfxParamTypeCustom" => {
            ParamValue::String(v.as_str().ok_or_else(bad)?.to_owned())
        }
        _ => match (t, nums()?.as_slice()) {
            ("OfxParamTypeDouble2D", [a, b]) => ParamValue::Double2D(*a, *b),
            ("OfxParamTypeDouble3D", [a, b, c]) => ParamValue::Double3D(*a, *b, *c),
            ("OfxParamTypeInteger2D", [a, b]) => ParamValue::Int2D(int(*a), int(*b)),
            ("OfxParamTypeInteger3D", [a, b, c]) => ParamValue::Int3D(int(*a), int(*b), int(*c)),
            ("OfxParamTypeRGB", [a, b, c]) => ParamValue::Rgb(*a, *b, *c),
            ("OfxParamTypeRGBA", [a, b, c, d]) => ParamValue::Rgba(*a, *b, *c, *d),
            _ => return Err(bad()),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert_eq!(Pattern::parse("a.%04d.exr").unwrap().frame(7), "a.0007.exr");
        assert_eq!(Pattern::parse("a.%d.png").unwrap().frame(12), "a.12.png");
        assert_eq!(Pattern::parse("a.###.png").unwrap().frame(3), "a.003.png");
        assert!(Pattern::parse("still.png").is_none());
    }
}
