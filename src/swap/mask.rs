//! Paste masks in crop space: the blurred, padded box the reference tools use, and combining
//! masks from several sources (box, learned, occlusion, region) with `min`.

use std::sync::Arc;

use parking_lot::Mutex;

/// The box mask's settings, as the reference tools define them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoxMask {
    /// 0..1: the fraction of half the crop that fades out (0.3 by default).
    pub blur: f32,
    /// Padding per side in percent of the crop: top, right, bottom, left.
    pub padding: [f32; 4],
}

impl Default for BoxMask {
    fn default() -> Self {
        BoxMask {
            blur: 0.3,
            padding: [0.0; 4],
        }
    }
}

/// A `size × size` mask, 1 inside; zero bands on each side (the larger of the blur's half-width
/// and the padding), then a Gaussian blur of σ = a/4 with a = ⌊0.5·blur·size⌋ (models.md's numbers).
pub fn box_mask(size: usize, settings: &BoxMask) -> Vec<f32> {
    let blur = settings.blur.clamp(0.0, 1.0);
    let amount = (0.5 * blur * size as f32) as usize;
    let band = (amount / 2).max(1);
    let pad = |i: usize| {
        ((size as f32 * settings.padding[i].clamp(0.0, 100.0) / 100.0) as usize).max(band)
    };
    let (top, right, bottom, left) = (pad(0), pad(1), pad(2), pad(3));
    let mut mask = vec![0.0f32; size * size];
    for y in top..size.saturating_sub(bottom) {
        for x in left..size.saturating_sub(right) {
            mask[y * size + x] = 1.0;
        }
    }
    if amount > 0 {
        gaussian_blur(&mut mask, size, amount as f32 * 0.25);
    }
    mask
}

/// [`box_mask`], remembered: the same size and settings come back every frame.
pub fn box_mask_cached(size: usize, settings: &BoxMask) -> Arc<Vec<f32>> {
    type Key = (usize, u32, [u32; 4]);
    static CACHE: Mutex<Vec<(Key, Arc<Vec<f32>>)>> = Mutex::new(Vec::new());
    let key = (
        size,
        settings.blur.to_bits(),
        settings.padding.map(f32::to_bits),
    );
    if let Some((_, mask)) = CACHE.lock().iter().find(|(k, _)| *k == key) {
        return mask.clone();
    }
    let mask = Arc::new(box_mask(size, settings));
    let mut cache = CACHE.lock();
    if cache.len() >= 16 {
        cache.remove(0);
    }
    cache.push((key, mask.clone()));
    mask
}

/// The normalised f32 taps of a Gaussian of `sigma` over ±⌈3σ⌉ (the GPU twin uses the same).
pub(crate) fn gaussian_kernel(sigma: f32) -> Vec<f32> {
    let radius = (3.0 * sigma).ceil() as isize;
    let kernel: Vec<f32> = (-radius..=radius)
        .map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp())
        .collect();
    let total: f32 = kernel.iter().sum();
    kernel.iter().map(|k| k / total).collect()
}

/// In-place separable Gaussian blur of a square plane, clamp-to-edge border.
fn gaussian_blur(plane: &mut [f32], size: usize, sigma: f32) {
    let kernel = gaussian_kernel(sigma);
    let radius = (kernel.len() / 2) as isize;
    let last = size as isize - 1;
    let mut line = vec![0.0f32; size];
    for pass in 0..2 {
        for a in 0..size {
            let at = |b: usize| {
                if pass == 0 {
                    a * size + b
                } else {
                    b * size + a
                }
            };
            for (b, out) in line.iter_mut().enumerate() {
                *out = kernel
                    .iter()
                    .enumerate()
                    .map(|(k, w)| {
                        w * plane[at((b as isize + k as isize - radius).clamp(0, last) as usize)]
                    })
                    .sum();
            }
            for (b, v) in line.iter().enumerate() {
                plane[at(b)] = *v;
            }
        }
    }
}

/// Combines masks of the same size with `min`: each one may only take area away.
pub fn combine_min(masks: &[&[f32]]) -> Vec<f32> {
    let Some(first) = masks.first() else {
        return Vec::new();
    };
    let mut out = first.to_vec();
    for mask in &masks[1..] {
        for (o, m) in out.iter_mut().zip(mask.iter()) {
            *o = o.min(*m);
        }
    }
    out
}

/// Erodes a learned mask by `radius` px (min filter), then blurs it: DeepFaceLive's treatment
/// of its face masks before pasting.
pub fn erode_and_blur(mask: &[f32], size: usize, radius: usize, sigma: f32) -> Vec<f32> {
    let mut out = mask.to_vec();
    if radius > 0 {
        let mut tmp = out.clone();
        for pass in 0..2 {
            for a in 0..size {
                for b in 0..size {
                    let lo = b.saturating_sub(radius);
                    let hi = (b + radius).min(size - 1);
                    let at = |c: usize| {
                        if pass == 0 {
                            a * size + c
                        } else {
                            c * size + a
                        }
                    };
                    tmp[at(b)] = (lo..=hi).map(|c| out[at(c)]).fold(f32::INFINITY, f32::min);
                }
            }
            out.copy_from_slice(&tmp);
        }
    }
    if sigma > 0.0 {
        gaussian_blur(&mut out, size, sigma);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_mask_is_one_in_the_middle_and_zero_at_the_border() {
        let size = 128;
        let mask = box_mask(size, &BoxMask::default());
        assert!((mask[64 * size + 64] - 1.0).abs() < 1e-4);
        assert!(
            mask[0] < 0.01 && mask[size * size - 1] < 0.01,
            "corners fade out"
        );
        // Symmetric: same fade on the left and right.
        for x in 0..size {
            assert!((mask[64 * size + x] - mask[64 * size + size - 1 - x]).abs() < 1e-5);
        }
    }

    #[test]
    fn padding_cuts_the_named_side_only() {
        let size = 100;
        let padded = box_mask(
            size,
            &BoxMask {
                blur: 0.0,
                padding: [0.0, 0.0, 30.0, 0.0],
            },
        );
        assert_eq!(padded[20 * size + 50], 1.0, "top kept");
        assert_eq!(padded[75 * size + 50], 0.0, "bottom 30% cut");
        assert_eq!(padded[69 * size + 50], 1.0);
    }

    #[test]
    fn blur_widens_with_the_setting() {
        let size = 128;
        let soft = box_mask(
            size,
            &BoxMask {
                blur: 0.6,
                padding: [0.0; 4],
            },
        );
        let hard = box_mask(
            size,
            &BoxMask {
                blur: 0.1,
                padding: [0.0; 4],
            },
        );
        let row = 64 * size;
        assert!(
            soft[row + 20] < hard[row + 20],
            "a stronger blur fades further in"
        );
    }

    #[test]
    fn min_combination_only_removes_area() {
        let a = [1.0, 0.5, 0.0];
        let b = [0.2, 1.0, 1.0];
        assert_eq!(combine_min(&[&a, &b]), vec![0.2, 0.5, 0.0]);
    }

    #[test]
    fn erosion_shrinks_a_square() {
        let size = 20;
        let mut mask = vec![0.0; size * size];
        for y in 5..15 {
            for x in 5..15 {
                mask[y * size + x] = 1.0;
            }
        }
        let eroded = erode_and_blur(&mask, size, 2, 0.0);
        assert_eq!(eroded[6 * size + 10], 0.0);
        assert_eq!(eroded[7 * size + 10], 1.0);
    }
}
