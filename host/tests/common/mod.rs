//! Shared by the integration tests: the probe plugin bundle, built once per test process.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// Builds the probe bundle once per test process.
pub fn bundle() -> &'static PathBuf {
    static BUNDLE: OnceLock<PathBuf> = OnceLock::new();
    BUNDLE.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("probe-{}", std::process::id()));
        let bin = root.join("Probe.ofx.bundle/Contents/Linux-x86-64");
        std::fs::create_dir_all(&bin).unwrap();
        let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/probe/probe.c");
        let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
        let status = Command::new(cc)
            .args(["-shared", "-fPIC", "-O1", "-o"])
            .arg(bin.join("Probe.ofx"))
            .arg(src)
            .status()
            .expect("a C compiler (cc) to build the probe plugin");
        assert!(status.success(), "building probe.c failed");
        root.join("Probe.ofx.bundle")
    })
}
