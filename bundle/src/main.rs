//! `doppel-bundle`: builds the plugin in release mode and lays out `Doppel.ofx.bundle`.
//!
//! Usage: `cargo run -p doppel-bundle --release -- [--out DIR] [--debug] [--gpu] [--assets DIR]`
//! (default DIR: `target/bundle`). ONNX Runtime, the bundled models and their licences come
//! from `--assets` (default `.cache/assets`, filled by `bash scripts/assets.sh`). `--gpu` builds
//! the NVIDIA variant: ONNX Runtime's GPU build with its CUDA and TensorRT provider libraries
//! (default assets `.cache/assets-gpu`, filled by `bash scripts/assets_gpu.sh`). Copy the bundle
//! folder into the host's OFX plugin folder.

use std::path::PathBuf;
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let mut out = None;
    let mut debug = false;
    let mut assets = None;
    let mut gpu = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = args.next().map(PathBuf::from),
            "--debug" => debug = true,
            "--assets" => assets = args.next().map(PathBuf::from),
            "--gpu" => gpu = true,
            _ => {
                eprintln!("usage: doppel-bundle [--out DIR] [--debug] [--gpu] [--assets DIR]");
                return ExitCode::from(2);
            }
        }
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let default_assets = if gpu { "assets-gpu" } else { "assets" };
    let assets = assets.unwrap_or_else(|| root.join(".cache").join(default_assets));
    let extras = if gpu {
        doppel_bundle::Extras::from_gpu_assets(&assets)
    } else {
        doppel_bundle::Extras::from_assets(&assets)
    };
    let extras = match extras {
        Ok(extras) => extras,
        Err(e) => {
            eprintln!("doppel-bundle: {e}");
            return ExitCode::FAILURE;
        }
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .current_dir(&root)
        .args(["build", "-p", "doppel", "--lib"]);
    if !debug {
        build.arg("--release");
    }
    match build.status() {
        Ok(status) if status.success() => {}
        Ok(status) => {
            eprintln!("doppel-bundle: cargo build failed ({status})");
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("doppel-bundle: could not run cargo: {e}");
            return ExitCode::FAILURE;
        }
    }
    let target =
        std::env::var("CARGO_TARGET_DIR").map_or_else(|_| root.join("target"), PathBuf::from);
    let library = target
        .join(if debug { "debug" } else { "release" })
        .join(doppel_bundle::library_file_name());
    let out = out.unwrap_or_else(|| target.join("bundle"));
    match doppel_bundle::assemble_with(&library, &out, &extras) {
        Ok(bundle) => {
            println!("{}", bundle.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "doppel-bundle: could not lay out the bundle from {}: {e}",
                library.display()
            );
            ExitCode::FAILURE
        }
    }
}
