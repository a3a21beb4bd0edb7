//! Face Blend on the GPU: the twin of [`crate::blend::blend_towards`], chaining the colour
//! match's statistics ([`super::colour_stats`], [`super::quantiles`]), its per-pixel transfer
//! ([`super::colour_apply`]) and the composite ([`super::composite`]).
//!
//! The masks are built on the GPU too ([`super::blend_masks`]: raw mask, erode/dilate, invert,
//! feather, supports); the seamless step is [`super::poisson::seamless`]. The checks run in the
//! CPU blend's order, with its errors: parameters, sizes and the Matte on the CPU
//! (`gpu_twin::check_inputs`), then a non-finite alpha and an empty mask from the mask
//! readbacks, then Source's and Face's RGB over the work rectangle (support + 1 px) on the CPU
//! (`gpu_twin::check_work`). That check stays on the CPU: it reads at most the pixels the
//! uploads read anyway, once, in vectorised rows on every core (branch-free, memory-bound), and
//! needs no shader, dispatch or readback of its own.
//! The readbacks are the only waits: the masks' three of 16 bytes, then the statistics' (a few
//! hundred bytes per 1024 samples).
//!
//! Against the CPU blend, on lavapipe: tests_colour.rs (every colour match × Linear / sRGB ×
//! output, with and without a target correction, an ellipse mask) within 1.1e-6 (Reinhard),
//! 3.6e-7 (Linear, Histogram), 2.4e-7 (no colour match: the masks' own rounding), held to 2e-5;
//! tests_blend.rs (Face alpha / Matte / Ellipse × erode / dilate × feather 0 / 30 × invert ×
//! seamless) within 1.2e-6, 2.2e-6 with the seamless step, held to the GPU path's 1e-4.

pub(crate) use super::blend_masks::GpuMasks;
use super::colour_apply::{record_apply, Transfer};
use super::colour_stats::{self, Grid};
use super::composite::{record_base, record_composite, record_mask_only};
use super::quantiles::quantile_tables;
use super::{blend_masks, Gpu, GpuFrame, GpuPlane};
use crate::blend::gpu_twin::{self, Rect, QUANTILES};
use crate::blend::{
    BlendError, BlendOutput, BlendSettings, ColourMatch, MaskSource, TargetCorrection,
};
use crate::face::Region;
use crate::Frame;

/// [`crate::blend::blend_towards`] with every per-pixel step on `gpu`: the same checks and
/// errors, the masks, the colour match's statistics and transfer, the seamless step and the
/// composite.
pub fn blend_towards(
    gpu: &Gpu,
    source: &Frame,
    face: &Frame,
    matte: Option<&Frame>,
    settings: &BlendSettings,
    target: Option<&TargetCorrection>,
) -> Result<Frame, BlendError> {
    blend_towards_resident(gpu, source, None, face, matte, settings, target)
}

/// [`blend_towards`] with Source already on the GPU when `resident` holds it (uploaded by the
/// render's [`super::ops::GpuOps`] for detection), so it goes up once.
pub fn blend_towards_resident(
    gpu: &Gpu,
    source: &Frame,
    resident: Option<&GpuFrame>,
    face: &Frame,
    matte: Option<&Frame>,
    settings: &BlendSettings,
    target: Option<&TargetCorrection>,
) -> Result<Frame, BlendError> {
    let matte = gpu_twin::check_inputs(source, face, matte, settings)?;
    // Face is on the GPU when its alpha is the mask or its colours are blended.
    let face_on_gpu = face_needed(settings).then(|| GpuFrame::upload(gpu, face));
    if let Some(r) = resident {
        assert_eq!((r.width, r.height), source.size(), "Source's own upload");
    }
    let uploaded = resident.is_none().then(|| GpuFrame::upload(gpu, source));
    let on_gpu = resident.or(uploaded.as_ref()).expect("one of the two");
    let check = |work| gpu_twin::check_work(source, face, settings, work);
    blend_resident(
        gpu,
        on_gpu,
        face_on_gpu.as_ref(),
        matte,
        settings,
        target,
        check,
    )
    .map(|out| out.download())
}

/// Whether a blend reads Face: for its alpha as the mask, or for its colours.
pub(crate) fn face_needed(settings: &BlendSettings) -> bool {
    settings.output != BlendOutput::MaskOnly || matches!(settings.mask, MaskSource::FaceAlpha)
}

/// [`blend_towards`] on frames already on the GPU (`face` present when [`face_needed`]),
/// leaving the result there. Sizes and the Matte are the caller's to check first; `check_work`
/// checks Source's and Face's RGB over the work rectangle once the masks are known.
pub(crate) fn blend_resident<'g>(
    gpu: &'g Gpu,
    source: &GpuFrame,
    face: Option<&GpuFrame>,
    matte: Option<&Frame>,
    settings: &BlendSettings,
    target: Option<&TargetCorrection>,
    check_work: impl FnOnce(Rect) -> Result<(), BlendError>,
) -> Result<GpuFrame<'g>, BlendError> {
    let (w, h) = (source.width, source.height);
    let mask_only = settings.output == BlendOutput::MaskOnly;
    let masks = blend_masks::build(gpu, face, matte, settings, w, h)?;
    let work = masks.support.expand(1, w, h);
    check_work(work)?;
    let mix = settings.mix.clamp(0.0, 1.0);
    let on_gpu = source;
    let out = GpuFrame::new(gpu, w, h);
    if mask_only {
        let mut encoder = gpu.encoder();
        record_base(&mut encoder, on_gpu, &out, true);
        record_mask_only(gpu, &mut encoder, &out, masks.fin(), masks.support, mix);
        gpu.submit(encoder);
        return Ok(out);
    }
    let face_on_gpu = face.expect("on the GPU for the colour steps");
    let matched = matched_face(gpu, settings, on_gpu, face_on_gpu, &masks, work, target);
    let mut encoder = gpu.encoder();
    // Held until the encoder is submitted: the solve's buffers must not be reused before.
    let solved = settings.seamless.then(|| {
        let region = |r: Rect| Region {
            x0: r.x0,
            y0: r.y0,
            x1: r.x1,
            y1: r.y1,
        };
        let (work, support) = (region(work), region(masks.support));
        super::poisson::seamless(
            gpu,
            &mut encoder,
            on_gpu,
            &matched,
            masks.fin(),
            work,
            support,
        )
    });
    let matched = solved.as_ref().map_or(&matched, |s| &s.face);
    let face_only = settings.output == BlendOutput::FaceOnly;
    record_base(&mut encoder, on_gpu, &out, face_only);
    record_composite(
        gpu,
        &mut encoder,
        &out,
        masks.fin(),
        matched,
        masks.support,
        work,
        mix,
        face_only,
    );
    gpu.submit(encoder);
    Ok(out)
}

/// Face over `work` (a `work`-sized frame) with `settings`' colour match fitted so that Face's
/// colours inside the core mask match Source's there (Source's statistics first mapped through
/// `target`), applied where the composite (and the seamless step) needs it: the GPU twin of
/// `matched_face` of src/blend/colour_match.rs.
pub(crate) fn matched_face<'g>(
    gpu: &'g Gpu,
    settings: &BlendSettings,
    source: &GpuFrame,
    face: &GpuFrame,
    masks: &GpuMasks,
    work: Rect,
    target: Option<&TargetCorrection>,
) -> GpuFrame<'g> {
    let (mode, space) = (settings.colour_match, settings.colour_space);
    let grid = Grid::over(masks.core_support);
    let mut tables = None;
    let transfer = match mode {
        ColourMatch::None => Transfer::Copy,
        ColourMatch::Reinhard | ColourMatch::Linear => {
            match colour_stats::moments(gpu, mode, space, source, face, &masks.core, grid) {
                Some(m) => Transfer::Fitted(gpu_twin::fit_moments(mode, m.source, m.face, target)),
                None => Transfer::Copy,
            }
        }
        ColourMatch::Histogram => match quantile_tables(gpu, source, face, &masks.core, grid) {
            Some(t) => {
                // The curves map Face's quantiles (first) onto Source's, corrected.
                let (src, fce) = t.split_at(3 * QUANTILES);
                let mut curves = fce.to_vec();
                for (c, table) in src.chunks(QUANTILES).enumerate() {
                    let mut table = table.to_vec();
                    gpu_twin::correct_quantiles(&mut table, c, target);
                    curves.extend(table);
                }
                Transfer::Curves(
                    tables
                        .insert(GpuPlane::upload(gpu, curves.len(), 1, &curves))
                        .buffer(),
                )
            }
            None => Transfer::Copy,
        },
    };
    let matched = GpuFrame::new(gpu, work.width(), work.height());
    let mut encoder = gpu.encoder();
    record_apply(
        gpu,
        &mut encoder,
        face,
        masks.fin(),
        work,
        settings.seamless,
        space,
        &transfer,
        &matched,
    );
    gpu.submit(encoder);
    matched
}
