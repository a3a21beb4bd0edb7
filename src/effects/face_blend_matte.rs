//! Face Blend's detected-face mask: the outline of every face in Source, per frame or through
//! the temporal window (faces linked into tracks, smoothed, faded in and out at track ends).

use super::face_blend::{ids, FaceBlend};
use super::temporal::{self, AnalysisSettings};
use super::{ClipFetch, EffectError, InputFrame, ParamValues, RenderRequest};
use crate::colour::ColourSpace;
use crate::detect::DetectSettings;
use crate::face::outline::{outline, rasterise_faces};
use crate::face::Landmarks;
use crate::gpu::ops::FrameOps;
use crate::gpu::Gpu;
use crate::runtime::Device;
use crate::swap::engine::{load_detector, DetectorFinder};
use crate::swap::paste::PixelOps;
use crate::swap::select::FaceSelection;
use crate::swap::{ModelFrame, SwapError};
use crate::Frame;

fn fail(e: impl std::fmt::Display) -> EffectError {
    EffectError(format!("Face Blend: {e}"))
}

/// The outline of every face detected in Source, as a matte in Source's placement; `None` when
/// no face is found. With a temporal radius (and not for thumbnails) the faces are those of the
/// window around the render time, smoothed, each weighted by its fade. Detection views are
/// made by `source_ops` for Source (the render's), and on `gpu` (when given) for neighbours.
pub fn detected_face_matte(
    source: &InputFrame,
    request: &RenderRequest,
    clips: &mut dyn ClipFetch,
    (gpu, source_ops): (Option<&'static Gpu>, &dyn PixelOps),
) -> Result<Option<InputFrame>, EffectError> {
    let params = &request.params;
    let text = params.text(ids::DETECTOR).trim();
    let path = (!text.is_empty()).then(|| std::path::Path::new(text));
    let detect = DetectSettings::default();
    let finder = DetectorFinder {
        detector: load_detector(path, Device::Auto).map_err(fail)?,
        settings: detect,
    };
    let space = colour_space(params);
    let (w, h) = source.frame.size();
    let mut matte = Frame::new(w, h);
    let radius = FaceBlend::temporal_radius(params);
    if radius == 0 || request.thumbnail {
        let faces = ModelFrame::with_ops(&source.frame, space, source_ops)
            .find_faces(&finder)
            .map_err(|e: SwapError| fail(e))?;
        let landmarks: Vec<Landmarks> = faces.iter().map(|f| f.landmarks).collect();
        rasterise_faces(&mut matte, &landmarks);
    } else {
        let key = AnalysisSettings {
            detector: path,
            cpu_only: gpu.is_none(),
            threshold: detect.score_threshold,
            min_face_px: detect.min_face_px,
            render_scale: request.render_scale,
            colour_space: space,
            recogniser: None,
        }
        .hash();
        let analyse = |frame: &Frame| {
            let frame_ops = FrameOps::for_frame(gpu, frame, (&source.frame, source_ops));
            temporal::analyse(frame, frame_ops.get(), &finder, space, false)
        };
        let window = temporal::window_analyses(source, request.time, radius, key, clips, &analyse)
            .map_err(|e| fail(e.0))?;
        for face in temporal::smoothed_faces(&window, radius, FaceSelection::All, None) {
            rasterise_weighted(&mut matte, &face.face.landmarks, face.fade);
        }
    }
    if matte.pixels().iter().all(|p| p[3] <= 0.0) {
        return Ok(None);
    }
    Ok(Some(InputFrame {
        frame: matte,
        placement: source.placement,
    }))
}

fn colour_space(params: &ParamValues) -> ColourSpace {
    match params.choice(ids::COLOUR_SPACE) {
        1 => ColourSpace::Srgb,
        _ => ColourSpace::Linear,
    }
}

/// Adds (max) one face's outline coverage times `weight` (0..1) into `matte`: the face is
/// rasterised into a scratch frame around its outline, not the whole frame.
fn rasterise_weighted(matte: &mut Frame, landmarks: &Landmarks, weight: f32) {
    let weight = weight.clamp(0.0, 1.0);
    if weight <= 0.0 {
        return;
    }
    if weight >= 1.0 {
        rasterise_faces(matte, std::slice::from_ref(landmarks));
        return;
    }
    let Some(poly) = outline(landmarks) else {
        return;
    };
    let (w, h) = matte.size();
    let (mut x0, mut y0, mut x1, mut y1) = (f64::INFINITY, f64::INFINITY, 0.0f64, 0.0f64);
    for &(x, y) in &poly {
        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
    }
    // Integer corners, a margin for the anti-aliased edge, clipped to the frame.
    let clip = |v: f64, max: usize| (v.max(0.0) as usize).min(max);
    let (left, top) = (clip(x0.floor() - 2.0, w), clip(y0.floor() - 2.0, h));
    let (right, bottom) = (clip(x1.ceil() + 3.0, w), clip(y1.ceil() + 3.0, h));
    if right <= left || bottom <= top {
        return;
    }
    let mut scratch = Frame::new(right - left, bottom - top);
    let shifted = Landmarks::new(
        landmarks
            .points()
            .map(|(x, y)| (x - left as f64, y - top as f64)),
    );
    rasterise_faces(&mut scratch, &[shifted]);
    for y in 0..scratch.height() {
        for x in 0..scratch.width() {
            let a = scratch.pixel(x, y)[3] * weight;
            let p = matte.pixel(left + x, top + y);
            if a > p[3] {
                matte.set_pixel(left + x, top + y, [a, a, a, a]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::face::Template;

    #[test]
    fn a_weighted_face_is_the_full_outline_scaled() {
        let t = Template::Ffhq512.normalised();
        let face = Landmarks::new(t.map(|(u, v)| (37.3 + u * 180.0, 21.8 + v * 180.0)));
        let mut full = Frame::new(240, 200);
        rasterise_faces(&mut full, &[face]);
        let mut half = Frame::new(240, 200);
        rasterise_weighted(&mut half, &face, 0.5);
        let worst = full
            .pixels()
            .iter()
            .zip(half.pixels())
            .map(|(f, h)| (f[3] * 0.5 - h[3]).abs())
            .fold(0.0, f32::max);
        assert!(full.pixels().iter().any(|p| p[3] == 1.0));
        assert!(worst < 1e-4, "off by {worst}");
        // Full weight is the plain outline; zero adds nothing.
        let mut one = Frame::new(240, 200);
        rasterise_weighted(&mut one, &face, 1.0);
        rasterise_weighted(&mut one, &face, 0.0);
        assert_eq!(one, full);
    }
}
