//! Mask model tests on the committed stand-ins (tests/models/README.md, Masks), run by the real
//! ONNX Runtime library, and the pipeline's use of a swapper's extra masks.

use std::path::PathBuf;
use std::sync::Mutex;

use super::*;
use crate::blend::ColourMatch;
use crate::colour::ColourSpace;
use crate::face::{Landmarks, Template};
use crate::runtime::tests::init_test_runtime;
use crate::swap::mask::BoxMask;
use crate::swap::paste::PasteSettings;
use crate::swap::select::FaceSelection;
use crate::swap::{
    swap_face, CropSwapper, FoundFace, ModelFrame, PixelBoost, SwapOutput, SwapSettings,
    SwappedCrop,
};

fn stand_in(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/models")
        .join(name)
}

fn xseg() -> OcclusionModel {
    init_test_runtime();
    OcclusionModel::load(&stand_in("masks/xseg_1.onnx"), Device::Cpu).expect("load xseg")
}

fn bisenet() -> RegionModel {
    init_test_runtime();
    RegionModel::load(&stand_in("masks/bisenet_resnet_34.onnx"), Device::Cpu).expect("load bisenet")
}

const SKIN: [f32; 4] = [0.8, 0.6, 0.5, 1.0];
const BLUE: [f32; 4] = [0.1, 0.2, 0.95, 1.0];
const RED: [f32; 4] = [0.95, 0.2, 0.1, 1.0];

/// A `size²` crop of `base` with squares painted on it: `(x0, y0, side, colour)`.
fn painted(size: usize, base: [f32; 4], squares: &[(usize, usize, usize, [f32; 4])]) -> Frame {
    Frame::from_fn(size, size, |x, y| {
        squares
            .iter()
            .find(|(x0, y0, s, _)| (*x0..x0 + s).contains(&x) && (*y0..y0 + s).contains(&y))
            .map_or(base, |sq| sq.3)
    })
}

/// The stand-in's Ellipse(rx, ry) at pixel (x, y) of an n×n grid.
fn ellipse(rx: f64, ry: f64, n: usize, x: usize, y: usize) -> f64 {
    let u = (2 * x + 1) as f64 / n as f64 - 1.0;
    let v = (2 * y + 1) as f64 / n as f64 - 1.0;
    (4.0 * (1.0 - u * u / (rx * rx) - v * v / (ry * ry))).clamp(0.0, 1.0)
}

#[test]
fn region_classes_follow_the_face_parsing_layout_of_the_stand_in() {
    for (i, r) in FaceRegion::ALL.iter().enumerate() {
        assert_eq!(r.class(), i);
        assert_eq!(FaceRegion::from_class(i), Some(*r));
    }
    assert_eq!(FaceRegion::Glasses.class(), 6);
    assert_eq!(FaceRegion::Nose.name(), "nose");
    assert_eq!(FaceRegion::from_class(19), None);
    let text = std::fs::read_to_string(stand_in("masks/bisenet_resnet_34_labels.txt")).unwrap();
    let rows: Vec<Vec<usize>> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split_whitespace().map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 32);
    // README: every cell of rows 9–28 × cols 8–23 is a default region and no other cell is.
    for (r, row) in rows.iter().enumerate() {
        for (c, &class) in row.iter().enumerate() {
            let region = FaceRegion::from_class(class).unwrap();
            let face = (9..=28).contains(&r) && (8..=23).contains(&c);
            assert_eq!(FaceRegion::DEFAULT.contains(&region), face, "cell {r},{c}");
        }
    }
    assert_eq!(rows[16][15], FaceRegion::Nose.class());
    assert_eq!(rows[5][10], FaceRegion::Hair.class());
}

#[test]
fn xseg_mask_is_its_ellipse_with_a_hole_under_blue_only() {
    let model = xseg().with_softness(0.0);
    assert_eq!(model.side(), 256);
    // Blue is an occluder; red is not (fed RGB by mistake, red would read as blue).
    let crop = painted(256, SKIN, &[(40, 100, 40, BLUE), (170, 100, 40, RED)]);
    let mask = model.mask(&crop).unwrap();
    assert_eq!(mask.len(), 256 * 256);
    for y in 0..256 {
        for x in 0..256 {
            let blue = (40..80).contains(&x) && (100..140).contains(&y);
            let want = if blue {
                0.0
            } else {
                ellipse(0.85, 0.95, 256, x, y)
            };
            let got = f64::from(mask[y * 256 + x]);
            assert!((got - want).abs() < 1e-5, "({x},{y}): {got} vs {want}");
        }
    }
}

#[test]
fn xseg_takes_any_crop_size_and_softens_the_hole_outwards() {
    let model = xseg();
    let size = 384;
    let crop = painted(size, SKIN, &[(60, 150, 60, BLUE)]);
    let mask = model.mask(&crop).unwrap();
    assert_eq!(mask.len(), size * size);
    assert!(mask.iter().all(|v| (0.0..=1.0).contains(v)));
    // Exactly 0 at the model's resolution; resizing back blends the edge's first pixel.
    for y in 152..208 {
        for x in 62..118 {
            assert_eq!(mask[y * size + x], 0.0, "({x},{y}) under the occluder");
        }
    }
    // Far from the hole and inside the ellipse the face stays fully visible.
    assert!((mask[200 * size + 250] - 1.0).abs() < 1e-4);
    assert!(
        mask[200 * size + 130] < mask[200 * size + 160],
        "a soft edge"
    );
    assert_eq!(mask[2 * size + 2], 0.0, "outside the ellipse");
}

/// Pixels of the stand-in's face rectangle (y 144–463, x 128–383 at 512), scaled to `size`.
fn in_face_rect(size: usize, x: usize, y: usize, margin: f64) -> Option<bool> {
    let s = size as f64 / 512.0;
    let (px, py) = (x as f64 + 0.5, y as f64 + 0.5);
    let (x0, x1, y0, y1) = (128.0 * s, 384.0 * s, 144.0 * s, 464.0 * s);
    if px > x0 + margin && px < x1 - margin && py > y0 + margin && py < y1 - margin {
        Some(true)
    } else if px < x0 - margin || px > x1 + margin || py < y0 - margin || py > y1 + margin {
        Some(false)
    } else {
        None
    }
}

#[test]
fn bisenet_mask_is_the_chosen_regions_of_the_known_layout() {
    let grey = [0.5, 0.5, 0.5, 1.0];
    let model = bisenet().with_softness(0.0);
    assert_eq!(model.side(), 512);
    let mask = model.mask(&Frame::filled(512, 512, grey)).unwrap();
    for y in 0..512 {
        for x in 0..512 {
            let want = (144..464).contains(&y) && (128..384).contains(&x);
            assert_eq!(mask[y * 512 + x], f32::from(u8::from(want)), "({x},{y})");
        }
    }
    let nose = bisenet()
        .with_softness(0.0)
        .with_regions(&[FaceRegion::Nose]);
    let mask = nose.mask(&Frame::filled(512, 512, grey)).unwrap();
    let count = mask.iter().filter(|v| **v == 1.0).count();
    assert_eq!(count, 80 * 32, "rows 16–20, cols 15–16");
    assert_eq!(mask[300 * 512 + 250], 1.0);

    // Softened: nothing outside the regions, full weight once past the soft edge.
    // σ = 5.12 px, so the kernel reaches 16 px.
    let soft = bisenet().mask(&Frame::filled(512, 512, grey)).unwrap();
    for (i, v) in soft.iter().enumerate() {
        let (x, y) = (i % 512, i / 512);
        if in_face_rect(512, x, y, 0.0) != Some(true) {
            assert_eq!(*v, 0.0, "({x},{y}) outside");
        } else if in_face_rect(512, x, y, 17.0) == Some(true) {
            assert!((v - 1.0).abs() < 1e-4, "({x},{y}) inside");
        }
    }
    assert!(
        soft[150 * 512 + 250] > 0.0 && soft[150 * 512 + 250] < 1.0,
        "a soft edge"
    );
}

#[test]
fn bisenet_reads_rgb_and_takes_any_crop_size() {
    // A blue occluder becomes background; red stays skin (fed BGR, red would read as blue).
    let model = bisenet().with_softness(0.0);
    let crop = painted(512, SKIN, &[(160, 320, 48, BLUE), (300, 320, 48, RED)]);
    let mask = model.mask(&crop).unwrap();
    assert_eq!(mask[340 * 512 + 180], 0.0, "occluded skin");
    assert_eq!(mask[340 * 512 + 320], 1.0, "red skin");
    assert_eq!(mask[200 * 512 + 250], 1.0);

    let size = 256;
    let mask = model
        .mask(&Frame::filled(size, size, [0.5, 0.5, 0.5, 1.0]))
        .unwrap();
    assert_eq!(mask.len(), size * size);
    for y in 0..size {
        for x in 0..size {
            match in_face_rect(size, x, y, 1.0) {
                Some(true) => assert_eq!(mask[y * size + x], 1.0, "({x},{y})"),
                Some(false) => assert_eq!(mask[y * size + x], 0.0, "({x},{y})"),
                None => {}
            }
        }
    }
}

#[test]
fn files_that_are_not_mask_models_are_refused_by_name() {
    init_test_runtime();
    let cases: [(Result<(), SwapError>, &str); 4] = [
        (
            OcclusionModel::load(&stand_in("masks/bisenet_resnet_34.onnx"), Device::Cpu).map(drop),
            "bisenet_resnet_34.onnx",
        ),
        (
            RegionModel::load(&stand_in("masks/xseg_1.onnx"), Device::Cpu).map(drop),
            "xseg_1.onnx",
        ),
        // NHWC (1,256,256,3) in, but a three-channel face out: a swapper, not a mask.
        (
            OcclusionModel::load(
                &stand_in("per_identity/per_identity_bgr_nhwc_256.onnx"),
                Device::Cpu,
            )
            .map(drop),
            "per_identity_bgr_nhwc_256.onnx",
        ),
        (
            RegionModel::load(&stand_in("masks/nowhere.onnx"), Device::Cpu).map(drop),
            "nowhere.onnx",
        ),
    ];
    for (result, name) in cases {
        let text = result.expect_err(name).0;
        assert!(text.contains(name), "{text}");
    }
    let text = OcclusionModel::load(&stand_in("masks/bisenet_resnet_34.onnx"), Device::Cpu)
        .err()
        .unwrap()
        .0;
    assert!(
        text.contains("occlusion") && text.contains("(1,3,512,512)"),
        "{text}"
    );
}

/// Returns its crop, and a mask cutting the left half of whatever crop it is shown.
struct HalfMasked {
    size: usize,
    seen: Mutex<Vec<usize>>,
    wrong_size: bool,
}

impl CropSwapper for HalfMasked {
    fn template(&self) -> Template {
        Template::Arcface128
    }
    fn crop_size(&self) -> usize {
        self.size
    }
    fn swap(&self, crop: &Frame, _: &ModelFrame, _: &FoundFace) -> Result<SwappedCrop, SwapError> {
        Ok(SwappedCrop {
            face: crop.clone(),
            mask: None,
        })
    }
    fn extra_masks(&self, crop: &Frame) -> Result<Vec<Vec<f32>>, SwapError> {
        let s = crop.width();
        self.seen.lock().unwrap().push(s);
        let n = if self.wrong_size { s - 1 } else { s };
        let half = (0..n * n).map(|i| f32::from(u8::from(i % n >= n / 2)));
        Ok(vec![half.collect(), vec![1.0; n * n]])
    }
}

#[test]
fn extra_masks_see_the_boosted_crop_and_cut_the_paste_mask() {
    let plate = Frame::filled(320, 320, [0.5, 0.4, 0.3, 1.0]);
    let view = ModelFrame::new(&plate, ColourSpace::Srgb);
    let (cx, cy, s) = (160.0, 160.0, 60.0);
    let face = FoundFace {
        bbox: [100.0, 90.0, 220.0, 240.0],
        score: 0.9,
        landmarks: Landmarks::new([
            (cx - 0.5 * s, cy - 0.3 * s),
            (cx + 0.5 * s, cy - 0.3 * s),
            (cx, cy + 0.2 * s),
            (cx - 0.4 * s, cy + 0.7 * s),
            (cx + 0.4 * s, cy + 0.7 * s),
        ]),
    };
    let settings = SwapSettings {
        selection: FaceSelection::Largest,
        pixel_boost: PixelBoost::Times(2),
        box_mask: BoxMask::default(),
        learned_masks: true,
        paste: PasteSettings {
            colour_match: ColourMatch::None,
            strength: 1.0,
            colour_space: ColourSpace::Srgb,
        },
        output: SwapOutput::Composite,
    };
    let swapper = HalfMasked {
        size: 64,
        seen: Mutex::new(Vec::new()),
        wrong_size: false,
    };
    let (crop, _) = swap_face(&view, &face, &swapper, &settings)
        .unwrap()
        .unwrap();
    assert_eq!(
        *swapper.seen.lock().unwrap(),
        vec![128],
        "once, on the k·S crop"
    );
    let box_mask = crate::swap::mask::box_mask(128, &BoxMask::default());
    for y in 0..128 {
        for x in 0..128 {
            let want = if x < 64 { 0.0 } else { box_mask[y * 128 + x] };
            assert_eq!(crop.pixel(x, y)[3], want, "({x},{y})");
        }
    }
    let wrong = HalfMasked {
        wrong_size: true,
        ..swapper
    };
    let err = swap_face(&view, &face, &wrong, &settings).err();
    assert!(err.is_some_and(|e| e.0.contains("mask")));
}
