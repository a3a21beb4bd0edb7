//! The loaded side of a swap: identity, swap model, detector, recogniser and prepared source,
//! built lazily on the first render and shared process-wide by every instance with the same
//! settings. Its `FaceFinder` and `CropSwapper` over ONNX Runtime, with the optional occlusion
//! and region mask models as the swapper's extra masks, live in `engine_adapters` (re-exported
//! here).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use parking_lot::Mutex;

pub use super::engine_adapters::{DetectorFinder, EngineFinder, EngineSwapper};
use super::mask_models::{OcclusionModel, RegionModel};
use super::SwapError;
use crate::detect::{DetectSettings, Detector};
use crate::identity::arcface::{self, largest_face, prepare_source, PreparedSource, Recogniser};
use crate::identity::{load_identity, Identity};
use crate::runtime::{load_model, Device, Model};
use crate::Frame;

/// What the user chose; equal configs share one engine.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct EngineConfig {
    pub identity: Option<PathBuf>,
    pub source_photos: Option<PathBuf>,
    pub recogniser: Option<PathBuf>,
    pub detector: Option<PathBuf>,
    pub reference: Option<PathBuf>,
    /// An XSeg occlusion model: what covers the face is kept from the plate.
    pub occlusion: Option<PathBuf>,
    /// A BiSeNet face parser: only the face regions are replaced.
    pub region: Option<PathBuf>,
    pub cpu_only: bool,
}

/// The bundled default detector, relative to the bundle's Resources.
pub const DEFAULT_DETECTOR: &str = "models/centerface.onnx";
/// FaceFusion's neutral identity weight: the source vector unchanged.
pub const NEUTRAL_WEIGHT: f32 = 0.5;

/// The detector the user chose, or the bundled CenterFace.
pub fn load_detector(path: Option<&Path>, device: Device) -> Result<Detector, SwapError> {
    if let Some(dir) = crate::resources::binary_dir() {
        crate::runtime::set_library_path(&crate::runtime::library_path_in_bundle(&dir));
    }
    let path = match path {
        Some(p) => p.to_path_buf(),
        None => crate::resources::resource(DEFAULT_DETECTOR).ok_or_else(|| {
            SwapError(format!(
                "the bundled face detector ({DEFAULT_DETECTOR}) is missing from the bundle: \
                 reinstall Doppel, or set Detector model"
            ))
        })?,
    };
    Detector::load(&path, device).map_err(err)
}

pub struct SwapEngine {
    pub(super) identity: Identity,
    pub(super) model: Model,
    pub(super) detector: Detector,
    pub(super) recogniser: Option<Recogniser>,
    pub(super) source: PreparedSource,
    pub(super) reference: Option<Vec<f32>>,
    pub(super) occlusion: Option<OcclusionModel>,
    pub(super) region: Option<RegionModel>,
}

pub(super) fn err(e: impl std::fmt::Display) -> SwapError {
    SwapError(e.to_string())
}

fn stamp(path: &Option<PathBuf>) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path.as_ref()?).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

type Key = (EngineConfig, [Option<(SystemTime, u64)>; 5]);

fn cache() -> &'static Mutex<HashMap<Key, Arc<SwapEngine>>> {
    static CACHE: OnceLock<Mutex<HashMap<Key, Arc<SwapEngine>>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Image files of a source-photo folder (or the one file given), in name order.
fn photos_in(path: &Path) -> Result<Vec<PathBuf>, SwapError> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = std::fs::read_dir(path)
        .map_err(|e| SwapError(format!("source photos {}: {e}", path.display())))?;
    let mut photos: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let ext = p
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default();
            matches!(ext.as_str(), "png" | "jpg" | "jpeg")
        })
        .collect();
    photos.sort();
    if photos.is_empty() {
        return Err(SwapError(format!(
            "source photos {}: no PNG or JPEG files in that folder",
            path.display()
        )));
    }
    Ok(photos)
}

impl SwapEngine {
    /// The engine for `config`, built on first use and rebuilt when the identity, source,
    /// reference or mask model files change on disk.
    pub fn get(config: &EngineConfig) -> Result<Arc<SwapEngine>, SwapError> {
        let key = (
            config.clone(),
            [
                stamp(&config.identity),
                stamp(&config.source_photos),
                stamp(&config.reference),
                stamp(&config.occlusion),
                stamp(&config.region),
            ],
        );
        if let Some(engine) = cache().lock().get(&key) {
            return Ok(engine.clone());
        }
        // Built outside the lock: loading models takes seconds and other configs may render.
        let engine = Arc::new(Self::build(config)?);
        let mut cache = cache().lock();
        if cache.len() >= 8 {
            cache.clear();
        }
        Ok(cache.entry(key).or_insert(engine).clone())
    }

    /// Forgets every engine (PurgeCaches); sessions stay in the runtime's own cache.
    pub fn purge() {
        cache().lock().clear();
    }

    fn build(config: &EngineConfig) -> Result<SwapEngine, SwapError> {
        // ONNX Runtime ships inside the bundle, next to the plugin binary.
        if let Some(dir) = crate::resources::binary_dir() {
            crate::runtime::set_library_path(&crate::runtime::library_path_in_bundle(&dir));
        }
        let device = if config.cpu_only {
            Device::Cpu
        } else {
            Device::Auto
        };
        let path = config.identity.as_ref().ok_or_else(|| {
            SwapError("choose an Identity: a Doppel identity pack, a DeepFaceLive .dfm or an ONNX swapper".into())
        })?;
        let mut identity = load_identity(path).map_err(err)?;
        if let Some(folder) = &config.source_photos {
            identity = identity.with_photos(photos_in(folder)?).map_err(err)?;
        }
        let detector = load_detector(config.detector.as_deref(), device)?;
        let recogniser = config
            .recogniser
            .as_ref()
            .map(|p| Recogniser::load(p, device))
            .transpose()
            .map_err(err)?;
        let finder =
            |frame: &Frame| -> Result<Vec<arcface::FoundFace>, crate::identity::IdentityError> {
                let found = detector.detect(frame, &DetectSettings::default())?;
                Ok(found
                    .into_iter()
                    .map(|d| arcface::FoundFace {
                        bbox: d.bbox,
                        landmarks: d.landmarks,
                    })
                    .collect())
            };
        let source =
            prepare_source(&identity, Some(&finder), recogniser.as_ref(), device).map_err(err)?;
        let reference = match &config.reference {
            None => None,
            Some(photo) => {
                let recogniser = recogniser.as_ref().ok_or_else(|| {
                    SwapError(
                        "a reference photo needs a Recogniser model (ArcFace) to compare faces"
                            .into(),
                    )
                })?;
                let image = arcface::load_photo(photo).map_err(err)?;
                let faces = finder(&image).map_err(err)?;
                let face = largest_face(&faces).ok_or_else(|| {
                    SwapError(format!(
                        "reference photo {}: no face found",
                        photo.display()
                    ))
                })?;
                Some(recogniser.embed(&image, &face.landmarks).map_err(err)?)
            }
        };
        let model = load_model(&identity.model_path, device).map_err(err)?;
        let occlusion = config
            .occlusion
            .as_ref()
            .map(|p| OcclusionModel::load(p, device))
            .transpose()?;
        let region = config
            .region
            .as_ref()
            .map(|p| RegionModel::load(p, device))
            .transpose()?;
        Ok(SwapEngine {
            identity,
            model,
            detector,
            recogniser,
            source,
            reference,
            occlusion,
            region,
        })
    }

    /// One line for the user: who, on what grounds, under which licence, and where it runs.
    pub fn describe(config: &EngineConfig) -> String {
        if config.identity.is_none() {
            return "No identity chosen".into();
        }
        match Self::get(config) {
            Ok(e) => {
                let consent = e
                    .identity
                    .consent
                    .as_ref()
                    .map_or("not declared".to_owned(), |c| match &c.note {
                        Some(note) => format!("{} ({note})", c.kind.name()),
                        None => c.kind.name().to_owned(),
                    });
                format!(
                    "{} ({}) · consent: {consent} · licence: {} · runs on {}",
                    e.identity.display_name(),
                    e.identity.kind(),
                    e.identity.licence_text(),
                    e.model.provider()
                )
            }
            Err(e) => format!("Not usable: {e}"),
        }
    }

    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    pub fn provider(&self) -> &str {
        self.model.provider()
    }

    pub fn detect_settings(&self, threshold: f32, min_face_px: f32) -> DetectSettings {
        DetectSettings {
            score_threshold: threshold,
            min_face_px: min_face_px.max(0.0),
            ..DetectSettings::default()
        }
    }
}
