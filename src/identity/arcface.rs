//! Identity vectors, the part that runs models: the ArcFace recogniser (arcface_112_v2 crop at
//! 112, RGB, x/127.5 − 1, output (1, 512)), embeddings of source photos (largest face of each,
//! averaged, cached process-wide), embedding converters, the aligned source image of
//! blendswap / uniface, and [`prepare_source`], which gives a swapper's `source` input.
//!
//! Frames given here are sRGB-encoded RGB in 0..1, like the crops of [`super::tensor`]; photos
//! read from disk already are, host plates must be converted first.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;

use super::conventions::{ChannelOrder, Layout, Normalisation, SourceInput, TensorFormat};
use super::embedding::{average, source_vector, PhotoSetKey, SharedEmbedding, EMBEDDING_LEN};
use super::error::IdentityError;
use super::tensor::crop_to_tensor;
use super::{Identity, IdentitySource};
use crate::face::{align, warp_to_crop, Landmarks, Similarity, Template};
use crate::runtime::{load_model, Device, Model, Tensor};
use crate::Frame;

/// A face found in a photo: box `[x0, y0, x1, y1]` and landmarks, in frame coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundFace {
    pub bbox: [f32; 4],
    pub landmarks: Landmarks,
}

impl FoundFace {
    fn area(&self) -> f32 {
        (self.bbox[2] - self.bbox[0]).max(0.0) * (self.bbox[3] - self.bbox[1]).max(0.0)
    }
}

/// Finds faces in a frame (the detector, adapted by the caller).
pub trait FaceFinder {
    fn find_faces(&self, frame: &Frame) -> Result<Vec<FoundFace>, IdentityError>;
}

impl<F: Fn(&Frame) -> Result<Vec<FoundFace>, IdentityError>> FaceFinder for F {
    fn find_faces(&self, frame: &Frame) -> Result<Vec<FoundFace>, IdentityError> {
        self(frame)
    }
}

/// The largest face by box area (models.md: the source face of a photo).
pub fn largest_face(faces: &[FoundFace]) -> Option<&FoundFace> {
    faces.iter().max_by(|a, b| a.area().total_cmp(&b.area()))
}

/// The ArcFace recogniser's input format: NCHW, RGB, x/127.5 − 1.
pub const RECOGNISER_FORMAT: TensorFormat = TensorFormat {
    layout: Layout::Nchw,
    channels: ChannelOrder::Rgb,
    normalisation: Normalisation::Arcface,
};

/// The ArcFace recogniser (arcface_w600k_r50 or a model with the same conventions).
#[derive(Debug, Clone)]
pub struct Recogniser {
    model: Model,
    input: String,
}

impl Recogniser {
    /// Wraps a loaded recogniser: one input, an output of 512 values.
    pub fn new(model: Model) -> Result<Recogniser, IdentityError> {
        let input = match model.inputs() {
            [one] => one.name.clone(),
            inputs => {
                return Err(IdentityError::model(
                    model.path(),
                    format!(
                        "is not an ArcFace recogniser: it has {} inputs, expected one \
                         (1,3,112,112) image",
                        inputs.len()
                    ),
                ))
            }
        };
        Ok(Recogniser { model, input })
    }

    pub fn load(path: &Path, device: Device) -> Result<Recogniser, IdentityError> {
        Recogniser::new(load_model(path, device)?)
    }

    pub fn path(&self) -> &Path {
        self.model.path()
    }

    /// The raw ArcFace embedding of the face at `landmarks` in `frame`.
    pub fn embed(&self, frame: &Frame, landmarks: &Landmarks) -> Result<Vec<f32>, IdentityError> {
        self.embed_with(landmarks, |m, size| warp_to_crop(frame, m, size))
    }

    /// [`Recogniser::embed`] of the crop `crop` makes for the frame→crop similarity and size it
    /// is given (a crop already in the model domain: sRGB-encoded 0..1).
    pub fn embed_with(
        &self,
        landmarks: &Landmarks,
        crop: impl FnOnce(&Similarity, usize) -> Frame,
    ) -> Result<Vec<f32>, IdentityError> {
        let m = align(landmarks, Template::Arcface112V2, 112).ok_or_else(|| {
            IdentityError::source("the face's landmarks are degenerate; it cannot be aligned")
        })?;
        let crop = crop(&m, 112);
        let input = crop_to_tensor(&crop, &RECOGNISER_FORMAT);
        let out = self.model.run(&[(self.input.as_str(), &input)])?;
        let v = out.first().map(Tensor::to_f32_vec).unwrap_or_default();
        if v.len() != EMBEDDING_LEN || v.iter().any(|x| !x.is_finite()) {
            return Err(IdentityError::model(
                self.path(),
                format!(
                    "gave {} values, expected a finite 512-value embedding",
                    v.len()
                ),
            ));
        }
        Ok(v)
    }
}

/// A photo from disk as an sRGB RGB 0..1 frame (alpha 1), EXIF orientation applied.
pub fn load_photo(path: &Path) -> Result<Frame, IdentityError> {
    use image::ImageDecoder;
    let fail = |e: &dyn std::fmt::Display| IdentityError::io(path, e);
    let reader = image::ImageReader::open(path)
        .map_err(|e| fail(&e))?
        .with_guessed_format()
        .map_err(|e| fail(&e))?;
    let mut decoder = reader.into_decoder().map_err(|e| fail(&e))?;
    let orientation = decoder.orientation().ok();
    let mut img = image::DynamicImage::from_decoder(decoder).map_err(|e| fail(&e))?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    let rgb = img.to_rgb32f();
    let (w, h) = (rgb.width() as usize, rgb.height() as usize);
    let pixels = rgb.pixels().map(|p| [p[0], p[1], p[2], 1.0]).collect();
    Frame::from_pixels(w, h, pixels).map_err(|e| fail(&e))
}

/// The largest face in a photo, or an error naming the photo.
fn source_face(
    path: &Path,
    frame: &Frame,
    finder: &dyn FaceFinder,
) -> Result<FoundFace, IdentityError> {
    let faces = finder.find_faces(frame)?;
    largest_face(&faces).cloned().ok_or_else(|| {
        IdentityError::source(format!("source photo {}: no face found", path.display()))
    })
}

fn photo_cache() -> &'static Mutex<HashMap<PhotoSetKey, SharedEmbedding>> {
    static CACHE: OnceLock<Mutex<HashMap<PhotoSetKey, SharedEmbedding>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The averaged raw embedding of the largest face in each photo. Photos without a face are
/// skipped (logged); none with a face is an error. Cached process-wide by the photos' paths,
/// sizes and modification times and the recogniser's path.
pub fn embed_photos(
    photos: &[PathBuf],
    finder: &dyn FaceFinder,
    recogniser: &Recogniser,
) -> Result<SharedEmbedding, IdentityError> {
    let key = PhotoSetKey::new(photos, recogniser.path())?;
    if let Some(e) = photo_cache().lock().get(&key) {
        return Ok(e.clone());
    }
    let mut embeddings = Vec::with_capacity(photos.len());
    let mut skipped = Vec::new();
    for path in photos {
        let frame = load_photo(path)?;
        match source_face(path, &frame, finder) {
            Ok(face) => embeddings.push(recogniser.embed(&frame, &face.landmarks)?),
            Err(IdentityError::Source { message }) => {
                log::warn!("{message}; skipped");
                skipped.push(path.display().to_string());
            }
            Err(e) => return Err(e),
        }
    }
    let avg = average(&embeddings).ok_or_else(|| {
        IdentityError::source(format!(
            "no face found in the source photos ({})",
            skipped.join(", ")
        ))
    })?;
    let shared = Arc::new(avg);
    let mut cache = photo_cache().lock();
    if cache.len() >= 64 {
        cache.clear();
    }
    cache.insert(key, shared.clone());
    Ok(shared)
}

/// Runs a (1, 512) → (1, 512) embedding converter on a raw embedding.
pub fn convert_embedding(converter: &Model, embedding: &[f32]) -> Result<Vec<f32>, IdentityError> {
    let name = converter
        .inputs()
        .first()
        .map(|i| i.name.clone())
        .ok_or_else(|| IdentityError::model(converter.path(), "has no inputs"))?;
    let input = Tensor::f32(vec![1, embedding.len()], embedding.to_vec());
    let out = converter.run(&[(name.as_str(), &input)])?;
    Ok(out.first().map(Tensor::to_f32_vec).unwrap_or_default())
}

/// The aligned source face of blendswap / uniface as their `source` tensor (NCHW RGB).
pub fn source_image(
    photo: &Frame,
    face: &FoundFace,
    template: Template,
    size: usize,
    normalisation: Normalisation,
) -> Result<Tensor, IdentityError> {
    let m = align(&face.landmarks, template, size)
        .ok_or_else(|| IdentityError::source("the source face's landmarks are degenerate"))?;
    let crop = warp_to_crop(photo, &m, size);
    let format = TensorFormat {
        layout: Layout::Nchw,
        channels: ChannelOrder::Rgb,
        normalisation,
    };
    Ok(crop_to_tensor(&crop, &format))
}

/// What a swapper's `source` input gets for an identity.
#[derive(Debug, Clone, PartialEq)]
pub enum PreparedSource {
    /// Per-identity models: no source input.
    None,
    /// The (1, 512) source vector, before identity weight mixing
    /// ([`super::embedding::identity_weight_mix`]).
    Vector(Vec<f32>),
    /// The aligned source image (blendswap, uniface).
    Image(Tensor),
}

/// Prepares an identity's source: the vector (embedding → emap / converter / normalisation) or
/// the aligned source image. `finder` and `recogniser` are needed for photo sources; converters
/// are loaded on `device` (the runtime caches sessions).
pub fn prepare_source(
    identity: &Identity,
    finder: Option<&dyn FaceFinder>,
    recogniser: Option<&Recogniser>,
    device: Device,
) -> Result<PreparedSource, IdentityError> {
    let conv = &identity.conventions;
    let missing = || {
        IdentityError::source(format!(
            "{} ({}) needs source photos of the person to swap in: set Source photos, or use an \
             identity pack with a source",
            identity.display_name(),
            conv.kind
        ))
    };
    let need_finder = || {
        finder.ok_or_else(|| {
            IdentityError::source("no face detector available for the source photos")
        })
    };
    match (&conv.source, &identity.source) {
        (SourceInput::None, _) => Ok(PreparedSource::None),
        (_, IdentitySource::Missing | IdentitySource::BakedIn) => Err(missing()),
        (
            SourceInput::Image {
                template,
                size,
                normalisation,
            },
            IdentitySource::Photos(photos),
        ) => {
            let first = photos.first().ok_or_else(missing)?;
            let frame = load_photo(first)?;
            let face = source_face(first, &frame, need_finder()?)?;
            Ok(PreparedSource::Image(source_image(
                &frame,
                &face,
                *template,
                *size,
                *normalisation,
            )?))
        }
        (SourceInput::Image { .. }, IdentitySource::Embedding(_)) => {
            Err(IdentityError::source(format!(
            "a {} model takes an image of the source face, not an embedding: give source photos",
            conv.kind
        )))
        }
        (input @ SourceInput::Embedding { converter, .. }, src) => {
            let embedding = match src {
                IdentitySource::Embedding(e) => e.clone(),
                IdentitySource::Photos(photos) => {
                    let recogniser = recogniser.ok_or_else(|| {
                        IdentityError::source(
                            "no ArcFace recogniser available for the source photos",
                        )
                    })?;
                    embed_photos(photos, need_finder()?, recogniser)?
                }
                _ => return Err(missing()),
            };
            let v = source_vector(input, &embedding, identity.emap.as_deref(), |e| {
                let path = converter
                    .as_ref()
                    .ok_or_else(|| IdentityError::source("the embedding converter is not set"))?;
                convert_embedding(&load_model(path, device)?, e)
            })?;
            Ok(PreparedSource::Vector(v))
        }
    }
}
