//! Deterministic data parallelism for the per-pixel passes (std threads only): a buffer is cut
//! into bands of whole rows and every band is computed exactly as one thread would compute it,
//! so results never depend on the number of threads. Nothing here reduces floats across bands.

use std::sync::OnceLock;

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
/// up to [`threads`] threads; a band gets at least `grain` items (starting a thread costs tens of
/// microseconds), so a small buffer stays on the calling thread.
pub(crate) fn bands<T: Send>(
    data: &mut [T],
    row_len: usize,
    grain: usize,
    f: impl Fn(usize, &mut [T]) + Sync,
) {
    let row_len = row_len.max(1);
    let rows = data.len() / row_len;
    let n = threads().min(data.len() / grain.max(1)).min(rows).max(1);
    if n == 1 {
        f(0, data);
        return;
    }
    let band = rows.div_ceil(n);
    std::thread::scope(|s| {
        let mut chunks = data.chunks_mut(band * row_len).enumerate();
        let first = chunks.next();
        for (k, chunk) in chunks {
            let f = &f;
            s.spawn(move || f(k * band, chunk));
        }
        if let Some((_, chunk)) = first {
            f(0, chunk);
        }
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
