//! Face Swap's per-pixel steps on the GPU: [`GpuOps`], the swap pipeline's
//! [`PixelOps`] whose crops are warped from the frame uploaded once per render and whose
//! pastes warp back and blend (colour match, composite) on the GPU. Only crops and the faces'
//! regions travel; the frame goes up once and the output is written by the host layer.

use std::sync::OnceLock;

use super::{blend, warp, Gpu, GpuFrame};
use crate::blend::TargetCorrection;
use crate::face::Similarity;
use crate::frame::Patch;
use crate::swap::paste::{blend_settings, paste_with, Layer, PasteError, PasteSettings, PixelOps};
use crate::Frame;

/// The GPU [`PixelOps`] for one render of `frame`.
pub struct GpuOps<'f> {
    gpu: &'static Gpu,
    frame: &'f Frame,
    /// `frame` on the GPU, uploaded with the first crop (a frame without faces never is).
    resident: OnceLock<GpuFrame<'static>>,
}

impl<'f> GpuOps<'f> {
    /// The GPU steps of a render whose crops come from `frame`.
    pub fn new(gpu: &'static Gpu, frame: &'f Frame) -> Self {
        GpuOps {
            gpu,
            frame,
            resident: OnceLock::new(),
        }
    }
}

impl PixelOps for GpuOps<'_> {
    fn warp_to_crop(&self, frame: &Frame, m: &Similarity, size: usize) -> Frame {
        let gpu = self.gpu;
        let mut encoder = gpu.encoder();
        let other;
        let source = if std::ptr::eq(frame, self.frame) {
            self.resident.get_or_init(|| GpuFrame::upload(gpu, frame))
        } else {
            other = GpuFrame::upload(gpu, frame);
            &other
        };
        let crop = warp::warp_to_crop(gpu, &mut encoder, source, m, size);
        gpu.submit(encoder);
        crop.download()
    }

    fn paste(
        &self,
        plate: &Frame,
        earlier: &[Patch],
        crop: &Frame,
        m: &Similarity,
        settings: &PasteSettings,
        target: Option<&TargetCorrection>,
        layer: Layer,
    ) -> Result<Option<Patch>, PasteError> {
        let gpu = self.gpu;
        let settings = blend_settings(settings, layer);
        paste_with(
            plate,
            earlier,
            crop.width(),
            m,
            |region| {
                let crop = GpuFrame::upload(gpu, crop);
                let mut encoder = gpu.encoder();
                let (face, inside) = warp::warp_from_crop(gpu, &mut encoder, &crop, m, region);
                gpu.submit(encoder);
                (face.download(), inside.download())
            },
            |under, face| blend::blend_towards(gpu, under, face, None, &settings, target),
        )
    }
}
