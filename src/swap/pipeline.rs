//! The per-frame swap: find and select faces ([`swap_frame`]), or take faces chosen elsewhere
//! ([`swap_faces`], e.g. smoothed over time), then align, run the model and paste back.

use super::mask::{box_mask_cached, combine_min};
use super::paste::{Layer, PasteSettings, PixelOps};
use super::select::select;
use super::{
    boost_factor, debug, CropSwapper, FaceFinder, FoundFace, ModelFrame, SwapError, SwapOutput,
    SwapReport, SwapResult, SwapSettings,
};
use crate::blend::TargetCorrection;
use crate::colour::ColourSpace;
use crate::face::{align, boost_merge, boost_split, Similarity};
use crate::frame::Patch;
use crate::Frame;

/// A face to swap and how strongly: `strength` multiplies the paste strength (a temporal
/// fade; 1 for a per-frame pick).
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    pub face: FoundFace,
    pub strength: f32,
    /// Corrects the plate statistics the colour match aims at, towards their smooth over the
    /// face's track; `None` (a per-frame pick) matches the frame's own.
    pub colour_target: Option<TargetCorrection>,
}

/// Swaps the chosen faces of `frame` (in `settings.paste.colour_space`): finds the faces,
/// selects them and hands them to [`swap_faces`].
pub fn swap_frame(
    frame: &Frame,
    finder: &dyn FaceFinder,
    swapper: &dyn CropSwapper,
    ops: &dyn PixelOps,
    settings: &SwapSettings,
) -> Result<(SwapResult, SwapReport), SwapError> {
    let model = ModelFrame::with_ops(frame, settings.paste.colour_space, ops);
    let faces = model.find_faces(finder)?;
    let boxes: Vec<[f32; 4]> = faces.iter().map(|f| f.bbox).collect();
    let chosen = select(&boxes, settings.selection, |i| {
        finder.reference_distance(&model, &faces[i])
    });
    let picks: Vec<Pick> = chosen
        .iter()
        .map(|&i| Pick {
            face: faces[i].clone(),
            strength: 1.0,
            colour_target: None,
        })
        .collect();
    swap_faces(&model, &faces, &picks, swapper, settings)
}

/// Swaps faces chosen elsewhere (per frame by [`swap_frame`], or smoothed over time):
/// `detected` are the frame's own detections (for the report and the debug view), `picks`
/// the faces to swap, in order. The per-pixel work is `model`'s ops'.
pub fn swap_faces(
    model: &ModelFrame,
    detected: &[FoundFace],
    picks: &[Pick],
    swapper: &dyn CropSwapper,
    settings: &SwapSettings,
) -> Result<(SwapResult, SwapReport), SwapError> {
    let (frame, ops) = (model.frame, model.ops());
    let mut report = SwapReport {
        faces_found: detected.len(),
        faces_swapped: 0,
    };
    if settings.output == SwapOutput::Debug {
        let mut out = frame.clone();
        // Detections, marked where picked; picks that are no detection (smoothed) on top.
        let mut marks: Vec<bool> = detected
            .iter()
            .map(|f| picks.iter().any(|p| p.face == *f))
            .collect();
        let mut drawn: Vec<_> = detected.iter().map(|f| (f.bbox, f.landmarks)).collect();
        for p in picks.iter().filter(|p| !detected.contains(&p.face)) {
            drawn.push((p.face.bbox, p.face.landmarks));
            marks.push(true);
        }
        debug::draw(&mut out, &drawn, &marks);
        return Ok((SwapResult::Frame(out), report));
    }
    let layer = match settings.output {
        SwapOutput::FaceOnly => Layer::FaceOnly,
        SwapOutput::MaskOnly => Layer::MaskOnly,
        _ => Layer::Composite,
    };
    let mut patches = Vec::new();
    for pick in picks {
        if pick.strength <= 0.0 {
            continue;
        }
        let Some((crop, m)) = swap_face(model, &pick.face, swapper, settings)? else {
            continue;
        };
        let paste = PasteSettings {
            strength: settings.paste.strength * pick.strength.min(1.0),
            ..settings.paste
        };
        let crop = to_host_encoding(crop, settings.paste.colour_space);
        // Later faces blend over earlier ones only in the composite.
        let earlier: &[Patch] = if layer == Layer::Composite {
            &patches
        } else {
            &[]
        };
        let patch = ops
            .paste(
                frame,
                earlier,
                &crop,
                &m,
                &paste,
                pick.colour_target.as_ref(),
                layer,
            )
            .map_err(|e| SwapError(format!("pasting the swapped face failed: {}", e.0)))?;
        if let Some(patch) = patch {
            patches.push(patch);
            report.faces_swapped += 1;
        }
    }
    let result = match layer {
        Layer::Composite => SwapResult::Patches(patches),
        _ => SwapResult::Frame(merge_layers(frame.width(), frame.height(), &patches, layer)),
    };
    Ok((result, report))
}

/// Face-only patches composited "over" each other, or masks max-combined, on a clear frame.
fn merge_layers(width: usize, height: usize, patches: &[Patch], layer: Layer) -> Frame {
    let mut out = Frame::new(width, height);
    for patch in patches {
        for y in 0..patch.pixels.height() {
            let row = &mut out.row_mut(patch.y + y)[patch.x..patch.x + patch.pixels.width()];
            for (t, o) in row.iter_mut().zip(patch.pixels.row(y)) {
                *t = match layer {
                    Layer::MaskOnly => [
                        t[0].max(o[0]),
                        t[1].max(o[1]),
                        t[2].max(o[2]),
                        t[3].max(o[3]),
                    ],
                    _ => {
                        let keep = 1.0 - o[3];
                        [
                            o[0] + t[0] * keep,
                            o[1] + t[1] * keep,
                            o[2] + t[2] * keep,
                            o[3] + t[3] * keep,
                        ]
                    }
                };
            }
        }
    }
    out
}

/// Runs the model on one face: returns the swapped crop (alpha = paste mask) and the
/// frame→crop similarity, or `None` for a face whose landmarks cannot be aligned.
pub(crate) fn swap_face(
    view: &ModelFrame,
    face: &FoundFace,
    swapper: &dyn CropSwapper,
    settings: &SwapSettings,
) -> Result<Option<(Frame, Similarity)>, SwapError> {
    let (template, size) = (swapper.template(), swapper.crop_size());
    let k = boost_factor(settings.pixel_boost, template, size, &face.landmarks);
    let Some(m) = align(&face.landmarks, template, size * k) else {
        return Ok(None);
    };
    let crop = view.crop(&m, size * k);
    // Judged on the target, before the swap: what covers the face, which parts are face.
    let full = size * k;
    let extra = swapper.extra_masks(&crop)?;
    if let Some(bad) = extra.iter().find(|e| e.len() != full * full) {
        return Err(SwapError(format!(
            "a mask model returned {} values for a {full}×{full} crop",
            bad.len()
        )));
    }
    let parts = if k == 1 {
        vec![crop]
    } else {
        boost_split(&crop, k).map_err(|e| SwapError(format!("{e:?}")))?
    };
    let mut faces = Vec::with_capacity(parts.len());
    let mut masks = Vec::with_capacity(parts.len());
    for part in &parts {
        let out = swapper.swap(part, view, face)?;
        if (out.face.width(), out.face.height()) != (size, size) {
            return Err(SwapError(format!(
                "the swap model returned a {}×{} face for a {size}×{size} crop",
                out.face.width(),
                out.face.height()
            )));
        }
        let finite = |p: &[f32; 4]| p[..3].iter().all(|v| v.is_finite());
        if !out.face.pixels().iter().all(finite) {
            return Err(SwapError(
                "the swap model returned NaN or infinite values".into(),
            ));
        }
        if let Some(mask) = out.mask {
            masks.push(Frame::from_fn(size, size, |x, y| [mask[y * size + x]; 4]));
        }
        faces.push(out.face);
    }
    let merge = |parts: &[Frame]| {
        if k == 1 {
            Ok(parts[0].clone())
        } else {
            boost_merge(parts, k)
        }
    };
    let mut swapped = merge(&faces).map_err(|e| SwapError(format!("{e:?}")))?;
    let box_mask = box_mask_cached(full, &settings.box_mask);
    let learned = if settings.learned_masks && masks.len() == faces.len() {
        let merged = merge(&masks).map_err(|e| SwapError(format!("{e:?}")))?;
        Some(
            merged
                .pixels()
                .iter()
                .map(|p| p[0].clamp(0.0, 1.0))
                .collect::<Vec<f32>>(),
        )
    } else {
        None
    };
    let mut all: Vec<&[f32]> = vec![&box_mask];
    all.extend(learned.as_deref());
    all.extend(extra.iter().map(Vec::as_slice));
    let mask = combine_min(&all);
    for (p, a) in swapped.pixels_mut().iter_mut().zip(&mask) {
        p[3] = *a;
    }
    Ok(Some((swapped, m)))
}

/// Model output (sRGB-encoded) back to the host's encoding; alpha kept.
fn to_host_encoding(mut crop: Frame, space: ColourSpace) -> Frame {
    if space == ColourSpace::Linear {
        for p in crop.pixels_mut() {
            for c in p.iter_mut().take(3) {
                *c = crate::colour::srgb_decode(*c);
            }
        }
    }
    crop
}
