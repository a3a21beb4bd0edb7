//! Pixel boost: splitting a `k·S` crop into `k²` interleaved `S × S` sub-images so a model of
//! resolution S can paint it, and re-interleaving the results.
//!
//! Sub-image `(i, j)` is `crop[i::k, j::k]` in NumPy's `[row, column]` notation: its pixel at
//! column x, row y is the crop's pixel at column `x·k + j`, row `y·k + i`. The parts are ordered
//! row offset first: `parts[i·k + j]` (the order FaceFusion's reshape/transpose produces).

use std::fmt;

use crate::Frame;

/// A crop or a set of parts that cannot be split or merged with the given factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoostError(pub String);

impl fmt::Display for BoostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pixel boost: {}", self.0)
    }
}

impl std::error::Error for BoostError {}

/// Splits `crop` into `k²` interleaved sub-images (order in the module docs). `k = 1` returns
/// the crop itself. Fails when `k` is 0 or does not divide both sides of the crop.
pub fn boost_split(crop: &Frame, k: usize) -> Result<Vec<Frame>, BoostError> {
    let (w, h) = crop.size();
    if k == 0 || w % k != 0 || h % k != 0 {
        return Err(BoostError(format!(
            "factor {k} does not divide a {w}x{h} crop"
        )));
    }
    let (sw, sh) = (w / k, h / k);
    let mut parts: Vec<Vec<_>> = (0..k * k).map(|_| Vec::with_capacity(sw * sh)).collect();
    for y in 0..h {
        let i = y % k;
        let row = crop.row(y);
        // Parts i·k .. i·k + k take this row; pixel x goes to part i·k + x mod k.
        for (x, &px) in row.iter().enumerate() {
            parts[i * k + x % k].push(px);
        }
    }
    Ok(parts
        .into_iter()
        .map(|p| Frame::from_pixels(sw, sh, p).expect("each part receives sw·sh pixels"))
        .collect())
}

/// Re-interleaves `k²` equal-sized parts (order in the module docs) into one `k·S` crop: the
/// exact inverse of [`boost_split`]. Fails when there are not `k²` parts or their sizes differ.
pub fn boost_merge(parts: &[Frame], k: usize) -> Result<Frame, BoostError> {
    if k == 0 || parts.len() != k * k {
        return Err(BoostError(format!(
            "{} parts cannot be interleaved with factor {k}",
            parts.len()
        )));
    }
    let (sw, sh) = parts[0].size();
    if let Some(odd) = parts.iter().find(|p| p.size() != (sw, sh)) {
        return Err(BoostError(format!(
            "parts differ in size: {sw}x{sh} and {}x{}",
            odd.width(),
            odd.height()
        )));
    }
    let (w, h) = (sw * k, sh * k);
    let mut out = Frame::new(w, h);
    for y in 0..h {
        let (i, sy) = (y % k, y / k);
        let sources: Vec<&[crate::Rgba]> = (0..k).map(|j| parts[i * k + j].row(sy)).collect();
        for (x, px) in out.row_mut(y).iter_mut().enumerate() {
            *px = sources[x % k][x / k];
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered(w: usize, h: usize) -> Frame {
        Frame::from_fn(w, h, |x, y| {
            [x as f32, y as f32, (x * 7 + y * 13) as f32, 1.0]
        })
    }

    #[test]
    fn split_takes_every_kth_pixel_row_offset_first() {
        for k in [1, 2, 3, 4] {
            let crop = numbered(5 * k, 3 * k);
            let parts = boost_split(&crop, k).unwrap();
            assert_eq!(parts.len(), k * k);
            for i in 0..k {
                for j in 0..k {
                    let part = &parts[i * k + j];
                    assert_eq!(part.size(), (5, 3));
                    for y in 0..3 {
                        for x in 0..5 {
                            assert_eq!(
                                part.pixel(x, y),
                                crop.pixel(x * k + j, y * k + i),
                                "k={k} ({i},{j})"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn split_and_merge_are_exact_inverses() {
        for k in [1, 2, 4] {
            let crop = numbered(8 * k, 8 * k);
            let parts = boost_split(&crop, k).unwrap();
            assert_eq!(boost_merge(&parts, k).unwrap(), crop);
            // And the other way round: merging arbitrary parts then splitting gives them back.
            let parts: Vec<Frame> = (0..k * k)
                .map(|p| Frame::from_fn(6, 4, |x, y| [p as f32, x as f32, y as f32, 0.5]))
                .collect();
            let merged = boost_merge(&parts, k).unwrap();
            assert_eq!(merged.size(), (6 * k, 4 * k));
            assert_eq!(boost_split(&merged, k).unwrap(), parts);
        }
    }

    #[test]
    fn bad_factors_and_parts_are_refused() {
        let crop = numbered(10, 10);
        assert!(boost_split(&crop, 0).is_err());
        assert!(boost_split(&crop, 3).is_err());
        assert!(boost_split(&numbered(12, 10), 4).is_err());
        let parts = boost_split(&crop, 2).unwrap();
        assert!(boost_merge(&parts[..3], 2).is_err());
        assert!(boost_merge(&parts, 0).is_err());
        let mut uneven = parts.clone();
        uneven[3] = numbered(4, 5);
        let err = boost_merge(&uneven, 2).unwrap_err();
        assert!(err.to_string().contains("differ"), "{err}");
    }
}
