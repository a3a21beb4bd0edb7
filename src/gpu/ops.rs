//! Face Swap's per-pixel steps on the GPU: [`GpuOps`], the swap pipeline's [`PixelOps`]. The
//! frame goes up once per render (on first use); the detection view is reduced and converted
//! there, crops are warped and converted there, and pastes warp back, colour-match and blend
//! there. What travels: the detection view and the crops down (ONNX Runtime's providers read
//! host memory here), the model's face up, each face's patch down; the host layer writes the
//! output.

use std::sync::OnceLock;

use super::{blend, reduce, region, warp, Gpu, GpuFrame};
use crate::blend::gpu_twin::{check_rgb, Rect};
use crate::blend::{BlendError, BlendOutput, TargetCorrection};
use crate::colour::ColourSpace;
use crate::face::{paste_region, Region, Similarity};
use crate::frame::Patch;
use crate::swap::paste::{
    blend_settings, copy_region, overlaps, patch_of, CpuOps, Layer, PasteError, PasteSettings,
    PixelOps,
};
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

/// The per-pixel steps for one frame of a render: the render's own (for the frame it renders:
/// the frame is uploaded once), a frame's own on the GPU (temporal neighbours), or the CPU's.
pub enum FrameOps<'f> {
    Shared(&'f dyn PixelOps),
    Gpu(GpuOps<'f>),
    Cpu,
}

impl<'f> FrameOps<'f> {
    /// The steps for `frame`: `current.1` when `frame` is `current.0` (the rendered frame, whose
    /// steps they are), else `gpu`'s for `frame`, else the CPU's.
    pub fn for_frame(
        gpu: Option<&'static Gpu>,
        frame: &'f Frame,
        current: (&Frame, &'f dyn PixelOps),
    ) -> Self {
        match std::ptr::eq(frame, current.0) {
            true => FrameOps::Shared(current.1),
            false => Self::own(gpu, frame),
        }
    }

    /// `frame`'s own steps: on `gpu` when there is one, else on the CPU.
    pub fn own(gpu: Option<&'static Gpu>, frame: &'f Frame) -> Self {
        match gpu {
            Some(gpu) => FrameOps::Gpu(GpuOps::new(gpu, frame)),
            None => FrameOps::Cpu,
        }
    }

    pub fn get(&self) -> &dyn PixelOps {
        match self {
            FrameOps::Shared(ops) => *ops,
            FrameOps::Gpu(ops) => ops,
            FrameOps::Cpu => &CpuOps,
        }
    }
}

impl<'f> GpuOps<'f> {
    /// The rendered frame on the GPU, uploaded on first use.
    pub fn resident(&self) -> &GpuFrame<'static> {
        self.resident
            .get_or_init(|| GpuFrame::upload(self.gpu, self.frame))
    }

    /// What `record` makes from `frame` on the GPU, downloaded. `frame` is the resident
    /// upload when it is the rendered frame, else uploaded for this step alone.
    fn made_from(
        &self,
        frame: &Frame,
        record: impl FnOnce(&mut wgpu::CommandEncoder, &GpuFrame) -> GpuFrame<'static>,
    ) -> Frame {
        let other;
        let source = match std::ptr::eq(frame, self.frame) {
            true => self.resident(),
            false => {
                other = GpuFrame::upload(self.gpu, frame);
                &other
            }
        };
        let mut encoder = self.gpu.encoder();
        let made = record(&mut encoder, source);
        self.gpu.submit(encoder);
        made.download()
    }
}

impl PixelOps for GpuOps<'_> {
    fn warp_to_crop(&self, frame: &Frame, m: &Similarity, size: usize) -> Frame {
        let gpu = self.gpu;
        self.made_from(frame, |e, source| {
            warp::warp_to_crop(gpu, e, source, m, size)
        })
    }

    fn model_crop(&self, frame: &Frame, m: &Similarity, size: usize, space: ColourSpace) -> Frame {
        let gpu = self.gpu;
        self.made_from(frame, |e, source| {
            // The crop's buffer returns to the pool after the submit (see `super::buffers`).
            let crop = warp::warp_to_crop(gpu, e, source, m, size);
            reduce::to_model_domain(gpu, e, &crop, 1, space)
        })
    }

    fn detection_view(&self, frame: &Frame, factor: usize, space: ColourSpace) -> Frame {
        let gpu = self.gpu;
        self.made_from(frame, |e, source| {
            reduce::to_model_domain(gpu, e, source, factor, space)
        })
    }

    /// The crop goes up, is warped back into its region (coverage folded into alpha) and
    /// blended over the plate's region copied out of the resident frame (uploaded instead
    /// where earlier faces' patches overlap it), all on the GPU; only the patch comes back.
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
        let Some(region) = paste_region(m, crop.width(), plate.width(), plate.height()) else {
            return Ok(None);
        };
        // Uploads come before anything is recorded (see the pool rule in `super::buffers`).
        let on_cpu = (overlaps(earlier, region) || !std::ptr::eq(plate, self.frame))
            .then(|| copy_region(plate, earlier, region));
        let uploaded = on_cpu.as_ref().map(|under| GpuFrame::upload(gpu, under));
        let crop_on_gpu = GpuFrame::upload(gpu, crop);
        let resident = uploaded.is_none().then(|| self.resident());
        let mut encoder = gpu.encoder();
        let face = warp::warp_from_crop_masked(gpu, &mut encoder, &crop_on_gpu, m, region);
        let copied = resident.map(|f| region::copy_region(gpu, &mut encoder, f, region));
        gpu.submit(encoder);
        let under = uploaded
            .as_ref()
            .or(copied.as_ref())
            .expect("one of the two");
        // The CPU blend's checks of what it reads: the plate's region (as Source) and the face.
        let check = |work: Rect| {
            if settings.output == BlendOutput::MaskOnly {
                return Ok(());
            }
            match &on_cpu {
                Some(under) => check_rgb(under, "Source", work)?,
                None => check_rgb(plate, "Source", work.shifted(region.x0, region.y0))
                    .map_err(|e| unshift(e, region))?,
            }
            match crop
                .pixels()
                .iter()
                .all(|p| p[..3].iter().all(|v| v.is_finite()))
            {
                true => Ok(()),
                false => Err(BlendError::NonFinite {
                    clip: "Face",
                    x: 0,
                    y: 0,
                }),
            }
        };
        let blended =
            blend::blend_resident(gpu, under, Some(&face), None, &settings, target, check);
        patch_of(blended.map(|out| out.download()), region)
    }
}

/// A non-finite pixel's position made relative to `region` again.
fn unshift(e: BlendError, region: Region) -> BlendError {
    match e {
        BlendError::NonFinite { clip, x, y } => BlendError::NonFinite {
            clip,
            x: x - region.x0,
            y: y - region.y0,
        },
        e => e,
    }
}
