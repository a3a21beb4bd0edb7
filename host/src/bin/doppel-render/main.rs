//! doppel-render: renders a job file through an OFX bundle, frame by frame, as a host would.

mod job;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use doppel_host::{ClipSource, Clips, Host, HostProfile, RenderOptions};
use job::{Job, Pattern, Sequence, Setting, Still};

const USAGE: &str =
    "usage: doppel-render --bundle DIR --job JOB.json [--profile resolve|nuke|generic] [--strict]

Renders the job's frames through the OFX bundle and writes the output pattern.
--strict fails when the host saw the plugin misuse the OFX API (violations).
The job format is described in host/README.md.";

struct Args {
    bundle: PathBuf,
    job: PathBuf,
    profile: HostProfile,
    strict: bool,
}

fn args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let (mut bundle, mut job, mut profile, mut strict) = (None, None, HostProfile::Generic, false);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--bundle" => bundle = it.next().map(PathBuf::from),
            "--job" => job = it.next().map(PathBuf::from),
            "--profile" => {
                let p = it.next().unwrap_or_default();
                profile = HostProfile::parse(&p).ok_or(format!("unknown profile '{p}'"))?;
            }
            "--strict" => strict = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unexpected argument '{other}'")),
        }
    }
    Ok(Args {
        bundle: bundle.ok_or("--bundle is required")?,
        job: job.ok_or("--job is required")?,
        profile,
        strict,
    })
}

fn run(args: &Args) -> Result<(), String> {
    let (job, base) = Job::load(&args.job)?;
    let host = Host::load(&args.bundle, args.profile).map_err(|e| e.to_string())?;
    let ids = host.plugin_ids();
    let id = match (&job.plugin, ids.as_slice()) {
        (Some(id), _) => id.clone(),
        (None, [one]) => one.clone(),
        (None, _) => return Err(format!("the bundle holds {ids:?}: name one as \"plugin\"")),
    };
    let desc = host.describe(&id).map_err(|e| e.to_string())?;
    let mut clips = Clips::new();
    for (name, spec) in &job.clips {
        let source: Arc<dyn ClipSource> = match Pattern::parse(spec) {
            Some(p) => Arc::new(Sequence::new(p, &base, spec, job.frames)),
            None => Arc::new(Still::load(&base.join(spec), job.frames)?),
        };
        clips = clips.with_arc(name, source);
    }
    let inst = host
        .create_instance(&id, &job.context, clips)
        .map_err(|e| e.to_string())?;
    for (name, v) in &job.params {
        let set = match job::setting(&desc, name, v)? {
            Setting::Value(v) => inst.set_value(name, v),
            Setting::Keys(keys) => keys
                .into_iter()
                .try_for_each(|(t, v)| inst.set_key(name, t, v)),
        };
        set.map_err(|e| format!("{name}: {e}"))?;
    }
    let out = Pattern::parse(&job.output);
    let times: Vec<f64> = (job.frames[0]..=job.frames[1]).map(|f| f as f64).collect();
    let opts = RenderOptions {
        render_scale: job.render_scale,
        ..RenderOptions::default()
    };
    let mut error = None;
    inst.render_sequence_each(&times, &opts, |t, result| {
        let frame = t as i64;
        let name = match &out {
            Some(p) => p.frame(frame),
            None => job.output.clone(),
        };
        let path = base.join(name);
        let written = result
            .map_err(|f| format!("frame {frame}: {f}"))
            .and_then(|img| {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                }
                img.save(&path)
            });
        match written {
            Ok(()) => {
                eprintln!("doppel-render: frame {frame} -> {}", path.display());
                true
            }
            Err(e) => {
                error = Some(e);
                false
            }
        }
    });
    let mut violations = inst.violations();
    drop(inst);
    violations.extend(host.violations());
    for v in &violations {
        eprintln!("doppel-render: OFX violation: {v}");
    }
    if let Some(e) = error {
        return Err(e);
    }
    if args.strict && !violations.is_empty() {
        return Err(format!("{} OFX violation(s) (--strict)", violations.len()));
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("doppel-render: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("doppel-render: {e}");
            ExitCode::FAILURE
        }
    }
}
