//! Shared by the integration tests: the built bundle, a host per profile, test plates, and the
//! temporal tests' moving clip (`moving`).
#![allow(dead_code)]

pub mod moving;

use std::path::PathBuf;
use std::sync::OnceLock;

use doppel::Frame;
use doppel_host::{
    Clips, Host, HostImage, HostProfile, ImageLayout, Instance, RenderOptions, RowOrder,
};

pub const FACE_BLEND: &str = "com.doppel.FaceBlend";
pub const GENERAL: &str = "OfxImageEffectContextGeneral";

/// Set by tests that start worker processes: the bundle the workers load.
pub const BUNDLE_ENV: &str = "DOPPEL_TEST_BUNDLE";

/// Lays out a bundle from the debug plugin library cargo built for these tests, once per test binary.
pub fn bundle() -> PathBuf {
    static BUNDLE: OnceLock<PathBuf> = OnceLock::new();
    BUNDLE
        .get_or_init(|| {
            // A worker process of a test uses the bundle its parent laid out (and has loaded).
            if let Some(path) = std::env::var_os(BUNDLE_ENV) {
                return PathBuf::from(path);
            }
            let exe = std::env::current_exe().expect("test binary path");
            let name = exe.file_stem().unwrap().to_string_lossy().into_owned();
            // Cargo builds the cdylib beside the test binaries (target/<profile>/deps) when it
            // builds the library for them; the copy one level up is only refreshed by `cargo build`.
            let library = exe
                .parent()
                .unwrap()
                .join(doppel_bundle::library_file_name());
            assert!(
                library.exists(),
                "the plugin library {} was not built",
                library.display()
            );
            let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
            // ONNX Runtime, the bundled models and licences when scripts/assets.sh fetched them.
            let assets = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".cache/assets");
            let extras = doppel_bundle::Extras::from_assets(&assets).unwrap_or_default();
            doppel_bundle::assemble_with(&library, &out, &extras).expect("assemble the bundle")
        })
        .clone()
}

/// One host per profile per test binary: a real host process loads a binary once.
pub fn host(profile: HostProfile) -> &'static Host {
    static HOSTS: OnceLock<Vec<(HostProfile, Host)>> = OnceLock::new();
    let hosts = HOSTS.get_or_init(|| {
        [
            HostProfile::Generic,
            HostProfile::Resolve,
            HostProfile::Nuke,
        ]
        .into_iter()
        .map(|p| (p, Host::load(&bundle(), p).expect("load the bundle")))
        .collect()
    });
    &hosts.iter().find(|(p, _)| *p == profile).unwrap().1
}

pub fn face_blend(profile: HostProfile, clips: Clips) -> Instance {
    host(profile)
        .create_instance(FACE_BLEND, GENERAL, clips)
        .expect("create a Face Blend instance")
}

pub fn plain() -> RenderOptions {
    RenderOptions::default()
}

pub fn layout(row_order: RowOrder, row_padding_bytes: usize, origin: (i32, i32)) -> RenderOptions {
    RenderOptions {
        layout: ImageLayout {
            row_order,
            row_padding_bytes,
            origin,
        },
        ..RenderOptions::default()
    }
}

pub fn to_host(frame: &Frame) -> HostImage {
    HostImage {
        width: frame.width(),
        height: frame.height(),
        pixels: frame.pixels().to_vec(),
    }
}

pub fn to_frame(image: &HostImage) -> Frame {
    Frame::from_pixels(image.width, image.height, image.pixels.clone()).expect("consistent image")
}

pub fn max_abs_diff(a: &HostImage, b: &HostImage) -> f32 {
    assert_eq!(
        (a.width, a.height),
        (b.width, b.height),
        "image sizes differ"
    );
    a.pixels
        .iter()
        .zip(&b.pixels)
        .flat_map(|(p, q)| p.iter().zip(q).map(|(x, y)| (x - y).abs()))
        .fold(0.0, f32::max)
}

/// A textured plate with a distinct pattern per frame index, so frames cannot be confused.
pub fn plate(width: usize, height: usize, frame: usize) -> Frame {
    let phase = frame as f32 * 0.37;
    Frame::from_fn(width, height, |x, y| {
        let (u, v) = (x as f32 / width as f32, y as f32 / height as f32);
        let texture = (((x * 7 + y * 13 + frame * 5) % 17) as f32) / 200.0;
        [
            0.25 + 0.4 * u + texture,
            0.3 + 0.3 * (v + phase).sin().abs() * 0.5,
            0.2 + 0.25 * u * v,
            1.0,
        ]
    })
}

/// The plate as a processed face would come back: graded differently.
pub fn graded(frame: &Frame) -> Frame {
    let mut out = frame.clone();
    for p in out.pixels_mut() {
        *p = [p[0] * 1.12 + 0.03, p[1] * 0.96, p[2] * 0.88 + 0.01, p[3]];
    }
    out
}

/// Asserts the instance saw no host-rule violation (unreleased images, undeclared frames...).
pub fn assert_clean(instance: &Instance) {
    let violations = instance.violations();
    assert!(
        violations.is_empty(),
        "host rule violations: {violations:#?}"
    );
}
