//! The one place host images become plain frames and back: bounds origin, bottom-up rows,
//! negative or padded row bytes, render scale and pixel aspect are all resolved here.

use std::ffi::{c_void, CString};

use openfx::sys::generic::core::*;
use openfx::sys::image_effect_v1::image_effect::*;

use super::props::PropSet;
use super::suites::Suites;
use super::OfxError;
use crate::effects::{Identified, InputFrame, Placement};
use crate::frame::Patch;
use crate::temporal::content_hash_rows;
use crate::{Frame, Rgba};

const PIXEL_BYTES: usize = std::mem::size_of::<Rgba>();

/// A clip handle for one action.
#[derive(Clone, Copy)]
pub struct Clip {
    handle: OfxImageClipHandle,
    pub props: PropSet,
}

impl Clip {
    /// The named clip, or `None` where the effect has no such clip in this context.
    pub fn get(
        suites: &Suites,
        effect: OfxImageEffectHandle,
        name: &str,
    ) -> Result<Option<Clip>, OfxError> {
        let f = suites
            .effect
            .clipGetHandle
            .ok_or(OfxError::MissingHostFeature("clipGetHandle"))?;
        let c_name = CString::new(name).map_err(|_| OfxError::BadHandle("clip name with NUL"))?;
        let (mut handle, mut props) = (std::ptr::null_mut(), std::ptr::null_mut());
        // SAFETY: valid instance handle and NUL-terminated name; the host writes two handles.
        let status = unsafe { f(effect, c_name.as_ptr(), &mut handle, &mut props) };
        if status != kOfxStatOK || handle.is_null() {
            return Ok(None);
        }
        Ok(Some(Clip {
            handle,
            props: PropSet::new(props, suites.prop),
        }))
    }

    pub fn connected(&self) -> bool {
        self.props.int(kOfxImageClipPropConnected, 0).unwrap_or(0) != 0
    }

    /// The image at `time`. `None` when the host has none (Resolve's "connected" optional clips,
    /// frames outside the clip): callers treat that as absent.
    pub fn image(&self, suites: &Suites, time: OfxTime) -> Result<Option<Image>, OfxError> {
        let f = suites
            .effect
            .clipGetImage
            .ok_or(OfxError::MissingHostFeature("clipGetImage"))?;
        let mut handle = std::ptr::null_mut();
        // SAFETY: valid clip handle; a null region asks for the whole image; the host writes one handle.
        let status = unsafe { f(self.handle, time, std::ptr::null(), &mut handle) };
        if status != kOfxStatOK || handle.is_null() {
            return Ok(None);
        }
        Ok(Some(Image {
            props: PropSet::new(handle, suites.prop),
            suites: *suites,
        }))
    }
}

/// A fetched host image, released when dropped (always inside the action that fetched it).
pub struct Image {
    props: PropSet,
    suites: Suites,
}

impl Drop for Image {
    fn drop(&mut self) {
        if let Some(release) = self.suites.effect.clipReleaseImage {
            // SAFETY: the handle came from clipGetImage and is released exactly once, here.
            let status = unsafe { release(self.props.handle()) };
            if status != kOfxStatOK {
                log::warn!("clipReleaseImage returned {status}");
            }
        }
    }
}

/// Where an image's pixels are and how its rows run.
struct Layout {
    data: *mut c_void,
    bounds: [i32; 4],
    row_bytes: isize,
    width: usize,
    height: usize,
}

impl Image {
    fn layout(&self) -> Result<Layout, OfxError> {
        let depth = self.props.string(kOfxImageEffectPropPixelDepth, 0)?;
        let components = self.props.string(kOfxImageEffectPropComponents, 0)?;
        if depth.as_bytes() != kOfxBitDepthFloat.to_bytes()
            || components.as_bytes() != kOfxImageComponentRGBA.to_bytes()
        {
            return Err(OfxError::User(format!(
                "Doppel works on 32-bit float RGBA images; the host gave {components} at {depth}."
            )));
        }
        let data = self.props.pointer(kOfxImagePropData, 0)?;
        let bounds = self.props.ints::<4>(kOfxImagePropBounds)?;
        let row_bytes = self.props.int(kOfxImagePropRowBytes, 0)? as isize;
        let width = (bounds[2] - bounds[0]).max(0) as usize;
        let height = (bounds[3] - bounds[1]).max(0) as usize;
        let misaligned =
            !(data as usize).is_multiple_of(std::mem::align_of::<f32>()) || row_bytes % 4 != 0;
        if data.is_null() && width * height > 0
            || misaligned
            || row_bytes.unsigned_abs() < width * PIXEL_BYTES
        {
            return Err(OfxError::User(format!(
                "The host gave an image Doppel cannot read (bounds {bounds:?}, row bytes {row_bytes})."
            )));
        }
        Ok(Layout {
            data,
            bounds,
            row_bytes,
            width,
            height,
        })
    }

    /// The placement of this image's pixels.
    pub fn placement(&self) -> Result<Placement, OfxError> {
        let layout = self.layout()?;
        let scale = self
            .props
            .doubles::<2>(kOfxImageEffectPropRenderScale)
            .unwrap_or([1.0, 1.0]);
        let aspect = self
            .props
            .double(kOfxImagePropPixelAspectRatio, 0)
            .unwrap_or(1.0);
        Ok(Placement {
            bounds: layout.bounds,
            render_scale: (scale[0], scale[1]),
            pixel_aspect: if aspect > 0.0 { aspect } else { 1.0 },
        })
    }

    /// The image's rows, top row first, read in place.
    fn rows(&self, layout: &Layout) -> Vec<&[Rgba]> {
        (0..layout.height)
            .map(|y| {
                let src = row_ptr(layout, y) as *const Rgba;
                // SAFETY: `layout` checked the pointer, alignment and that each row holds `width` RGBA float pixels; the host keeps the image alive until `self` releases it, and the slices borrow `self`.
                unsafe { std::slice::from_raw_parts(src, layout.width) }
            })
            .collect()
    }

    /// A top-down copy of the image.
    pub fn to_input(&self) -> Result<InputFrame, OfxError> {
        let layout = self.layout()?;
        let mut frame = Frame::new(layout.width, layout.height);
        for (y, row) in self.rows(&layout).into_iter().enumerate() {
            frame.row_mut(y).copy_from_slice(row);
        }
        Ok(InputFrame {
            frame,
            placement: self.placement()?,
        })
    }

    /// The image's content hash, computed in place, and a copy only if `wants_pixels` asks.
    pub fn identify(
        &self,
        wants_pixels: &mut dyn FnMut(u64, &Placement) -> bool,
    ) -> Result<Identified, OfxError> {
        let layout = self.layout()?;
        let placement = self.placement()?;
        let rows = self.rows(&layout);
        let content = content_hash_rows(layout.width, layout.height, |y| rows[y]);
        let frame = if wants_pixels(content, &placement) {
            Some(self.to_input()?.frame)
        } else {
            None
        };
        Ok(Identified {
            placement,
            content,
            frame,
        })
    }

    /// Writes `frame` (placed at `placement`) into this image inside `window`; pixels of the
    /// window not covered by the frame become transparent black.
    pub fn write(
        &mut self,
        frame: &Frame,
        placement: &Placement,
        window: [i32; 4],
    ) -> Result<(), OfxError> {
        self.write_span(frame, placement.bounds, window, true)
    }

    /// Writes `patch` (placed in `placement`'s frame) inside `window`, leaving the rest as is.
    pub fn write_patch(
        &mut self,
        patch: &Patch,
        placement: &Placement,
        window: [i32; 4],
    ) -> Result<(), OfxError> {
        let [fx1, _, _, fy2] = placement.bounds;
        let (w, h) = (patch.pixels.width() as i32, patch.pixels.height() as i32);
        let (x, y) = (patch.x as i32, patch.y as i32);
        let bounds = [fx1 + x, fy2 - y - h, fx1 + x + w, fy2 - y];
        self.write_span(&patch.pixels, bounds, window, false)
    }

    /// Copies `frame`, whose pixels cover `bounds` (OFX pixel coordinates), into the image inside
    /// `window`; with `fill`, window pixels outside `bounds` become transparent black.
    fn write_span(
        &mut self,
        frame: &Frame,
        bounds: [i32; 4],
        window: [i32; 4],
        fill: bool,
    ) -> Result<(), OfxError> {
        let layout = self.layout()?;
        let [bx1, by1, bx2, by2] = layout.bounds;
        let (x1, x2) = (window[0].max(bx1), window[2].min(bx2));
        let (y1, y2) = (window[1].max(by1), window[3].min(by2));
        if x1 >= x2 || y1 >= y2 {
            return Ok(());
        }
        let [fx1, fy1, fx2, fy2] = bounds;
        // The columns the frame covers, clipped to the window.
        let (cx1, cx2) = (x1.max(fx1), x2.min(fx2));
        for py in y1..y2 {
            let inside_rows = py >= fy1 && py < fy2;
            if !fill && (!inside_rows || cx1 >= cx2) {
                continue;
            }
            // Output row index in the image's own top-down order.
            let out_row = (by2 - 1 - py) as usize;
            let dst = row_ptr(&layout, out_row) as *mut Rgba;
            // SAFETY: as in `to_input`; the output image is ours to write during Render.
            let row = unsafe { std::slice::from_raw_parts_mut(dst, layout.width) };
            let out = &mut row[(x1 - bx1) as usize..(x2 - bx1) as usize];
            if fill {
                out.fill([0.0; 4]);
            }
            if inside_rows && cx1 < cx2 {
                let src = frame.row((fy2 - 1 - py) as usize);
                out[(cx1 - x1) as usize..(cx2 - x1) as usize]
                    .copy_from_slice(&src[(cx1 - fx1) as usize..(cx2 - fx1) as usize]);
            }
        }
        Ok(())
    }
}

/// The start of row `top_down_row` (0 = top of the picture); OFX stores rows bottom-up from `data`.
fn row_ptr(layout: &Layout, top_down_row: usize) -> *mut u8 {
    let bottom_up = (layout.height - 1 - top_down_row) as isize;
    (layout.data as *mut u8).wrapping_offset(bottom_up * layout.row_bytes)
}

/// Fetches `clip` at `time` and copies it, releasing the host image before returning.
pub fn fetch_input(
    suites: &Suites,
    clip: &Clip,
    time: OfxTime,
) -> Result<Option<InputFrame>, OfxError> {
    match clip.image(suites, time)? {
        Some(image) => image.to_input().map(Some),
        None => Ok(None),
    }
}
