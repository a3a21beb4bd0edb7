//! A small stderr logger, installed on Load unless the process already has one: hosts show
//! plugin stderr in their console (Resolve's log, Nuke's terminal). `DOPPEL_LOG` sets the level
//! (error, warn, info, debug, trace; default warn). Libraries' own records (wgpu, naga, ort)
//! show only as errors unless the level is debug or trace: their warnings (a software Vulkan
//! driver "not conformant", a shader compiler's notes) are for developers, not compositors.

use log::{LevelFilter, Log, Metadata, Record};

struct StderrLogger;

impl Log for StderrLogger {
    fn enabled(&self, metadata: &Metadata) -> bool {
        shown(metadata, log::max_level())
    }

    fn log(&self, record: &Record) {
        if self.enabled(record.metadata()) {
            eprintln!("[doppel {}] {}", record.level(), record.args());
        }
    }

    fn flush(&self) {}
}

static LOGGER: StderrLogger = StderrLogger;

/// Whether a record shows at `max`: ours at its level, other crates' only as errors below debug.
fn shown(metadata: &Metadata, max: LevelFilter) -> bool {
    let ours = metadata.target() == "doppel" || metadata.target().starts_with("doppel::");
    let max = if ours || max >= LevelFilter::Debug {
        max
    } else {
        max.min(LevelFilter::Error)
    };
    metadata.level() <= max
}

fn level_from(value: Option<&str>) -> LevelFilter {
    match value.map(str::to_ascii_lowercase).as_deref() {
        Some("off") => LevelFilter::Off,
        Some("error") => LevelFilter::Error,
        Some("info") => LevelFilter::Info,
        Some("debug") => LevelFilter::Debug,
        Some("trace") => LevelFilter::Trace,
        _ => LevelFilter::Warn,
    }
}

/// Installs the logger once; a logger the host process already set wins.
pub fn init() {
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(level_from(std::env::var("DOPPEL_LOG").ok().as_deref()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_names_are_read_and_default_to_warn() {
        assert_eq!(level_from(Some("DEBUG")), LevelFilter::Debug);
        assert_eq!(level_from(Some("off")), LevelFilter::Off);
        assert_eq!(level_from(None), LevelFilter::Warn);
        assert_eq!(level_from(Some("loud")), LevelFilter::Warn);
    }

    #[test]
    fn library_warnings_wait_for_debug() {
        let record = |target, level| Metadata::builder().target(target).level(level).build();
        let warn = LevelFilter::Warn;
        assert!(shown(&record("doppel::gpu", log::Level::Warn), warn));
        assert!(!shown(&record("doppel::gpu", log::Level::Info), warn));
        assert!(!shown(&record("wgpu_hal::vulkan", log::Level::Warn), warn));
        assert!(shown(&record("wgpu_core::device", log::Level::Error), warn));
        assert!(shown(
            &record("naga::front", log::Level::Warn),
            LevelFilter::Debug
        ));
        assert!(!shown(&record("doppelganger", log::Level::Warn), warn));
        assert!(!shown(
            &record("wgpu_hal", log::Level::Error),
            LevelFilter::Off
        ));
    }
}
