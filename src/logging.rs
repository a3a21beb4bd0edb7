//! A small stderr logger, installed on Load unless the process already has one: hosts show
//! plugin stderr in their console (Resolve's log, Nuke's terminal). `DOPPEL_LOG` sets the level
//! (error, warn, info, debug, trace; default warn).

use log::{LevelFilter, Log, Metadata, Record};

struct StderrLogger;

impl Log for StderrLogger {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record) {
        if self.enabled(record.metadata()) {
            eprintln!("[doppel {}] {}", record.level(), record.args());
        }
    }

    fn flush(&self) {}
}

static LOGGER: StderrLogger = StderrLogger;

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
}
