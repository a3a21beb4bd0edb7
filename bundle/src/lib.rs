//! Lays out `Doppel.ofx.bundle` as the OFX packaging rules ask, from a built plugin library
//! and the runtime pieces ([`Extras`]: ONNX Runtime, bundled models, licences).

mod extras;
mod icons;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub use extras::{
    onnxruntime_file_name, Extras, MissingAssets, BUNDLED_MODELS, GPU_PROVIDER_LIBRARIES,
    LICENCE_FILES, ONNXRUNTIME_VERSION,
};
pub use icons::{icon_png, icon_svg};

/// The bundle's folder name; hosts scan their plugin folders for `*.ofx.bundle`.
pub const BUNDLE_NAME: &str = "Doppel.ofx.bundle";
/// The binary's name inside `Contents/<arch>/`.
pub const BINARY_NAME: &str = "Doppel.ofx";

/// Every plugin id Doppel has released, with its label: icons are named after the id.
/// Ids never change once released (saved projects hold them).
pub const PLUGINS: &[(&str, &str)] = &[
    ("com.doppel.FaceSwap", "Face Swap"),
    ("com.doppel.FaceRestore", "Face Restore"),
    ("com.doppel.FaceBlend", "Face Blend"),
];

/// The OFX architecture folder for the platform this tool runs on.
pub fn arch_dir() -> &'static str {
    if cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        "Linux-x86-64"
    } else if cfg!(all(target_os = "linux", target_arch = "aarch64")) {
        "Linux-arm64"
    } else if cfg!(target_os = "macos") {
        "MacOS"
    } else if cfg!(all(target_os = "windows", target_pointer_width = "64")) {
        "Win64"
    } else {
        "Linux-x86"
    }
}

/// The plugin library's file name as cargo writes it on this platform.
pub fn library_file_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "libdoppel.dylib"
    } else if cfg!(target_os = "windows") {
        "doppel.dll"
    } else {
        "libdoppel.so"
    }
}

fn info_plist(version: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>CFBundleDevelopmentRegion</key>
	<string>English</string>
	<key>CFBundleExecutable</key>
	<string>{BINARY_NAME}</string>
	<key>CFBundleIdentifier</key>
	<string>com.doppel.ofx</string>
	<key>CFBundleInfoDictionaryVersion</key>
	<string>6.0</string>
	<key>CFBundleName</key>
	<string>Doppel</string>
	<key>CFBundlePackageType</key>
	<string>BNDL</string>
	<key>CFBundleShortVersionString</key>
	<string>{version}</string>
	<key>CFBundleVersion</key>
	<string>{version}</string>
	<key>CFBundleSignature</key>
	<string>????</string>
</dict>
</plist>
"#
    )
}

/// Writes `<out_dir>/Doppel.ofx.bundle` from the plugin library at `library` alone (no ONNX
/// Runtime, no models), replacing any earlier bundle there, and returns the bundle's path.
pub fn assemble(library: &Path, out_dir: &Path) -> io::Result<PathBuf> {
    assemble_with(library, out_dir, &Extras::default())
}

/// Like [`assemble`], adding the runtime pieces: ONNX Runtime next to the binary
/// (`Contents/<arch>/libonnxruntime.so.1.31.1`), models in `Contents/Resources/models/`, and
/// licence texts with a summary in `Contents/Resources/LICENSES/`; the GPU variant's provider
/// libraries go next to ONNX Runtime.
pub fn assemble_with(library: &Path, out_dir: &Path, extras: &Extras) -> io::Result<PathBuf> {
    let bundle = out_dir.join(BUNDLE_NAME);
    if bundle.exists() {
        fs::remove_dir_all(&bundle)?;
    }
    let contents = bundle.join("Contents");
    let binary_dir = contents.join(arch_dir());
    let resources = contents.join("Resources");
    fs::create_dir_all(&binary_dir)?;
    fs::create_dir_all(&resources)?;
    fs::write(contents.join("Info.plist"), info_plist("1.0"))?;
    fs::copy(library, binary_dir.join(BINARY_NAME))?;
    for (index, (id, label)) in PLUGINS.iter().enumerate() {
        icon_png(index)
            .save(resources.join(format!("{id}.png")))
            .map_err(io::Error::other)?;
        fs::write(resources.join(format!("{id}.svg")), icon_svg(index, label))?;
    }
    extras.install(&contents, arch_dir())?;
    Ok(bundle)
}
