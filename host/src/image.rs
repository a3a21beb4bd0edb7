//! Host-side images: straight RGBA float, top row first; PNG/EXR files; box-filter downscaling.

use std::path::Path;

use image::{DynamicImage, ImageBuffer, Rgba, Rgba32FImage};

/// An RGBA float image as the host sees it: `pixels[y * width + x]`, top row first, straight alpha.
#[derive(Debug, Clone, PartialEq)]
pub struct HostImage {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<[f32; 4]>,
}

impl HostImage {
    /// A transparent black image.
    pub fn new(width: usize, height: usize) -> Self {
        Self::filled(width, height, [0.0; 4])
    }

    pub fn filled(width: usize, height: usize, value: [f32; 4]) -> Self {
        Self {
            width,
            height,
            pixels: vec![value; width * height],
        }
    }

    /// Builds an image by evaluating `f(x, y)` at every pixel (y = 0 is the top row).
    pub fn from_fn(
        width: usize,
        height: usize,
        mut f: impl FnMut(usize, usize) -> [f32; 4],
    ) -> Self {
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

    /// The pixel at column `x`, row `y` from the top.
    pub fn get(&self, x: usize, y: usize) -> [f32; 4] {
        self.pixels[y * self.width + x]
    }

    pub fn set(&mut self, x: usize, y: usize, v: [f32; 4]) {
        self.pixels[y * self.width + x] = v;
    }

    /// Largest absolute channel difference to `other` (infinite when sizes differ; NaN counts).
    pub fn max_abs_diff(&self, other: &HostImage) -> f32 {
        if self.width != other.width || self.height != other.height {
            return f32::INFINITY;
        }
        let mut worst = 0.0f32;
        for (a, b) in self.pixels.iter().zip(&other.pixels) {
            for c in 0..4 {
                let d = (a[c] - b[c]).abs();
                if d.is_nan() {
                    return f32::INFINITY;
                }
                worst = worst.max(d);
            }
        }
        worst
    }

    /// Whether any channel of any pixel is NaN (the host fills outputs with NaN before Render).
    pub fn has_nan(&self) -> bool {
        self.pixels.iter().any(|p| p.iter().any(|c| c.is_nan()))
    }

    /// Reads a PNG (8 or 16 bit, values / 255 or / 65535, no colour conversion) or an EXR (float).
    pub fn load(path: &Path) -> Result<HostImage, String> {
        let img = image::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Self::from_dynamic(&img))
    }

    pub fn from_dynamic(img: &DynamicImage) -> HostImage {
        let rgba = img.to_rgba32f();
        let (w, h) = (rgba.width() as usize, rgba.height() as usize);
        let pixels = rgba.pixels().map(|p| p.0).collect();
        HostImage {
            width: w,
            height: h,
            pixels,
        }
    }

    /// Writes by extension: `.exr` as float RGBA, `.png` clamped to [0, 1] as 16-bit RGBA.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match ext.as_str() {
            "exr" => self.save_exr(path),
            "png" => self.save_png(path),
            _ => Err(format!(
                "{}: unknown image extension (use .png or .exr)",
                path.display()
            )),
        }
    }

    pub fn save_exr(&self, path: &Path) -> Result<(), String> {
        let (w, h) = self.dims()?;
        let raw: Vec<f32> = self.pixels.iter().flatten().copied().collect();
        let buf: Rgba32FImage =
            ImageBuffer::from_raw(w, h, raw).ok_or("image buffer size mismatch")?;
        DynamicImage::ImageRgba32F(buf)
            .save_with_format(path, image::ImageFormat::OpenExr)
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn save_png(&self, path: &Path) -> Result<(), String> {
        let (w, h) = self.dims()?;
        let raw: Vec<u16> = self
            .pixels
            .iter()
            .flatten()
            .map(|v| (v.clamp(0.0, 1.0) * 65535.0).round() as u16)
            .collect();
        let buf: ImageBuffer<Rgba<u16>, Vec<u16>> =
            ImageBuffer::from_raw(w, h, raw).ok_or("image buffer size mismatch")?;
        DynamicImage::ImageRgba16(buf)
            .save_with_format(path, image::ImageFormat::Png)
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    fn dims(&self) -> Result<(u32, u32), String> {
        let w = u32::try_from(self.width).map_err(|_| "image too wide")?;
        let h = u32::try_from(self.height).map_err(|_| "image too tall")?;
        Ok((w, h))
    }

    /// Box-filters the image to render scale `scale` (0 < scale ≤ 1), as a host does for proxy and
    /// thumbnail renders. `origin` is the canonical position of the bottom-left pixel; the result
    /// covers pixel columns `floor(x1 * scale) .. ceil(x2 * scale)` (same for rows), each averaging
    /// the canonical area it covers, weighted by overlap, over the pixels that exist.
    pub fn downscale(&self, scale: f64, origin: (i32, i32)) -> (HostImage, (i32, i32)) {
        if (scale - 1.0).abs() < 1e-12 {
            return (self.clone(), origin);
        }
        let (cols, x0) = axis_weights(origin.0, self.width, scale);
        // Rows: work bottom-up (OFX y grows upwards) then flip back.
        let (rows, y0) = axis_weights(origin.1, self.height, scale);
        let (ow, oh) = (cols.len(), rows.len());
        let mut out = HostImage::new(ow, oh);
        for (oy_up, row_w) in rows.iter().enumerate() {
            for (ox, col_w) in cols.iter().enumerate() {
                let mut acc = [0.0f64; 4];
                let mut total = 0.0;
                for &(sy_up, wy) in row_w {
                    let sy = self.height - 1 - sy_up;
                    for &(sx, wx) in col_w {
                        let w = wx * wy;
                        let p = self.get(sx, sy);
                        for c in 0..4 {
                            acc[c] += f64::from(p[c]) * w;
                        }
                        total += w;
                    }
                }
                let v = if total > 0.0 {
                    acc.map(|a| (a / total) as f32)
                } else {
                    [0.0; 4]
                };
                out.set(ox, oh - 1 - oy_up, v);
            }
        }
        (out, (x0, y0))
    }
}

/// For one axis: per output pixel, the (source index, overlap weight) pairs, and the first output
/// pixel coordinate.
fn axis_weights(origin: i32, len: usize, scale: f64) -> (Vec<Vec<(usize, f64)>>, i32) {
    let start = f64::from(origin);
    let end = start + len as f64;
    let p0 = (start * scale).floor() as i32;
    let p1 = (end * scale).ceil() as i32;
    let mut out = Vec::new();
    for p in p0..p1 {
        let (a, b) = (f64::from(p) / scale, f64::from(p + 1) / scale);
        let mut w = Vec::new();
        let first = (a.floor() - start).max(0.0) as usize;
        let last = ((b.ceil() - start).max(0.0) as usize).min(len);
        for i in first..last {
            let (s0, s1) = (start + i as f64, start + i as f64 + 1.0);
            let overlap = b.min(s1) - a.max(s0);
            if overlap > 1e-12 {
                w.push((i, overlap));
            }
        }
        out.push(w);
    }
    (out, p0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_scale_averages_two_by_two() {
        let img = HostImage::from_fn(4, 2, |x, y| [x as f32, y as f32, 0.0, 1.0]);
        let (half, origin) = img.downscale(0.5, (0, 0));
        assert_eq!((half.width, half.height, origin), (2, 1, (0, 0)));
        assert_eq!(half.get(0, 0), [0.5, 0.5, 0.0, 1.0]);
        assert_eq!(half.get(1, 0), [2.5, 0.5, 0.0, 1.0]);
    }

    #[test]
    fn odd_sizes_and_origins_keep_edges() {
        let img = HostImage::filled(3, 3, [1.0; 4]);
        let (half, origin) = img.downscale(0.5, (1, 1));
        // canonical 1..4 covers pixels 0..2 at half scale
        assert_eq!((half.width, half.height, origin), (2, 2, (0, 0)));
        assert!(half.pixels.iter().all(|p| *p == [1.0; 4]));
    }
}
