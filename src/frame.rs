//! Plain RGBA float frames: the one image type the face pipeline sees, with no host in sight.

use std::fmt;

/// One RGBA pixel, straight (not premultiplied) unless a step says otherwise.
pub type Rgba = [f32; 4];

/// An owned RGBA float image, rows packed top row first (the convention of every face model).
/// The OFX layer converts host images (bottom-up, any row bytes, any origin) to and from this.
#[derive(Clone, PartialEq)]
pub struct Frame {
    width: usize,
    height: usize,
    pixels: Vec<Rgba>,
}

/// A frame whose pixel count does not match its stated size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizeMismatch {
    pub expected: usize,
    pub got: usize,
}

impl fmt::Display for SizeMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected {} pixels, got {}", self.expected, self.got)
    }
}

impl std::error::Error for SizeMismatch {}

impl Frame {
    /// A transparent black frame.
    pub fn new(width: usize, height: usize) -> Self {
        Self::filled(width, height, [0.0; 4])
    }

    pub fn filled(width: usize, height: usize, value: Rgba) -> Self {
        Self {
            width,
            height,
            pixels: vec![value; width * height],
        }
    }

    pub fn from_pixels(
        width: usize,
        height: usize,
        pixels: Vec<Rgba>,
    ) -> Result<Self, SizeMismatch> {
        if pixels.len() != width * height {
            return Err(SizeMismatch {
                expected: width * height,
                got: pixels.len(),
            });
        }
        Ok(Self {
            width,
            height,
            pixels,
        })
    }

    /// Builds a frame by evaluating `f(x, y)` at every pixel.
    pub fn from_fn(width: usize, height: usize, mut f: impl FnMut(usize, usize) -> Rgba) -> Self {
        let mut pixels = Vec::with_capacity(width * height);
        for y in 0..height {
            for x in 0..width {
                pixels.push(f(x, y));
            }
        }
        Self {
            width,
            height,
            pixels,
        }
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn height(&self) -> usize {
        self.height
    }

    pub fn size(&self) -> (usize, usize) {
        (self.width, self.height)
    }

    pub fn pixels(&self) -> &[Rgba] {
        &self.pixels
    }

    pub fn pixels_mut(&mut self) -> &mut [Rgba] {
        &mut self.pixels
    }

    pub fn into_pixels(self) -> Vec<Rgba> {
        self.pixels
    }

    pub fn pixel(&self, x: usize, y: usize) -> Rgba {
        self.pixels[y * self.width + x]
    }

    pub fn set_pixel(&mut self, x: usize, y: usize, value: Rgba) {
        self.pixels[y * self.width + x] = value;
    }

    pub fn row(&self, y: usize) -> &[Rgba] {
        &self.pixels[y * self.width..(y + 1) * self.width]
    }

    pub fn row_mut(&mut self, y: usize) -> &mut [Rgba] {
        &mut self.pixels[y * self.width..(y + 1) * self.width]
    }

    /// The first pixel holding a NaN or an infinity, if any.
    pub fn first_non_finite(&self) -> Option<(usize, usize)> {
        self.pixels
            .iter()
            .position(|p| p.iter().any(|c| !c.is_finite()))
            .map(|i| (i % self.width, i / self.width))
    }
}

/// A rectangle of new pixels for a frame: what an effect changed, so that nobody copies the
/// rest of the frame to deliver it.
#[derive(Debug, Clone, PartialEq)]
pub struct Patch {
    /// Top-left corner in the frame (top-down).
    pub x: usize,
    pub y: usize,
    pub pixels: Frame,
}

impl Patch {
    /// Writes the patch over `frame` (the part inside it).
    pub fn apply(&self, frame: &mut Frame) {
        let w = self
            .pixels
            .width()
            .min(frame.width().saturating_sub(self.x));
        for row in 0..self.pixels.height() {
            let y = self.y + row;
            if y >= frame.height() {
                break;
            }
            frame.row_mut(y)[self.x..self.x + w].copy_from_slice(&self.pixels.row(row)[..w]);
        }
    }
}

impl fmt::Debug for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Frame({}x{})", self.width, self.height)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_top_first_and_packed() {
        let frame = Frame::from_fn(3, 2, |x, y| [x as f32, y as f32, 0.0, 1.0]);
        assert_eq!(frame.row(1)[2], [2.0, 1.0, 0.0, 1.0]);
        assert_eq!(frame.pixel(0, 1), [0.0, 1.0, 0.0, 1.0]);
    }

    #[test]
    fn wrong_pixel_count_is_refused() {
        assert!(Frame::from_pixels(2, 2, vec![[0.0; 4]; 3]).is_err());
    }

    #[test]
    fn finds_non_finite_pixels() {
        let mut frame = Frame::new(4, 4);
        assert_eq!(frame.first_non_finite(), None);
        frame.set_pixel(2, 3, [0.0, f32::NAN, 0.0, 0.0]);
        assert_eq!(frame.first_non_finite(), Some((2, 3)));
    }
}
