//! The analysis cache on a long clip, through Face Swap's render (the library, in this
//! process, so the cache can be inspected): it never holds more than its byte bound, it evicts,
//! and recomputing evicted analyses changes no output frame.

use std::path::{Path, PathBuf};

use doppel::effects::face_swap::FaceSwap;
use doppel::effects::{
    ClipFetch, Effect, EffectError, InputFrame, ParamValue, ParamValues, Placement, RenderRequest,
};
use doppel::temporal::analysis_cache;
use doppel::Frame;

const FRAMES: usize = 90;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Frame t: a 320×256 window of the astronaut, moved 1 px per frame (back and forth, so the
/// face stays in view over a long clip).
fn clip() -> Vec<Frame> {
    let path = root().join(".cache/assets/astronaut.png");
    let photo = image::open(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run scripts/assets.sh)", path.display()))
        .to_rgba32f();
    (0..FRAMES)
        .map(|t| {
            let shift = 60 + (t % 60).min(60 - t % 60) as u32;
            Frame::from_fn(320, 256, |x, y| {
                photo.get_pixel(x as u32 + shift, y as u32).0
            })
        })
        .collect()
}

struct Clip<'a>(&'a [Frame]);

impl ClipFetch for Clip<'_> {
    fn fetch(&mut self, clip: &str, time: f64) -> Result<Option<InputFrame>, EffectError> {
        assert_eq!(clip, "Source");
        let index = usize::try_from(time as i64).ok();
        Ok(index.and_then(|i| self.0.get(i)).map(|frame| InputFrame {
            frame: frame.clone(),
            placement: Placement::full(frame.width(), frame.height()),
        }))
    }
}

fn params() -> ParamValues {
    let mut params = ParamValues::defaults(FaceSwap::declaration());
    let path = |p: &Path| ParamValue::Text(p.display().to_string());
    let identity = root().join("tests/models/per_identity/per_identity_128.onnx");
    let detector = root().join(".cache/assets/centerface.onnx");
    params.set("identity", path(&identity));
    params.set("detectorModel", path(&detector));
    params.set("colourSpace", ParamValue::Choice(1));
    params.set("pixelBoost", ParamValue::Choice(0));
    params.set("temporalRadius", ParamValue::Int(6));
    params
}

fn render(swap: &FaceSwap, frames: &[Frame], t: usize, params: &ParamValues) -> Frame {
    let source = InputFrame {
        frame: frames[t].clone(),
        placement: Placement::full(frames[t].width(), frames[t].height()),
    };
    let request = RenderRequest {
        time: t as f64,
        params: params.clone(),
        render_scale: (1.0, 1.0),
        thumbnail: false,
    };
    swap.render(&source, &request, &mut Clip(frames))
        .unwrap_or_else(|e| panic!("frame {t}: {e}"))
        .into_frame(&source.frame)
}

#[test]
fn the_cache_stays_bounded_and_eviction_changes_no_output() {
    doppel::runtime::set_library_path(&root().join(".cache/assets/libonnxruntime.so.1.31.1"));
    let frames = clip();
    let (swap, params) = (FaceSwap::create(), params());
    // One render fills the window; its entries give the size of one frame's analysis.
    let cache = analysis_cache();
    cache.clear();
    let first = render(&swap, &frames, 0, &params);
    let stats = cache.stats();
    assert!(stats.entries > 0, "the render cached its window's analyses");
    let per_frame = stats.bytes.div_ceil(stats.entries);
    // Room for 20 frames: well under the clip, above one window (15 frames).
    let bound = 20 * per_frame;
    cache.set_budget(bound);
    let mut forward = vec![first];
    for t in 1..FRAMES {
        forward.push(render(&swap, &frames, t, &params));
        let stats = cache.stats();
        assert!(
            stats.bytes <= bound,
            "frame {t}: the cache holds {} bytes, over its bound of {bound}",
            stats.bytes
        );
    }
    let stats = cache.stats();
    assert!(stats.evictions as usize >= FRAMES - 20, "{stats:?}");
    assert!(
        forward[FRAMES / 2].pixels() != frames[FRAMES / 2].pixels(),
        "the face was swapped"
    );
    // Backwards, every window's analyses were evicted long ago and are computed again.
    for t in (0..FRAMES).rev() {
        let again = render(&swap, &frames, t, &params);
        assert!(
            again.pixels() == forward[t].pixels(),
            "frame {t} changed after its analyses were evicted and recomputed"
        );
    }
    assert!(cache.stats().bytes <= bound);
}
