//! Face Blend's two masks built on the GPU (no shader of its own): the chain of
//! `crate::blend`'s `masks` step for step — the raw mask from Face's alpha, the Matte's alpha
//! ([`super::mask_shapes::from_alpha`]) or the ellipse ([`super::mask_shapes::ellipse`]), the
//! erode/dilate ([`super::morphology::erode_dilate`]), the invert
//! ([`super::mask_shapes::invert`]): the *core* mask; then the feather
//! ([`super::blur::feather`], σ = feather / 2): the *final* mask. Whole-frame planes, zero
//! outside their supports, where the CPU keeps only their rectangles (the same values).
//!
//! One encoder records the chain and the two supports' searches; after its submission three
//! 16-byte readbacks tell the rest: the first non-finite alpha (the CPU's `NonFinite` error,
//! checked first as the CPU does), then the core's and the final mask's bounding boxes (an
//! empty final mask is the CPU's `EmptyMask`). A zero erode and a zero feather record nothing
//! (the CPU's steps return their input too).
//!
//! Agreement: each step's own bound (erode/dilate 3e-7 to 6e-7, feather 3e-7, ellipse 1.3e-7,
//! alpha and invert exact); measured within 4.8e-7 on the blend's masks (tests_blend.rs), held
//! to 2e-6. The final mask is zero exactly where the CPU's is, and the supports are the CPU's:
//! the seamless step solves on Ω = {final > 0}, and one pixel of 3e-9 missing from Ω moved a
//! solve by 1.4e-3 (hence the blur's floor on non-empty box windows, see [`super::blur`]).

use super::blur::feather;
use super::mask_shapes::{ellipse, from_alpha, invert, support};
use super::morphology::erode_dilate;
use super::{Gpu, GpuFrame, GpuPlane};
use crate::blend::gpu_twin::Rect;
use crate::blend::{BlendError, BlendSettings, MaskSource};
use crate::Frame;

/// The blend's two masks on the GPU: full-frame planes (zero outside their supports).
pub(crate) struct GpuMasks<'g> {
    /// The core mask (colour statistics weights) and the bounding box of its non-zero values.
    pub core: GpuPlane<'g>,
    pub core_support: Rect,
    /// The final (feathered) mask; `None` when it is the core itself (no feather).
    feathered: Option<GpuPlane<'g>>,
    /// The final mask's support.
    pub support: Rect,
}

impl<'g> GpuMasks<'g> {
    /// The final (feathered) mask.
    pub fn fin(&self) -> &GpuPlane<'g> {
        self.feathered.as_ref().unwrap_or(&self.core)
    }

    /// The CPU's masks on the GPU (tests feed the colour steps with them).
    #[cfg(test)]
    pub fn upload(
        gpu: &'g Gpu,
        core: &crate::blend::gpu_twin::Plane,
        fin: &crate::blend::gpu_twin::Plane,
        width: usize,
        height: usize,
    ) -> Self {
        let full = |plane: &crate::blend::gpu_twin::Plane| {
            let mut values = vec![0.0f32; width * height];
            let r = plane.rect;
            for (y, line) in (r.y0..r.y1).zip(plane.data.chunks(r.width().max(1))) {
                values[y * width + r.x0..][..r.width()].copy_from_slice(line);
            }
            GpuPlane::upload(gpu, width, height, &values)
        };
        GpuMasks {
            core: full(core),
            core_support: core.support(),
            feathered: Some(full(fin)),
            support: fin.support(),
        }
    }
}

/// Builds the masks of `settings` for a `width × height` blend as the CPU's `masks` does,
/// failing as it does: a non-finite alpha of the mask's clip (`face`, already on the GPU, or
/// `matte`, uploaded here), then an empty final mask. `matte` must be given when the mask is
/// the Matte ([`crate::blend::gpu_twin::check_inputs`] has made sure of it); `face` may be
/// `None` unless the mask is Face's alpha.
pub(crate) fn build<'g>(
    gpu: &'g Gpu,
    face: Option<&GpuFrame>,
    matte: Option<&Frame>,
    settings: &BlendSettings,
    width: usize,
    height: usize,
) -> Result<GpuMasks<'g>, BlendError> {
    let (w, h) = (width, height);
    // Uploaded before anything is recorded (see the pool rule of `super::buffers`).
    let matte = match settings.mask {
        MaskSource::Matte => Some(GpuFrame::upload(
            gpu,
            matte.expect("a Matte for a Matte mask"),
        )),
        _ => None,
    };
    let mut encoder = gpu.encoder();
    let raw = GpuPlane::new(gpu, w, h);
    let alpha = match settings.mask {
        MaskSource::FaceAlpha => {
            let face = face.expect("Face on the GPU for a Face alpha mask");
            Some(("Face", from_alpha(gpu, &mut encoder, face, &raw)))
        }
        MaskSource::Matte => {
            let matte = matte.as_ref().expect("uploaded above");
            Some(("Matte", from_alpha(gpu, &mut encoder, matte, &raw)))
        }
        MaskSource::Ellipse(e) => {
            ellipse(gpu, &mut encoder, &e, &raw);
            None
        }
    };
    // Planes replaced below go back to the pool, reusable after the submission.
    let mut core = raw;
    if settings.erode_px != 0.0 {
        let moved = GpuPlane::new(gpu, w, h);
        erode_dilate(gpu, &mut encoder, &core, settings.erode_px, &moved);
        core = moved;
    }
    if settings.invert {
        let inverted = GpuPlane::new(gpu, w, h);
        invert(gpu, &mut encoder, &core, &inverted);
        core = inverted;
    }
    let sigma = f64::from(settings.feather_px.max(0.0)) / 2.0;
    let feathered = (sigma > 0.0).then(|| {
        let fin = GpuPlane::new(gpu, w, h);
        feather(gpu, &mut encoder, &core, sigma, &fin);
        fin
    });
    let core_check = support(gpu, &mut encoder, &core);
    let fin_check = feathered
        .as_ref()
        .map(|fin| support(gpu, &mut encoder, fin));
    gpu.submit(encoder);
    drop(matte);

    if let Some((clip, check)) = alpha {
        if let Some((x, y)) = check.first_non_finite(gpu) {
            return Err(BlendError::NonFinite { clip, x, y });
        }
    }
    let rect = |bounds: Option<(std::ops::Range<usize>, std::ops::Range<usize>)>| {
        bounds.map_or(Rect::EMPTY, |(x, y)| Rect {
            x0: x.start,
            y0: y.start,
            x1: x.end,
            y1: y.end,
        })
    };
    let core_support = rect(core_check.bounds(gpu));
    let support = match &fin_check {
        Some(check) => rect(check.bounds(gpu)),
        None => core_support,
    };
    if support.is_empty() {
        return Err(BlendError::EmptyMask);
    }
    Ok(GpuMasks {
        core,
        core_support,
        feathered,
        support,
    })
}
