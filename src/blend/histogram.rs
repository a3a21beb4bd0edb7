//! Histogram matching's pieces: weighted quantile tables of one channel (the midpoint rule on
//! the weights of the sorted samples) and the piecewise-linear curve through matching quantiles,
//! looked up through a bucket index (a few comparisons instead of a binary search of the whole
//! table; the index only narrows the search, the answer is the same).

/// Table size of the quantile maps.
pub(crate) const QUANTILES: usize = 4096;
/// Buckets of a curve's index.
const BUCKETS: usize = 4096;

/// The weighted quantiles at k/(QUANTILES−1) of (value, weight) `pairs` whose weights sum to
/// `total` (midpoint rule: each sample sits at the middle of its weight).
pub(crate) fn quantiles(mut pairs: Vec<(f32, f64)>, total: f64) -> Vec<f32> {
    // Equal values in weight order: the interpolation at a run's ends depends on which weight
    // sits there, so ties need one defined order (the GPU twin sorts the same way).
    pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut table = Vec::with_capacity(QUANTILES);
    let (mut i, mut below) = (0, 0.0);
    for k in 0..QUANTILES {
        let target = k as f64 / (QUANTILES - 1) as f64 * total;
        // Advance to the first sample whose midpoint lies at or above the target.
        while i < pairs.len() && below + pairs[i].1 / 2.0 < target {
            below += pairs[i].1;
            i += 1;
        }
        let q = if i == 0 {
            pairs[0].0
        } else if i == pairs.len() {
            pairs[i - 1].0
        } else {
            let (lo, hi) = (below - pairs[i - 1].1 / 2.0, below + pairs[i].1 / 2.0);
            let t = if hi > lo {
                (target - lo) / (hi - lo)
            } else {
                0.0
            };
            (f64::from(pairs[i - 1].0) + t * f64::from(pairs[i].0 - pairs[i - 1].0)) as f32
        };
        table.push(q);
    }
    table
}

/// Piecewise-linear through (from[k], to[k]) with `from` sorted; slope 1 beyond the ends.
pub(crate) struct Curve {
    from: Vec<f32>,
    to: Vec<f32>,
    /// Bucket b of the index holds the values v with `bucket(v)` = b; `index[b]` is the first k
    /// with bucket(from[k]) ≥ b. The bucket is non-decreasing in v, so v's first `from` entry
    /// ≥ v lies in index[b]..=index[b + 1].
    index: Vec<usize>,
    lo: f64,
    scale: f64,
}

impl Curve {
    pub fn new(from: Vec<f32>, to: Vec<f32>) -> Curve {
        let (lo, hi) = (f64::from(from[0]), f64::from(from[from.len() - 1]));
        let scale = if hi > lo {
            BUCKETS as f64 / (hi - lo)
        } else {
            0.0
        };
        let mut curve = Curve {
            from,
            to,
            index: Vec::with_capacity(BUCKETS + 1),
            lo,
            scale,
        };
        let mut k = 0;
        for b in 0..=BUCKETS {
            while k < curve.from.len() && curve.bucket(curve.from[k]) < b {
                k += 1;
            }
            curve.index.push(k);
        }
        curve
    }

    #[inline]
    fn bucket(&self, v: f32) -> usize {
        (((f64::from(v) - self.lo) * self.scale) as usize).min(BUCKETS - 1)
    }

    /// The curve at v; a value equal to a run of equal `from` entries maps to the middle of the
    /// matching `to` run.
    pub fn map(&self, v: f32) -> f32 {
        let (from, to) = (&self.from, &self.to);
        let n = from.len();
        let first_ge = if v < from[0] {
            0
        } else if v > from[n - 1] {
            n
        } else {
            let b = self.bucket(v);
            let (k0, k1) = (self.index[b], self.index[b + 1].min(n - 1));
            k0 + from[k0..=k1].partition_point(|&f| f < v)
        };
        if first_ge < n && from[first_ge] == v {
            let first_gt = first_ge + from[first_ge..].partition_point(|&f| f <= v);
            return ((f64::from(to[first_ge]) + f64::from(to[first_gt - 1])) / 2.0) as f32;
        }
        if first_ge == 0 {
            return to[0] + (v - from[0]);
        }
        if first_ge == n {
            return to[n - 1] + (v - from[n - 1]);
        }
        let (k0, k1) = (first_ge - 1, first_ge);
        let t = (f64::from(v) - f64::from(from[k0])) / (f64::from(from[k1]) - f64::from(from[k0]));
        (f64::from(to[k0]) + t * (f64::from(to[k1]) - f64::from(to[k0]))) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexed_lookup_equals_a_plain_binary_search() {
        let from: Vec<f32> = (0..QUANTILES)
            .map(|k| ((k as f32 / 300.0).powi(3) * 0.01).floor() - 0.5 + (k / 700) as f32)
            .collect();
        let to: Vec<f32> = (0..QUANTILES).map(|k| k as f32 / 1000.0).collect();
        let curve = Curve::new(from.clone(), to.clone());
        let plain = |v: f32| {
            let first_ge = from.partition_point(|&f| f < v);
            (first_ge, from.partition_point(|&f| f <= v))
        };
        for i in -2000..60_000 {
            let v = i as f32 / 1000.0 + 0.0003;
            let (ge, gt) = plain(v);
            let want = if ge < gt {
                ((f64::from(to[ge]) + f64::from(to[gt - 1])) / 2.0) as f32
            } else if ge == 0 {
                to[0] + (v - from[0])
            } else if ge == from.len() {
                to[ge - 1] + (v - from[ge - 1])
            } else {
                let t = (f64::from(v) - f64::from(from[ge - 1]))
                    / (f64::from(from[ge]) - f64::from(from[ge - 1]));
                (f64::from(to[ge - 1]) + t * (f64::from(to[ge]) - f64::from(to[ge - 1]))) as f32
            };
            assert_eq!(curve.map(v).to_bits(), want.to_bits(), "{v}");
        }
        for &v in &from {
            let _ = curve.map(v);
        }
    }
}
