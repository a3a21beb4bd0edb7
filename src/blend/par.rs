//! Deterministic data parallelism for the per-pixel passes (std threads only): a buffer is cut
//! into bands of whole rows and every band is computed exactly as one thread would compute it,
//! so results never depend on the number of threads or on which thread takes which band.
//! Nothing here reduces floats across bands.

use std::sync::{Mutex, OnceLock, PoisonError};

/// Worker threads a pass may use (the machine's parallelism, at most 16).
pub(crate) fn threads() -> usize {
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(16)
    })
}

/// Calls `f(first_row, band)` on bands of whole rows (`row_len` items each) covering `data`, on
/// up to [`threads`] threads taking bands as they come free; a band has at least `grain` items
/// (starting a thread costs tens of microseconds), so a small buffer stays on the calling thread.
pub(crate) fn bands<T: Send>(
    data: &mut [T],
    row_len: usize,
    grain: usize,
    f: impl Fn(usize, &mut [T]) + Sync,
) {
    bands2(
        data,
        row_len,
        &mut [],
        0,
        grain,
        |first, a, _: &mut [()]| f(first, a),
    );
}

/// The rows per band [`bands`] cuts `rows` rows of `row_len` items into: all of them when one
/// thread is to do the work, else about four bands a thread, so that a thread held up by other
/// work is caught up by the rest.
pub(crate) fn band_rows(rows: usize, row_len: usize, grain: usize) -> usize {
    let (items, t) = (rows * row_len, threads());
    if t < 2 || items < 2 * grain.max(1) {
        return rows.max(1);
    }
    let band = (items / (4 * t)).max(grain);
    band.div_ceil(row_len.max(1)).clamp(1, rows)
}

/// [`bands`] over two buffers of the same number of rows (`a_row` and `b_row` items each), cut at
/// the same rows: `f(first_row, a_band, b_band)`.
pub(crate) fn bands2<A: Send, B: Send>(
    a: &mut [A],
    a_row: usize,
    b: &mut [B],
    b_row: usize,
    grain: usize,
    f: impl Fn(usize, &mut [A], &mut [B]) + Sync,
) {
    let a_row = a_row.max(1);
    let rows = a.len() / a_row;
    let band = band_rows(rows, a_row, grain);
    if band >= rows {
        f(0, a, b);
        return;
    }
    let b_bands = b
        .chunks_mut((band * b_row).max(1))
        .chain(std::iter::repeat_with(<&mut [B]>::default));
    let queue = Mutex::new(a.chunks_mut(band * a_row).zip(b_bands).enumerate());
    let work = || loop {
        let next = queue.lock().unwrap_or_else(PoisonError::into_inner).next();
        let Some((k, (a_band, b_band))) = next else {
            break;
        };
        f(k * band, a_band, b_band);
    };
    std::thread::scope(|s| {
        for _ in 1..threads().min(rows.div_ceil(band)) {
            s.spawn(work);
        }
        work();
    });
}

/// `out[i] = f(i)` for every index, in parallel bands (see [`bands`]).
pub(crate) fn fill<T: Send>(out: &mut [T], grain: usize, f: impl Fn(usize) -> T + Sync) {
    bands(out, 1, grain, |first, band| {
        for (i, o) in band.iter_mut().enumerate() {
            *o = f(first + i);
        }
    });
}

/// `(a(), b())`, on two threads when there are two.
pub(crate) fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if threads() < 2 {
        return (a(), b());
    }
    std::thread::scope(|s| {
        let a = s.spawn(a);
        let b = b();
        (a.join().unwrap_or_else(|e| std::panic::resume_unwind(e)), b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_cover_every_row_once_in_place() {
        for len in [0usize, 1, 7, 100_003] {
            let mut v = vec![0usize; len * 3];
            bands(&mut v, 3, 1000, |first, band| {
                for (r, row) in band.chunks_mut(3).enumerate() {
                    row.iter_mut().for_each(|x| *x += first + r + 1);
                }
            });
            assert!(v.chunks(3).enumerate().all(|(r, row)| row == [r + 1; 3]));
            let mut w = vec![0usize; len];
            fill(&mut w, 10, |i| i * 2);
            assert!(w.iter().enumerate().all(|(i, &x)| x == 2 * i));
        }
    }
}
