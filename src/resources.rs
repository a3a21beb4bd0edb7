//! Where the bundle's own files are (ONNX Runtime, the default detector), as the host told us
//! through `kOfxPluginPropFilePath`; `DOPPEL_BUNDLE` overrides it for tools and tests.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

static BUNDLE: OnceLock<PathBuf> = OnceLock::new();

/// The OFX architecture folder of this build.
pub const ARCH_DIR: &str = if cfg!(all(target_os = "linux", target_arch = "x86_64")) {
    "Linux-x86-64"
} else if cfg!(all(target_os = "linux", target_arch = "aarch64")) {
    "Linux-arm64"
} else if cfg!(target_os = "macos") {
    "MacOS"
} else if cfg!(target_os = "windows") {
    "Win64"
} else {
    "Linux-x86"
};

/// Records the bundle's location. Hosts give the bundle folder; some give the binary itself.
pub fn set_bundle_path(path: &Path) {
    let _ = BUNDLE.set(bundle_of(path));
}

fn bundle_of(path: &Path) -> PathBuf {
    path.ancestors()
        .find(|p| p.extension().is_some_and(|e| e == "bundle"))
        .unwrap_or(path)
        .to_path_buf()
}

/// The bundle folder, if known.
pub fn bundle() -> Option<PathBuf> {
    std::env::var_os("DOPPEL_BUNDLE")
        .map(PathBuf::from)
        .or_else(|| BUNDLE.get().cloned())
}

/// The folder holding the plugin binary and the libraries shipped beside it.
pub fn binary_dir() -> Option<PathBuf> {
    bundle().map(|b| b.join("Contents").join(ARCH_DIR))
}

/// A file in the bundle's `Contents/Resources`, if it exists.
pub fn resource(relative: &str) -> Option<PathBuf> {
    bundle()
        .map(|b| b.join("Contents").join("Resources").join(relative))
        .filter(|p| p.exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_paths_resolve_to_their_bundle() {
        let root = Path::new("/usr/OFX/Plugins/Doppel.ofx.bundle");
        assert_eq!(
            bundle_of(&root.join("Contents/Linux-x86-64/Doppel.ofx")),
            root
        );
        assert_eq!(bundle_of(root), root);
    }
}
