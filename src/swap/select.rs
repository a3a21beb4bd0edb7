//! Which detected faces a swap applies to: the largest, all, one by its left-to-right index,
//! or the one closest to a reference identity.

/// A detected face's box, top-down frame pixels `[x0, y0, x1, y1]`.
pub type FaceBox = [f32; 4];

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FaceSelection {
    Largest,
    All,
    /// 0 = the leftmost face.
    Index(usize),
    /// The face whose identity is closest to the reference, if within `max_distance`
    /// (cosine distance, 0 = same direction, 2 = opposite).
    ClosestTo {
        max_distance: f32,
    },
}

fn area(b: &FaceBox) -> f32 {
    (b[2] - b[0]).max(0.0) * (b[3] - b[1]).max(0.0)
}

/// Indices into `boxes` of the chosen faces. `distance(i)` gives face i's distance to the
/// reference identity (only asked for `ClosestTo`; `None` when it cannot be measured).
pub fn select(
    boxes: &[FaceBox],
    selection: FaceSelection,
    mut distance: impl FnMut(usize) -> Option<f32>,
) -> Vec<usize> {
    if boxes.is_empty() {
        return Vec::new();
    }
    match selection {
        FaceSelection::All => (0..boxes.len()).collect(),
        FaceSelection::Largest => {
            // Ties go to the earlier (higher-scoring) detection: stable across renders.
            let best = (0..boxes.len()).fold(0, |best, i| {
                if area(&boxes[i]) > area(&boxes[best]) {
                    i
                } else {
                    best
                }
            });
            vec![best]
        }
        FaceSelection::Index(n) => {
            let mut order: Vec<usize> = (0..boxes.len()).collect();
            order.sort_by(|&a, &b| {
                (boxes[a][0] + boxes[a][2]).total_cmp(&(boxes[b][0] + boxes[b][2]))
            });
            order.get(n).map(|&i| vec![i]).unwrap_or_default()
        }
        FaceSelection::ClosestTo { max_distance } => {
            let scored = (0..boxes.len())
                .filter_map(|i| distance(i).filter(|d| d.is_finite()).map(|d| (i, d)));
            scored
                .fold(None, |best: Option<(usize, f32)>, (i, d)| match best {
                    Some((_, bd)) if bd <= d => best,
                    _ => Some((i, d)),
                })
                .filter(|(_, d)| *d <= max_distance)
                .map(|(i, _)| vec![i])
                .unwrap_or_default()
        }
    }
}

/// Cosine distance between two embeddings (1 − cos θ); `None` for zero or mismatched vectors.
pub fn cosine_distance(a: &[f32], b: &[f32]) -> Option<f32> {
    if a.len() != b.len() || a.is_empty() {
        return None;
    }
    let dot: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| f64::from(*x) * f64::from(*y))
        .sum();
    let na: f64 = a.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    (na > 0.0 && nb > 0.0).then(|| (1.0 - dot / (na * nb)) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOXES: [FaceBox; 3] = [
        [300.0, 0.0, 340.0, 40.0],
        [10.0, 0.0, 90.0, 80.0],
        [150.0, 0.0, 200.0, 50.0],
    ];

    #[test]
    fn largest_all_and_index_from_the_left() {
        assert_eq!(select(&BOXES, FaceSelection::Largest, |_| None), vec![1]);
        assert_eq!(select(&BOXES, FaceSelection::All, |_| None), vec![0, 1, 2]);
        assert_eq!(select(&BOXES, FaceSelection::Index(0), |_| None), vec![1]);
        assert_eq!(select(&BOXES, FaceSelection::Index(1), |_| None), vec![2]);
        assert_eq!(select(&BOXES, FaceSelection::Index(2), |_| None), vec![0]);
        assert!(select(&BOXES, FaceSelection::Index(3), |_| None).is_empty());
        assert!(select(&[], FaceSelection::Largest, |_| None).is_empty());
    }

    #[test]
    fn closest_to_reference_respects_the_threshold() {
        let distances = [0.9, 0.3, 0.5];
        let pick = |max| {
            select(
                &BOXES,
                FaceSelection::ClosestTo { max_distance: max },
                |i| Some(distances[i]),
            )
        };
        assert_eq!(pick(0.4), vec![1]);
        assert!(
            pick(0.2).is_empty(),
            "nobody close enough: no swap rather than a wrong face"
        );
    }

    #[test]
    fn cosine_distance_of_known_vectors() {
        assert_eq!(cosine_distance(&[1.0, 0.0], &[2.0, 0.0]), Some(0.0));
        assert!((cosine_distance(&[1.0, 0.0], &[0.0, 3.0]).unwrap() - 1.0).abs() < 1e-6);
        assert_eq!(cosine_distance(&[0.0, 0.0], &[1.0, 0.0]), None);
    }
}
