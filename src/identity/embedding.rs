//! Identity vectors, the pure part: ArcFace embeddings averaged over photos, the source vector
//! each swapper family expects (models.md), FaceFusion's identity weight, inswapper's emap, and
//! embedding files. Running the recogniser and converters is in `arcface.rs`.
//!
//! All sums are taken in `f64` and rounded once.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use super::conventions::{ModelKind, SourceInput};
use super::error::IdentityError;
use crate::onnx::OnnxModel;

/// Length of an ArcFace embedding and of every swapper's identity vector.
pub const EMBEDDING_LEN: usize = 512;

/// The Euclidean norm, in `f64`.
pub fn l2_norm(v: &[f32]) -> f64 {
    v.iter()
        .map(|&x| f64::from(x) * f64::from(x))
        .sum::<f64>()
        .sqrt()
}

/// `v / |v|`; a zero (or non-finite-norm) vector is returned unchanged.
pub fn normalise(v: &[f32]) -> Vec<f32> {
    let n = l2_norm(v);
    if n > 0.0 && n.is_finite() {
        v.iter().map(|&x| (f64::from(x) / n) as f32).collect()
    } else {
        v.to_vec()
    }
}

/// The element-wise mean of equally long embeddings (models.md: several source photos average
/// the embeddings of the largest face in each). `None` for no embeddings or unequal lengths.
pub fn average(embeddings: &[Vec<f32>]) -> Option<Vec<f32>> {
    let first = embeddings.first()?;
    if embeddings.iter().any(|e| e.len() != first.len()) {
        return None;
    }
    let n = embeddings.len() as f64;
    Some(
        (0..first.len())
            .map(|i| (embeddings.iter().map(|e| f64::from(e[i])).sum::<f64>() / n) as f32)
            .collect(),
    )
}

/// inswapper's embedding map: a square matrix, row-major, applied as `latent = e · emap`.
#[derive(Debug, Clone, PartialEq)]
pub struct Emap {
    dim: usize,
    data: Vec<f32>,
}

impl Emap {
    /// A `dim × dim` matrix from row-major values.
    pub fn new(dim: usize, data: Vec<f32>) -> Result<Emap, String> {
        if dim == 0 || data.len() != dim * dim {
            return Err(format!(
                "an emap must be square; got {} values for dim {dim}",
                data.len()
            ));
        }
        if data.iter().any(|v| !v.is_finite()) {
            return Err("the emap holds NaN or infinite values".to_owned());
        }
        Ok(Emap { dim, data })
    }

    /// Reads the emap from an inswapper model: the initializer `buff2fs`, else the last
    /// initializer (models.md); FLOAT or FLOAT16. It must be 512 × 512.
    pub fn from_model(model: &OnnxModel) -> Result<Emap, String> {
        let tensor = match model.initializer("buff2fs") {
            Some(init) => model.decode_f32(init),
            None => model.last_initializer_f32(),
        }
        .map_err(|e| format!("cannot read the emap: {e}"))?;
        if tensor.dims != [EMBEDDING_LEN, EMBEDDING_LEN] {
            return Err(format!(
                "the emap (initializer buff2fs, or the last initializer) should be 512×512, \
                 got dims {:?}",
                tensor.dims
            ));
        }
        Emap::new(EMBEDDING_LEN, tensor.data)
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    /// `v · emap` (v as a row vector).
    pub fn apply(&self, v: &[f32]) -> Vec<f32> {
        let mut out = vec![0.0f64; self.dim];
        for (i, &x) in v.iter().enumerate().take(self.dim) {
            let row = &self.data[i * self.dim..(i + 1) * self.dim];
            for (o, &m) in out.iter_mut().zip(row) {
                *o += f64::from(x) * f64::from(m);
            }
        }
        out.into_iter().map(|x| x as f32).collect()
    }
}

/// inswapper's latent: `normalise(normalise(emb) · emap)` (insightface's `inswapper.py`).
pub fn inswapper_latent(embedding: &[f32], emap: &Emap) -> Vec<f32> {
    normalise(&emap.apply(&normalise(embedding)))
}

/// The vector a swapper's `source` input takes, from the raw ArcFace embedding:
/// inswapper `normalise(normalise(emb)·emap)`, hyperswap `normalise(emb)`, simswap and hififace
/// `normalise(converter(emb))`, ghost `converter(emb)`. `convert` runs the family's converter.
pub fn source_vector(
    input: &SourceInput,
    embedding: &[f32],
    emap: Option<&Emap>,
    convert: impl FnOnce(&[f32]) -> Result<Vec<f32>, IdentityError>,
) -> Result<Vec<f32>, IdentityError> {
    if embedding.len() != EMBEDDING_LEN || embedding.iter().any(|v| !v.is_finite()) {
        return Err(IdentityError::source(format!(
            "an identity embedding must be {EMBEDDING_LEN} finite numbers, got {} values",
            embedding.len()
        )));
    }
    let SourceInput::Embedding {
        normalise: norm,
        emap: uses_emap,
        converter,
    } = input
    else {
        return Err(IdentityError::source(
            "this model does not take an identity vector",
        ));
    };
    if *uses_emap {
        let emap = emap.ok_or_else(|| {
            IdentityError::source("inswapper needs its emap, which was not read from the model")
        })?;
        return Ok(inswapper_latent(embedding, emap));
    }
    let v = if converter.is_some() {
        let v = convert(embedding)?;
        if v.len() != EMBEDDING_LEN {
            return Err(IdentityError::source(format!(
                "the embedding converter returned {} values, expected {EMBEDDING_LEN}",
                v.len()
            )));
        }
        v
    } else {
        embedding.to_vec()
    };
    Ok(if *norm { normalise(&v) } else { v })
}

/// FaceFusion's identity weight (`face_swapper_weight`, default 0.5, range 0..1), from
/// `balance_source_embedding` in FaceFusion 3.x:
///
/// ```text
/// w = interp(weight, [0, 1], [0.35, −0.35])        = 0.35 − 0.7·weight (weight clamped to 0..1)
/// t = target_embedding / |target_embedding|        (hififace, hyperswap, inswapper, simswap)
///   = target_embedding                             (ghost: raw)
/// v = source · (1 − w) + t · w                      (no normalisation afterwards)
/// ```
///
/// `source` is the prepared source vector ([`source_vector`]) and `target_embedding` the raw
/// ArcFace embedding of the face being replaced. Weight 0.5 leaves the source as it is; 0 pulls
/// 35% toward the target's own identity, 1 pushes 35% away from it (a stronger likeness). As in
/// FaceFusion, inswapper mixes its latent with the target's normalised *embedding*, not its latent.
/// Source-image swappers (blendswap, uniface) and per-identity models take no vector: `source` is
/// returned unchanged.
pub fn identity_weight_mix(
    source: &[f32],
    target_embedding: &[f32],
    weight: f32,
    kind: ModelKind,
) -> Vec<f32> {
    let normalise_target = match kind {
        ModelKind::Hififace | ModelKind::Hyperswap | ModelKind::Inswapper | ModelKind::Simswap => {
            true
        }
        ModelKind::Ghost => false,
        _ => return source.to_vec(),
    };
    if source.len() != target_embedding.len() || !weight.is_finite() {
        return source.to_vec();
    }
    let w = 0.35 - 0.7 * f64::from(weight.clamp(0.0, 1.0));
    let target = if normalise_target {
        normalise(target_embedding)
    } else {
        target_embedding.to_vec()
    };
    source
        .iter()
        .zip(&target)
        .map(|(&s, &t)| (f64::from(s) * (1.0 - w) + f64::from(t) * w) as f32)
        .collect()
}

/// What a cached photo embedding depends on: each photo's path, size and modification time, and
/// the recogniser's path. Equal keys mean the same embedding.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhotoSetKey {
    photos: Vec<(PathBuf, u64, Option<SystemTime>)>,
    recogniser: PathBuf,
}

impl PhotoSetKey {
    pub fn new(photos: &[PathBuf], recogniser: &Path) -> Result<PhotoSetKey, IdentityError> {
        let photos = photos
            .iter()
            .map(|p| {
                let meta = std::fs::metadata(p).map_err(|e| IdentityError::io(p, e))?;
                Ok((p.clone(), meta.len(), meta.modified().ok()))
            })
            .collect::<Result<_, IdentityError>>()?;
        Ok(PhotoSetKey {
            photos,
            recogniser: recogniser.to_path_buf(),
        })
    }
}

/// A shared, immutable embedding.
pub type SharedEmbedding = Arc<Vec<f32>>;

/// Reads a stored embedding: a `.json` array of 512 numbers, a NumPy `.npy` (little-endian
/// float32 or float64, shape (512,) or (1, 512)), or 2048 raw bytes of little-endian float32.
pub fn read_embedding_file(path: &Path) -> Result<Vec<f32>, IdentityError> {
    let bytes = std::fs::read(path).map_err(|e| IdentityError::io(path, e))?;
    let bad = |why: String| IdentityError::source(format!("{}: {why}", path.display()));
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let values: Vec<f32> = if ext.as_deref() == Some("json") {
        serde_json::from_slice::<Vec<f64>>(&bytes)
            .map_err(|e| bad(format!("expected a JSON array of numbers: {e}")))?
            .into_iter()
            .map(|v| v as f32)
            .collect()
    } else if bytes.starts_with(b"\x93NUMPY") {
        read_npy(&bytes).map_err(bad)?
    } else if bytes.len() == EMBEDDING_LEN * 4 {
        bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    } else {
        return Err(bad(format!(
            "not an embedding file: expected .json, .npy or {} raw float32 bytes, got {} bytes",
            EMBEDDING_LEN * 4,
            bytes.len()
        )));
    };
    if values.len() != EMBEDDING_LEN || values.iter().any(|v| !v.is_finite()) {
        return Err(bad(format!(
            "expected {EMBEDDING_LEN} finite numbers, got {} values",
            values.len()
        )));
    }
    Ok(values)
}

/// A NumPy `.npy` vector (format versions 1–3, little-endian `f4`/`f8`, C order).
fn read_npy(bytes: &[u8]) -> Result<Vec<f32>, String> {
    let major = *bytes.get(6).ok_or("truncated .npy header")?;
    let (len, start) = match major {
        1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        _ => return Err(format!("unsupported .npy version {major}")),
    };
    let header = bytes
        .get(start..start + len)
        .ok_or("truncated .npy header")?;
    let header = String::from_utf8_lossy(header);
    let descr = if header.contains("'<f4'") {
        4
    } else if header.contains("'<f8'") {
        8
    } else {
        return Err(format!(
            "expected little-endian float32 or float64 data, header {header}"
        ));
    };
    if header.contains("'fortran_order': True") {
        return Err("Fortran-ordered arrays are not supported".to_owned());
    }
    let data = &bytes[start + len..];
    if !data.len().is_multiple_of(descr) {
        return Err("the data is not a whole number of values".to_owned());
    }
    Ok(if descr == 4 {
        data.chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    } else {
        data.chunks_exact(8)
            .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]) as f32)
            .collect()
    })
}
