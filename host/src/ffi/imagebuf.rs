//! Host-allocated pixel memory handed to the plugin: float RGBA rows in the requested layout
//! (bottom-up or top-down, padded rows), surrounded by guard words that reveal stray writes.

use crate::image::HostImage;
use crate::render::{ImageLayout, RowOrder};

/// A float that no image holds: a NaN with a recognisable payload.
const GUARD: u32 = 0x7fa5_a5a5;
/// Guard floats before and after the pixel rows.
const GUARD_LEN: usize = 64;

/// One image's memory. The plugin reads and writes it through [`ImageBuf::data`] while an image
/// handle is out; the host only touches it before handing it out and after the action returns.
pub(crate) struct ImageBuf {
    ptr: *mut f32,
    len: usize,
    pub width: usize,
    pub height: usize,
    /// Floats from one row to the next (≥ 4 × width).
    stride: usize,
    top_down: bool,
}

// SAFETY: the buffer is plain memory owned by this value; concurrent access only happens through
// the pointer the plugin was given, under the OFX rule that the host does not touch an image while
// the plugin holds it. The host's own reads and writes happen outside those windows.
unsafe impl Send for ImageBuf {}
// SAFETY: as above; `&self` methods never run while the plugin writes the same buffer.
unsafe impl Sync for ImageBuf {}

impl ImageBuf {
    /// A `width` × `height` image laid out per `layout`, pixels set to `fill`.
    pub(crate) fn new(width: usize, height: usize, layout: &ImageLayout, fill: f32) -> ImageBuf {
        let pad = layout.row_padding_bytes.div_ceil(4);
        let stride = width * 4 + pad;
        let len = GUARD_LEN * 2 + stride * height;
        let mut storage = vec![f32::from_bits(GUARD); len].into_boxed_slice();
        for row in 0..height {
            let start = GUARD_LEN + row * stride;
            storage[start..start + width * 4].fill(fill);
        }
        let ptr = Box::into_raw(storage).cast::<f32>();
        ImageBuf {
            ptr,
            len,
            width,
            height,
            stride,
            top_down: layout.row_order == RowOrder::TopDown,
        }
    }

    /// Float offset of the row `row_from_bottom` in the storage.
    fn row_offset(&self, row_from_bottom: usize) -> usize {
        let mem_row = if self.top_down {
            self.height - 1 - row_from_bottom
        } else {
            row_from_bottom
        };
        GUARD_LEN + mem_row * self.stride
    }

    /// `kOfxImagePropData`: the first pixel of the bottom row.
    pub(crate) fn data(&self) -> usize {
        if self.height == 0 {
            // SAFETY: GUARD_LEN < len, so the pointer stays inside the allocation.
            return unsafe { self.ptr.add(GUARD_LEN) } as usize;
        }
        // SAFETY: row_offset(0) + 4 × width ≤ len by construction.
        unsafe { self.ptr.add(self.row_offset(0)) as usize }
    }

    /// `kOfxImagePropRowBytes`: negative for top-down storage.
    pub(crate) fn row_bytes(&self) -> i32 {
        let bytes = i32::try_from(self.stride * 4).unwrap_or(i32::MAX);
        if self.top_down {
            -bytes
        } else {
            bytes
        }
    }

    fn storage(&self) -> &[f32] {
        // SAFETY: ptr/len come from a leaked Box<[f32]> that lives until Drop; callers only use
        // this while the plugin is not writing (see the Send/Sync note).
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    #[allow(clippy::mut_from_ref)]
    fn storage_mut(&self) -> &mut [f32] {
        // SAFETY: as `storage`; the host writes only before handing the image out, when no other
        // reference to the memory exists.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }

    /// Copies a top-down host image of the same size in.
    pub(crate) fn write(&self, img: &HostImage) {
        let (w, h) = (self.width.min(img.width), self.height.min(img.height));
        let offsets: Vec<usize> = (0..h).map(|r| self.row_offset(r)).collect();
        let data = self.storage_mut();
        for (row, off) in offsets.into_iter().enumerate() {
            let src_y = img.height - 1 - row;
            for x in 0..w {
                let p = img.pixels[src_y * img.width + x];
                data[off + x * 4..off + x * 4 + 4].copy_from_slice(&p);
            }
        }
    }

    /// Reads the pixels back as a top-down host image.
    pub(crate) fn read(&self) -> HostImage {
        let data = self.storage();
        HostImage::from_fn(self.width, self.height, |x, y| {
            let off = self.row_offset(self.height - 1 - y) + x * 4;
            [data[off], data[off + 1], data[off + 2], data[off + 3]]
        })
    }

    /// Whether every guard word (before, after and in the row padding) is untouched.
    pub(crate) fn guards_intact(&self) -> bool {
        let data = self.storage();
        let ok = |s: &[f32]| s.iter().all(|v| v.to_bits() == GUARD);
        if !ok(&data[..GUARD_LEN]) || !ok(&data[self.len - GUARD_LEN..]) {
            return false;
        }
        (0..self.height).all(|row| {
            let start = GUARD_LEN + row * self.stride + self.width * 4;
            ok(&data[start..GUARD_LEN + (row + 1) * self.stride])
        })
    }
}

impl Drop for ImageBuf {
    fn drop(&mut self) {
        let slice = std::ptr::slice_from_raw_parts_mut(self.ptr, self.len);
        // SAFETY: ptr/len are exactly what Box::into_raw produced in `new`, freed once here.
        drop(unsafe { Box::from_raw(slice) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(layout: ImageLayout) {
        let img = HostImage::from_fn(3, 2, |x, y| [x as f32, y as f32, 0.0, 1.0]);
        let buf = ImageBuf::new(3, 2, &layout, f32::NAN);
        buf.write(&img);
        assert_eq!(buf.read(), img);
        assert!(buf.guards_intact());
        // the data pointer is the bottom row (y = 1 from the top)
        let bottom = buf.data() as *const f32;
        // SAFETY: data() points at 12 valid floats of the bottom row.
        let first = unsafe { std::slice::from_raw_parts(bottom, 4) };
        assert_eq!(first, &[0.0, 1.0, 0.0, 1.0]);
    }

    #[test]
    fn layouts_round_trip() {
        check(ImageLayout::default());
        check(ImageLayout {
            row_order: RowOrder::TopDown,
            row_padding_bytes: 24,
            origin: (0, 0),
        });
    }

    #[test]
    fn stray_writes_break_guards() {
        let layout = ImageLayout {
            row_padding_bytes: 16,
            ..ImageLayout::default()
        };
        let buf = ImageBuf::new(2, 2, &layout, 0.0);
        buf.storage_mut()[GUARD_LEN + 8] = 1.0; // first padding float of row 0
        assert!(!buf.guards_intact());
    }
}
