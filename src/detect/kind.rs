//! Recognising a detector family from its outputs, and what each family wants as pixels.

use super::Normalise;
use crate::onnx::{DataType, Dim, ValueInfo};
use crate::runtime::{ElemType, IoSpec};

/// The detector families Doppel reads, told apart by their outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DetectorKind {
    CenterFace,
    /// SCRFD and RetinaFace (insightface originals and FaceFusion re-exports).
    Scrfd,
    YuNet,
    YoloFace,
}

impl DetectorKind {
    /// Recognises a detector from its declared outputs, or `None`.
    pub fn recognise(outputs: &[IoSpec]) -> Option<DetectorKind> {
        let last: Vec<Option<usize>> = outputs
            .iter()
            .map(|o| o.shape.last().copied().flatten())
            .collect();
        let is = |pattern: &[(usize, usize)]| {
            let want = pattern
                .iter()
                .flat_map(|&(v, n)| std::iter::repeat_n(Some(v), n));
            last.iter().copied().eq(want)
        };
        let channels: Vec<Option<usize>> = outputs
            .iter()
            .map(|o| if o.shape.len() == 4 { o.shape[1] } else { None })
            .collect();
        if channels == [Some(1), Some(2), Some(2), Some(10)] {
            Some(DetectorKind::CenterFace)
        } else if outputs.len() == 1
            && outputs[0].shape.len() == 3
            && outputs[0].shape[1] == Some(20)
        {
            Some(DetectorKind::YoloFace)
        } else if is(&[(1, 6), (4, 3), (10, 3)]) {
            Some(DetectorKind::YuNet)
        } else if is(&[(1, 3), (4, 3), (10, 3)]) || is(&[(1, 5), (4, 5), (10, 5)]) {
            Some(DetectorKind::Scrfd)
        } else {
            None
        }
    }

    pub(super) fn normalise(self) -> Normalise {
        match self {
            DetectorKind::CenterFace => Normalise {
                bgr: false,
                mean: 0.0,
                std: 1.0,
            },
            DetectorKind::Scrfd => Normalise {
                bgr: false,
                mean: 127.5,
                std: 128.0,
            },
            DetectorKind::YuNet => Normalise {
                bgr: true,
                mean: 0.0,
                std: 1.0,
            },
            DetectorKind::YoloFace => Normalise {
                bgr: false,
                mean: 0.0,
                std: 255.0,
            },
        }
    }
}

/// A declared graph value as an [`IoSpec`] (for recognising a model before building a session).
pub(super) fn declared_spec(v: &ValueInfo) -> IoSpec {
    let shape = v.shape.as_ref().map_or_else(Vec::new, |dims| {
        dims.iter()
            .map(|d| match d {
                Dim::Fixed(n) => usize::try_from(*n).ok(),
                _ => None,
            })
            .collect()
    });
    let elem = match v.elem_type {
        Some(DataType::FLOAT) => ElemType::F32,
        Some(DataType::DOUBLE) => ElemType::F64,
        Some(DataType::FLOAT16) => ElemType::F16,
        Some(DataType::INT64) => ElemType::I64,
        _ => ElemType::Other,
    };
    IoSpec {
        name: v.name.clone(),
        shape,
        elem,
    }
}
