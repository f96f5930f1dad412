//! What the pool can run over: one trait, [`Source`], for every input kind
//! (slices, vectors, arrays, [`Rows`], ranges), so that map, reduce and
//! map-reduce have one code path each whatever the input.

use crate::error::RowsError;
use std::ops::{Range, RangeInclusive};

/// An indexable, shareable input: `len()` items, each fetched by index from
/// any thread.
///
/// Implemented for the sources the [`IntoSource`] conversions produce; user
/// types may implement it too (a strided view, a lazily computed sequence).
///
/// # Safety
///
/// The pool writes each call's outputs through raw pointers at the indices
/// a source hands it, so it relies on this contract, and breaking it is
/// undefined behaviour. An implementation must ensure that:
///
/// - `len()` returns the same value every time it is called on the same
///   value, for as long as the source lives;
/// - `get_unchecked(i)` is sound to call for every `i < len()`, from any
///   thread, concurrently;
/// - `for_each_in(range, g)` calls `g(i, item i)` exactly once for each
///   `i` in `range`, in increasing order, and for no other `i` (or panics,
///   before or after any number of those calls, which is allowed).
///
/// A source that cannot promise this cannot be passed to the pool; there
/// is no safe way to implement this trait, so a lying safe implementation
/// does not compile:
///
/// ```compile_fail,E0200
/// use para_runtime::{Item, Source, SourceItem};
/// struct Liar;
/// impl SourceItem<'_> for Liar { type Item = usize; }
/// impl Source for Liar { // error[E0200]: the trait `Source` requires an `unsafe impl`
///     type Value = usize;
///     fn len(&self) -> usize { 10 }
///     unsafe fn get_unchecked(&self, i: usize) -> usize { i }
///     fn value(i: usize) -> usize { i }
///     fn for_each_in<G: FnMut(usize, usize)>(&self, _: std::ops::Range<usize>, _: G) {}
/// }
/// ```
pub unsafe trait Source: Sync + for<'s> SourceItem<'s> {
    /// What a reduction folds: the item in owned form (`T` cloned from `&T`,
    /// the row slice itself, the index).
    type Value: Clone + Send + Sync;

    /// Number of items.
    fn len(&self) -> usize;

    /// Whether there are no items.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Item `i`.
    ///
    /// # Safety
    /// `i < self.len()`.
    unsafe fn get_unchecked(&self, i: usize) -> Item<'_, Self>;

    /// The owned value of an item, for reductions.
    fn value(item: Item<'_, Self>) -> Self::Value;

    /// Call `g(i, item i)` for every `i` in `range`, in order, exactly once
    /// each (see the trait's `# Safety`).
    ///
    /// Implementations copy their fields into locals before looping, so
    /// that writes the callback makes through raw pointers cannot be
    /// assumed to alias them: that is what lets the map loop vectorise.
    ///
    /// # Panics
    /// May panic if `range` is not inside `0..self.len()`.
    #[inline]
    fn for_each_in<G: FnMut(usize, Item<'_, Self>)>(&self, range: Range<usize>, mut g: G) {
        assert!(range.end <= self.len(), "range out of bounds");
        for i in range {
            // SAFETY: `i < range.end <= self.len()`, checked above.
            g(i, unsafe { self.get_unchecked(i) });
        }
    }
}

#[inline]
fn for_each_slice<'a, T, G: FnMut(usize, &'a T)>(s: &'a [T], range: Range<usize>, mut g: G) {
    let start = range.start;
    for (k, x) in s[range].iter().enumerate() {
        g(start + k, x);
    }
}

/// The item type of a [`Source`] borrowed for `'s`.
///
/// A separate trait, rather than a generic associated type, so that bounds
/// such as `for<'s> Fn(Item<'s, S>)` work for borrowed sources: the defaulted
/// `Bound = &'s Self` parameter gives every `'s` the implied bound
/// `Self: 's`, where a GAT's `where Self: 's` would force `'static`.
pub trait SourceItem<'s, Bound = &'s Self> {
    /// What a kernel receives for each item (`&T` for slices, `&[T]` for
    /// rows, `usize` for ranges).
    type Item;
}

/// Shorthand for the item type of source `S` borrowed for `'s`.
pub type Item<'s, S> = <S as SourceItem<'s>>::Item;

/// Conversion into a [`Source`]: what the pool's methods accept as input.
///
/// Implemented for `&[T]`, `&Vec<T>`, `&[T; N]`, `Vec<T>` (items `&T`),
/// [`Rows`] and [`OwnedRows`] (items `&[T]`, one per row) and
/// `Range<usize>` / `RangeInclusive<usize>` (items `usize`).
pub trait IntoSource {
    /// The source this converts into.
    type Source: Source;
    /// Convert.
    fn into_source(self) -> Self::Source;
}

/// A borrowed slice as a source; items are `&T`.
#[derive(Debug, Clone, Copy)]
pub struct SliceSource<'a, T>(pub &'a [T]);

impl<'s, 'a, T> SourceItem<'s> for SliceSource<'a, T> {
    type Item = &'a T;
}

// SAFETY: `len` is the slice's fixed length, `get_unchecked` indexes it,
// and `for_each_slice` enumerates exactly `range` (slicing panics if it is
// out of bounds).
unsafe impl<'a, T: Sync + Clone + Send> Source for SliceSource<'a, T> {
    type Value = T;

    #[inline]
    fn len(&self) -> usize {
        self.0.len()
    }

    #[inline]
    unsafe fn get_unchecked(&self, i: usize) -> &'a T {
        // SAFETY: the caller promises `i < self.len()`.
        unsafe { self.0.get_unchecked(i) }
    }

    #[inline]
    fn value(item: &'a T) -> T {
        item.clone()
    }

    #[inline]
    fn for_each_in<G: FnMut(usize, &'a T)>(&self, range: Range<usize>, g: G) {
        for_each_slice(self.0, range, g);
    }
}

/// An owned vector as a source; items are `&T` borrowed from it for the
/// duration of the call.
#[derive(Debug, Clone)]
pub struct VecSource<T>(pub Vec<T>);

impl<'s, T> SourceItem<'s> for VecSource<T> {
    type Item = &'s T;
}

// SAFETY: as for `SliceSource`: the vector is owned and never resized
// while borrowed.
unsafe impl<T: Sync + Clone + Send> Source for VecSource<T> {
    type Value = T;

    #[inline]
    fn len(&self) -> usize {
        self.0.len()
    }

    #[inline]
    unsafe fn get_unchecked(&self, i: usize) -> &T {
        // SAFETY: the caller promises `i < self.len()`.
        unsafe { self.0.get_unchecked(i) }
    }

    #[inline]
    fn value(item: &T) -> T {
        item.clone()
    }

    #[inline]
    fn for_each_in<G: FnMut(usize, &T)>(&self, range: Range<usize>, g: G) {
        for_each_slice(&self.0, range, g);
    }
}

/// A range of indices as a source; items are `usize`.
#[derive(Debug, Clone, Copy)]
pub struct RangeSource {
    start: usize,
    len: usize,
}

impl SourceItem<'_> for RangeSource {
    type Item = usize;
}

// SAFETY: `len` is a fixed field; `get_unchecked` is plain arithmetic
// (`start + i <= usize::MAX` for `i < len`, by construction);
// `for_each_in` walks exactly `range` after the bounds check.
unsafe impl Source for RangeSource {
    type Value = usize;

    #[inline]
    fn len(&self) -> usize {
        self.len
    }

    #[inline]
    unsafe fn get_unchecked(&self, i: usize) -> usize {
        self.start + i
    }

    #[inline]
    fn value(item: usize) -> usize {
        item
    }

    #[inline]
    fn for_each_in<G: FnMut(usize, usize)>(&self, range: Range<usize>, mut g: G) {
        assert!(range.end <= self.len, "range out of bounds");
        let start = self.start;
        for i in range {
            g(i, start + i);
        }
    }
}

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

impl<'a, T: Sync + Clone + Send> IntoSource for &'a [T] {
    type Source = SliceSource<'a, T>;
    fn into_source(self) -> Self::Source {
        SliceSource(self)
    }
}

impl<'a, T: Sync + Clone + Send> IntoSource for &'a Vec<T> {
    type Source = SliceSource<'a, T>;
    fn into_source(self) -> Self::Source {
        SliceSource(self.as_slice())
    }
}

impl<'a, T: Sync + Clone + Send, const N: usize> IntoSource for &'a [T; N] {
    type Source = SliceSource<'a, T>;
    fn into_source(self) -> Self::Source {
        SliceSource(self.as_slice())
    }
}

impl<T: Sync + Clone + Send> IntoSource for Vec<T> {
    type Source = VecSource<T>;
    fn into_source(self) -> Self::Source {
        VecSource(self)
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

impl IntoSource for Range<usize> {
    type Source = RangeSource;
    fn into_source(self) -> Self::Source {
        RangeSource {
            start: self.start,
            len: self.end.saturating_sub(self.start),
        }
    }
}

impl IntoSource for RangeInclusive<usize> {
    type Source = RangeSource;
    /// # Panics
    /// For `a..=usize::MAX` with `a == 0`, whose length does not fit a `usize`.
    fn into_source(self) -> Self::Source {
        let (start, end) = (*self.start(), *self.end());
        let len = if self.is_empty() {
            0
        } else {
            (end - start)
                .checked_add(1)
                .expect("range 0..=usize::MAX has more items than fit in a usize")
        };
        RangeSource { start, len }
    }
}

/// A [`Source`] passed through as is (used by the macros, which convert
/// inputs themselves).
#[doc(hidden)]
#[derive(Debug)]
pub struct AsIs<S>(pub S);

impl<S: Source> IntoSource for AsIs<S> {
    type Source = S;
    fn into_source(self) -> S {
        self.0
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
/// [`VecSource`], the owned form of a slice), for rows built into a `Vec`
/// and handed to a call without a borrow to keep alive. Gated behind
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
