//! [`Chunks`]: a slice cut into pieces of `n` items, the last one shorter,
//! exactly as `slice::chunks` cuts it.

use super::{IntoSource, Source, SourceItem};
use crate::error::RowsError;
use std::ops::Range;

/// A slice cut into chunks of `n` items, the last one shorter when `n`
/// does not divide the length: items are `&[T]`, as `data.chunks(n)`
/// yields them (where [`Rows`](crate::Rows) refuses a ragged end).
///
/// ```
/// let pool = para_runtime::Pool::new()?;
/// let data: Vec<u32> = (1..=7).collect();
/// let chunks = para_runtime::Chunks::new(&data, 3)?;
/// assert_eq!((chunks.len(), chunks.chunk_len()), (3, 3));
/// let sums: Vec<u32> = pool.map(|c: &[u32]| c.iter().sum(), chunks);
/// assert_eq!(sums, [6, 15, 7]);
/// assert!(para_runtime::Chunks::new(&data, 0).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Chunks<'a, T> {
    data: &'a [T],
    n: usize,
}

impl<T> Clone for Chunks<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Chunks<'_, T> {}

impl<'a, T> Chunks<'a, T> {
    /// Cut `data` into chunks of `n` items (the last one shorter).
    ///
    /// # Errors
    /// [`RowsError::ZeroWidth`] for `n == 0`.
    pub fn new(data: &'a [T], n: usize) -> Result<Self, RowsError> {
        if n == 0 {
            return Err(RowsError::ZeroWidth);
        }
        Ok(Chunks { data, n })
    }

    /// Number of chunks: `data.len().div_ceil(n)`.
    pub fn len(&self) -> usize {
        self.data.len().div_ceil(self.n)
    }

    /// Whether there are no chunks (the data is empty).
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Items per chunk (the last chunk may hold fewer).
    pub fn chunk_len(&self) -> usize {
        self.n
    }

    /// The data behind the chunks.
    pub fn data(&self) -> &'a [T] {
        self.data
    }

    /// Iterate over the chunks in order (`data.chunks(n)`).
    pub fn iter(&self) -> std::slice::Chunks<'a, T> {
        self.data.chunks(self.n)
    }
}

impl<'s, 'a, T> SourceItem<'s> for Chunks<'a, T> {
    type Item = &'a [T];
}

// SAFETY: `len` is fixed by `data` and `n`; for `i < len`, `i * n <
// data.len()`, so chunk `i` is the non-empty in-bounds sub-slice
// `[i * n, min(i * n + n, data.len()))`; `for_each_in` enumerates the
// chunks of the sub-slice for `range`, which starts on a chunk boundary
// and which slicing bounds-checks.
unsafe impl<'a, T: Sync> Source for Chunks<'a, T> {
    type Value = &'a [T];

    #[inline]
    fn len(&self) -> usize {
        Chunks::len(self)
    }

    #[inline]
    unsafe fn get_unchecked(&self, i: usize) -> &'a [T] {
        let (data, n) = (self.data, self.n);
        // `i < len()` so `i * n < data.len()`: no overflow, and the end is
        // computed as `start + min(n, left)` so it cannot overflow either.
        let start = i * n;
        let end = start + n.min(data.len() - start);
        // SAFETY: `start < end <= data.len()`, shown above.
        unsafe { data.get_unchecked(start..end) }
    }

    #[inline]
    fn value(item: &'a [T]) -> &'a [T] {
        item
    }

    #[inline]
    fn for_each_in<G: FnMut(usize, &'a [T])>(&self, range: Range<usize>, mut g: G) {
        let (data, n) = (self.data, self.n);
        assert!(range.end <= data.len().div_ceil(n), "range out of bounds");
        // Saturating: with zero-sized `T` the length may be near
        // `usize::MAX`; the end is capped at the data's length anyway.
        let lo = range.start.saturating_mul(n).min(data.len());
        let hi = range.end.saturating_mul(n).min(data.len());
        let start = range.start;
        for (k, c) in data[lo..hi].chunks(n).enumerate() {
            g(start + k, c);
        }
    }
}

impl<'a, T: Sync> IntoSource for Chunks<'a, T> {
    type Source = Chunks<'a, T>;
    fn into_source(self) -> Self::Source {
        self
    }
}

impl<'a, T: Sync> IntoSource for &Chunks<'a, T> {
    type Source = Chunks<'a, T>;
    fn into_source(self) -> Self::Source {
        *self
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn cuts_like_slice_chunks() {
        for len in 0..20 {
            let data: Vec<u32> = (0..len).collect();
            for n in 1..8 {
                let c = Chunks::new(&data, n).unwrap();
                let want: Vec<&[u32]> = data.chunks(n).collect();
                assert_eq!(Source::len(&c), want.len());
                let mut got = Vec::new();
                c.for_each_in(0..c.len(), |i, x| got.push((i, x)));
                assert_eq!(got, want.iter().copied().enumerate().collect::<Vec<_>>());
                for (i, w) in want.iter().enumerate() {
                    // SAFETY: `i < want.len() == c.len()`.
                    assert_eq!(unsafe { c.get_unchecked(i) }, *w);
                }
                if c.len() > 2 {
                    let mut mid = Vec::new();
                    c.for_each_in(1..c.len() - 1, |i, x| mid.push((i, x)));
                    assert_eq!(mid, got[1..got.len() - 1]);
                }
            }
        }
    }

    #[test]
    fn zero_sized_items_and_zero_width() {
        let units = vec![(); usize::MAX];
        let c = Chunks::new(&units, 1 << 40).unwrap();
        assert_eq!(c.len(), usize::MAX.div_ceil(1 << 40));
        let mut last = None;
        c.for_each_in(c.len() - 1..c.len(), |i, x| last = Some((i, x.len())));
        assert_eq!(last, Some((c.len() - 1, usize::MAX % (1 << 40))));
        assert_eq!(Chunks::new(&units, 0).unwrap_err(), RowsError::ZeroWidth);
    }
}
