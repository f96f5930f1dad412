//! Row inputs: [`Rows`], a flat slice viewed as rows of equal width, and
//! [`OwnedRows`], the same over a `Vec` of its own. Items are `&[T]`, one
//! per row.

use super::{IntoSource, Source, SourceItem};
use crate::error::RowsError;
use std::ops::Range;

/// A flat slice viewed as rows of equal width: the input of row kernels
/// (`fn score(row: &[f32]) -> f32`).
///
/// ```
/// let data = vec![1.0_f32, 2.0, 3.0, 4.0, 5.0, 6.0];
/// let rows = para_runtime::Rows::new(&data, 3)?;
/// assert_eq!((rows.len(), rows.width()), (2, 3));
/// assert_eq!(rows.row(1), &[4.0, 5.0, 6.0]);
/// assert!(para_runtime::Rows::new(&data, 4).is_err());
/// # Ok::<(), para_runtime::RowsError>(())
/// ```
#[derive(Debug)]
pub struct Rows<'a, T> {
    data: &'a [T],
    width: usize,
}

impl<T> Clone for Rows<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Rows<'_, T> {}

impl<'a, T> Rows<'a, T> {
    /// View `data` as rows of `width` items.
    ///
    /// # Errors
    /// [`RowsError::ZeroWidth`] for `width == 0`; [`RowsError::Ragged`] when
    /// `data.len()` is not a multiple of `width`. Nothing is copied either
    /// way.
    pub fn new(data: &'a [T], width: usize) -> Result<Self, RowsError> {
        if width == 0 {
            return Err(RowsError::ZeroWidth);
        }
        if !data.len().is_multiple_of(width) {
            return Err(RowsError::Ragged {
                len: data.len(),
                width,
            });
        }
        Ok(Rows { data, width })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.data.len() / self.width
    }

    /// Items per row.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Row `i`.
    ///
    /// # Panics
    /// If `i >= self.len()`.
    pub fn row(&self, i: usize) -> &'a [T] {
        &self.data[i * self.width..(i + 1) * self.width]
    }

    /// The flat data behind the rows.
    pub fn data(&self) -> &'a [T] {
        self.data
    }

    /// Iterate over the rows in order.
    pub fn iter(&self) -> std::slice::ChunksExact<'a, T> {
        self.data.chunks_exact(self.width)
    }
}

impl<'s, 'a, T> SourceItem<'s> for Rows<'a, T> {
    type Item = &'a [T];
}

// SAFETY: `len` is fixed by `data` and `width`; rows `i < len` lie inside
// `data`; `for_each_in` enumerates the rows of the sub-slice for `range`,
// which slicing bounds-checks.
unsafe impl<'a, T: Sync> Source for Rows<'a, T> {
    type Value = &'a [T];

    #[inline]
    fn len(&self) -> usize {
        Rows::len(self)
    }

    #[inline]
    unsafe fn get_unchecked(&self, i: usize) -> &'a [T] {
        // SAFETY: `i < len()` (caller's promise), so the row
        // `[i * width, (i + 1) * width)` lies inside `data`, whose length is
        // `len() * width` by construction in `Rows::new`.
        unsafe {
            self.data
                .get_unchecked(i * self.width..(i + 1) * self.width)
        }
    }

    #[inline]
    fn value(item: &'a [T]) -> &'a [T] {
        item
    }

    #[inline]
    fn for_each_in<G: FnMut(usize, &'a [T])>(&self, range: Range<usize>, mut g: G) {
        let (data, width) = (self.data, self.width);
        let start = range.start;
        for (k, row) in data[range.start * width..range.end * width]
            .chunks_exact(width)
            .enumerate()
        {
            g(start + k, row);
        }
    }
}

impl<'a, T: Sync> IntoSource for Rows<'a, T> {
    type Source = Rows<'a, T>;
    fn into_source(self) -> Self::Source {
        self
    }
}

impl<'a, T: Sync> IntoSource for &Rows<'a, T> {
    type Source = Rows<'a, T>;
    fn into_source(self) -> Self::Source {
        *self
    }
}

/// Rows that own their data: the owned counterpart of [`Rows`], for rows
/// that must outlive the buffer they came from. Items are `&[T]` borrowed
/// from it for the duration of a call.
///
/// ```
/// let pool = para_runtime::Pool::new()?;
/// let rows = para_runtime::OwnedRows::new(vec![1, 2, 3, 4, 5, 6], 3);
/// assert_eq!((rows.len(), rows.width()), (2, 3));
/// let sums: Vec<i32> = pool.map(|r: &[i32]| r.iter().sum(), &rows);
/// assert_eq!(sums, [6, 15]);
/// // By value, the rows move into the call.
/// let firsts: Vec<i32> = pool.map(|r: &[i32]| r[0], rows);
/// assert_eq!(firsts, [1, 4]);
/// # Ok::<(), para_runtime::BuildError>(())
/// ```
///
/// # Why it exists without the `mpi` feature
/// A cluster call receives each rank's share of a [`Rows`] input into a
/// fresh buffer, and runs that share as an `OwnedRows`; but nothing in the
/// type needs MPI. It is the rows member of the input family (with
/// [`VecSource`](super::VecSource), the owned form of a slice), for rows
/// built into a `Vec` and handed to a call without a borrow to keep
/// alive. Gated behind
/// `mpi`, the name would come and go with a feature that needs a system MPI
/// library, for a type that works without one; so it is in every build,
/// and an input of every pool call ([`IntoSource`]: by value, or through
/// `&` as a [`Rows`] view).
///
/// A reduction over an `OwnedRows` by value folds `()` (an owned source
/// cannot hand out its rows by value); reduce `&rows` (a [`Rows`] view,
/// whose values are the row slices) or map the rows first.
#[derive(Debug, Clone)]
pub struct OwnedRows<T> {
    data: Vec<T>,
    width: usize,
}

impl<T> OwnedRows<T> {
    /// Rows of `width` over `data`.
    ///
    /// # Panics
    /// If `width` is 0 or does not divide `data.len()`.
    pub fn new(data: Vec<T>, width: usize) -> Self {
        assert!(
            width > 0 && data.len().is_multiple_of(width),
            "ragged owned rows"
        );
        OwnedRows { data, width }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.data.len() / self.width
    }

    /// Items per row.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The rows as a borrowed [`Rows`] view.
    pub fn as_rows(&self) -> Rows<'_, T> {
        Rows {
            data: &self.data,
            width: self.width,
        }
    }

    /// The flat data behind the rows.
    pub fn into_inner(self) -> Vec<T> {
        self.data
    }
}

impl<T: Sync> IntoSource for OwnedRows<T> {
    type Source = OwnedRows<T>;
    fn into_source(self) -> Self::Source {
        self
    }
}

impl<'a, T: Sync> IntoSource for &'a OwnedRows<T> {
    type Source = Rows<'a, T>;
    fn into_source(self) -> Self::Source {
        self.as_rows()
    }
}

impl<'s, T> SourceItem<'s> for OwnedRows<T> {
    type Item = &'s [T];
}

// SAFETY: as for `Rows`, over owned data that is never resized; the
// default `for_each_in` walks exactly `range`.
unsafe impl<T: Sync> Source for OwnedRows<T> {
    type Value = ();

    #[inline]
    fn len(&self) -> usize {
        OwnedRows::len(self)
    }

    #[inline]
    unsafe fn get_unchecked(&self, i: usize) -> &[T] {
        // SAFETY: `i < len()` (caller's promise) and `data.len() == len() *
        // width` by construction.
        unsafe {
            self.data
                .get_unchecked(i * self.width..(i + 1) * self.width)
        }
    }

    #[inline]
    fn value(_: &[T]) {}
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::input::Item;

    fn rows_of<S: Source>(s: &S) -> Vec<Vec<i32>>
    where
        for<'s> Item<'s, S>: AsRef<[i32]>,
    {
        let mut out = Vec::new();
        s.for_each_in(0..s.len(), |_, r| out.push(r.as_ref().to_vec()));
        out
    }

    #[test]
    fn owned_rows_are_an_input_by_value_and_through_a_view() {
        let rows = OwnedRows::new((1..=6).collect(), 2);
        assert_eq!((rows.len(), rows.width(), rows.is_empty()), (3, 2, false));
        let want = vec![vec![1, 2], vec![3, 4], vec![5, 6]];
        let view = (&rows).into_source();
        assert_eq!(rows_of(&view), want);
        // The view's values are the rows themselves (what `reduce` folds).
        // SAFETY: 1 < 3 rows.
        let second = unsafe { view.get_unchecked(1) };
        assert_eq!(<Rows<'_, i32> as Source>::value(second), [3, 4]);
        assert_eq!(rows_of(&rows.clone().into_source()), want);
        assert_eq!(rows.into_inner(), [1, 2, 3, 4, 5, 6]);
        assert!(OwnedRows::<u8>::new(Vec::new(), 3).is_empty());
    }
}
