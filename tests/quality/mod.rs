//! The material and measurement of the Face Swap quality tests: quality.md's synthetic 1080p
//! clips served lazily to the host, Face Swap instances set up for them, and the alignment each
//! render applied, read back from its "Mask only" output.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use super::common::*;
use doppel::face::{Similarity, Template};
use doppel::quality::alignment::{alignment_points, applied_alignment, frame_moments, CropMoments};
use doppel::quality::clip::{Motion, Shot, SyntheticClip};
use doppel::quality::{colour_mismatch, synthetic_plate, Mismatch};
use doppel::swap::mask::{box_mask, BoxMask};
use doppel::Frame;
use doppel_host::{ClipSource, Clips, HostImage, HostProfile, Instance, ParamValue};

pub const FACE_SWAP: &str = "com.doppel.FaceSwap";
pub const FILTER: &str = "OfxImageEffectContextFilter";
pub const W: usize = 1920;
pub const H: usize = 1080;
pub const FRAMES: usize = 72;
/// The stand-in swapper's conventions (its `doppel.template` and `doppel.crop_size`).
pub const TEMPLATE: Template = Template::Arcface128;
pub const CROP: usize = 128;
/// Mask paddings in percent (top, right, bottom, left): a non-square rectangle, so the mask's
/// principal axes fix the rotation. The default blur (0.3) keeps the mask smooth at the pixel
/// scale, which makes its pixel sums exact integrals.
pub const PADDING: [f64; 4] = [30.0, 15.0, 20.0, 10.0];
pub const MASK_BLUR: f64 = 0.3;
pub const DEFAULT_RADIUS: i32 = 6;
/// The astronaut's face centre in the 512² photo (the mean of CenterFace's five landmarks, which
/// the alignment keeps; the still clip prints it) and the distance of the applied alignment's
/// eyes there, both as measured on the raw renders at this scale. The IOD that J2 and lag are
/// divided by is that applied eye distance, ≈ 90 px (CenterFace's own eye distance is roughly
/// 10% more, so the %IOD figures here are on the strict side).
pub const FACE_CENTRE: (f64, f64) = (225.2, 124.8);
pub const PHOTO_IOD: f64 = 38.7;
/// quality.md's material: IOD ≈ 90 px.
pub const SCALE: f64 = 90.0 / PHOTO_IOD;
pub const NOISE: f64 = 2.0 / 255.0;
/// quality.md's motion direction.
pub const DIRECTION: (f64, f64) = (1.0, 0.3);

pub fn astronaut() -> Arc<Frame> {
    static PHOTO: OnceLock<Arc<Frame>> = OnceLock::new();
    PHOTO
        .get_or_init(|| {
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/assets/astronaut.png");
            let image =
                HostImage::load(&path).unwrap_or_else(|e| panic!("{e}: run scripts/assets.sh"));
            Arc::new(to_frame(&image))
        })
        .clone()
}

/// The main canvas: quality.rs's textured plate.
pub fn canvas() -> Arc<Frame> {
    static PLATE: OnceLock<Arc<Frame>> = OnceLock::new();
    PLATE
        .get_or_init(|| Arc::new(synthetic_plate(W, H, 11)))
        .clone()
}

/// The canvas after the hard cut: another plate, graded blue-grey.
pub fn other_canvas() -> Arc<Frame> {
    static PLATE: OnceLock<Arc<Frame>> = OnceLock::new();
    let grade = Mismatch {
        gain: [0.45, 0.7, 1.1],
        offset: [0.05, 0.05, 0.0],
        exposure_tilt: 0.2,
    };
    PLATE
        .get_or_init(|| Arc::new(colour_mismatch(&synthetic_plate(W, H, 23), &grade)))
        .clone()
}

pub fn clip(shots: Vec<Shot>, seed: u64) -> SyntheticClip {
    SyntheticClip {
        photo: astronaut(),
        face_centre: FACE_CENTRE,
        scale: SCALE,
        shots,
        frames: FRAMES,
        noise: NOISE,
        seed,
    }
}

pub fn one_shot(face_at: (f64, f64), motion: Motion, seed: u64) -> SyntheticClip {
    clip(
        vec![Shot {
            start: 0,
            background: canvas(),
            face_at,
            motion,
        }],
        seed,
    )
}

pub fn pan(speed: f64) -> Motion {
    Motion::Pan {
        speed,
        direction: DIRECTION,
    }
}

/// A clip the host reads frame by frame: frames are made on demand and the last few kept, so a
/// sequential render makes each frame once (72 frames at 1080p would be 2.4 GB).
pub struct Lazy {
    clip: SyntheticClip,
    kept: Mutex<VecDeque<(usize, Arc<HostImage>)>>,
}

/// Frames kept: a radius-6 window plus its cut-context margin, and one to grow into.
pub const KEPT: usize = 2 * DEFAULT_RADIUS as usize + 4;

impl Lazy {
    pub fn new(clip: SyntheticClip) -> Arc<Lazy> {
        Arc::new(Lazy {
            clip,
            kept: Mutex::new(VecDeque::new()),
        })
    }

    pub fn frame(&self, t: usize) -> Arc<HostImage> {
        let mut kept = self.kept.lock().unwrap();
        if let Some((_, image)) = kept.iter().find(|(k, _)| *k == t) {
            return image.clone();
        }
        let image = Arc::new(to_host(&self.clip.frame(t)));
        if kept.len() >= KEPT {
            kept.pop_front();
        }
        kept.push_back((t, image.clone()));
        image
    }
}

impl ClipSource for Lazy {
    fn image(&self, time: f64) -> Option<HostImage> {
        let t = time.round();
        if (time - t).abs() > 1e-6 || t < 0.0 || t >= self.clip.frames as f64 {
            return None;
        }
        Some((*self.frame(t as usize)).clone())
    }

    fn frame_range(&self) -> (f64, f64) {
        (0.0, self.clip.frames as f64 - 1.0)
    }

    fn size(&self, time: f64) -> Option<(usize, usize)> {
        let (first, last) = self.frame_range();
        (time >= first - 1e-6 && time <= last + 1e-6).then_some((W, H))
    }
}

/// The host's frame cache per instance: a window and its margins, as real hosts keep the
/// neighbours a temporal effect reads (without it, this host copies each frame on each fetch).
pub const FRAME_CACHE: usize = KEPT * W * H * 16;

/// Face Swap on `source` with the stand-in swapper, the bundled detector, sRGB input and no
/// pixel boost; `output` and `colour_match` are choice indices.
pub fn face_swap(
    source: Arc<dyn ClipSource>,
    radius: i32,
    output: i32,
    colour_match: i32,
) -> Instance {
    let instance = host(HostProfile::Generic)
        .create_instance(
            FACE_SWAP,
            FILTER,
            Clips::new().with_cached("Source", source, FRAME_CACHE),
        )
        .expect("create a Face Swap instance");
    let identity = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/models/per_identity/per_identity_128.onnx");
    let mut values = vec![
        (
            "identity",
            ParamValue::String(identity.display().to_string()),
        ),
        ("colourSpace", ParamValue::Choice(1)),
        ("colourMatch", ParamValue::Choice(colour_match)),
        ("pixelBoost", ParamValue::Choice(0)),
        ("temporalRadius", ParamValue::Int(radius)),
        ("output", ParamValue::Choice(output)),
        ("maskBlur", ParamValue::Double(MASK_BLUR)),
    ];
    if output == 2 {
        for (id, pad) in [
            "maskPaddingTop",
            "maskPaddingRight",
            "maskPaddingBottom",
            "maskPaddingLeft",
        ]
        .into_iter()
        .zip(PADDING)
        {
            values.push((id, ParamValue::Double(pad)));
        }
    }
    for (id, value) in values {
        instance
            .set_value(id, value)
            .unwrap_or_else(|e| panic!("set {id}: {e}"));
    }
    instance
}

pub fn render(instance: &Instance, t: usize) -> HostImage {
    let out = instance
        .render(t as f64, &plain())
        .unwrap_or_else(|e| panic!("render {t}: {e}"));
    assert_clean(instance);
    out
}

/// The crop-space mask the effect builds at [`PADDING`] and [`MASK_BLUR`].
pub fn crop_moments() -> &'static CropMoments {
    static MOMENTS: OnceLock<CropMoments> = OnceLock::new();
    MOMENTS.get_or_init(|| {
        let settings = BoxMask {
            blur: MASK_BLUR as f32,
            padding: PADDING.map(|p| p as f32),
        };
        CropMoments::of(&box_mask(CROP, &settings), CROP).expect("a non-empty crop mask")
    })
}

/// The alignment a "Mask only" render applied; `None` when nothing was swapped.
pub fn alignment(mask: &HostImage) -> Option<Similarity> {
    let (moments, peak) = frame_moments(&to_frame(mask))?;
    applied_alignment(&moments, peak, crop_moments())
}

pub type Points = Vec<(f64, f64)>;

/// The alignment's 9 frame points (crop corners, template landmarks); empty when none.
pub fn points(m: Option<Similarity>) -> Points {
    m.map_or_else(Vec::new, |m| alignment_points(&m, TEMPLATE, CROP))
}

/// The eye distance of an alignment's points.
pub fn iod(p: &Points) -> f64 {
    let (l, r) = (p[4], p[5]);
    (r.0 - l.0).hypot(r.1 - l.1)
}

/// Raw (radius 0) and smoothed (default radius) alignment points of frames `0..frames`,
/// rendered in order.
pub fn measure(clip: SyntheticClip, frames: usize) -> (Vec<Points>, Vec<Points>) {
    let source = Lazy::new(clip);
    let raw = face_swap(source.clone(), 0, 2, 0);
    let smooth = face_swap(source.clone(), DEFAULT_RADIUS, 2, 0);
    let (mut r, mut s) = (Vec::new(), Vec::new());
    for t in 0..frames {
        s.push(points(alignment(&render(&smooth, t))));
        r.push(points(alignment(&render(&raw, t))));
    }
    (r, s)
}
