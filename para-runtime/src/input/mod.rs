//! What the pool can run over: one trait, [`Source`], for every input kind
//! (slices, vectors, arrays, [`Rows`], ranges), so that map, reduce and
//! map-reduce have one code path each whatever the input.
//!
//! This file holds the trait family ([`Source`], [`SourceItem`],
//! [`IntoSource`]) and the slice, vector and range sources; `rows.rs` the
//! row inputs, [`Rows`] and [`OwnedRows`]; `chunks.rs` [`Chunks`];
//! `lines.rs` [`Lines`]; `zip.rs` the zipped tuples of inputs
//! ([`Zip2`], [`Zip3`], [`Zip4`]).

mod chunks;
mod lines;
#[cfg(feature = "ndarray")]
mod ndarray;
mod out;
mod owned;
mod rows;
mod zip;

#[cfg(feature = "ndarray")]
pub use self::ndarray::{
    ArrayOut, ArrayRows, ArrayRowsMut, ArraySource, StridedIter, StridedRow, StridedRows,
};
pub use chunks::Chunks;
pub use lines::Lines;
pub use out::{IntoOutputs, Outputs, RowsMut, SliceOut};
pub use owned::{ArcSource, SharedSlice};
pub use rows::{OwnedRows, Rows};
pub use zip::{Zip2, Zip3, Zip4};

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
pub(super) fn for_each_slice<'a, T, G: FnMut(usize, &'a T)>(
    s: &'a [T],
    range: Range<usize>,
    mut g: G,
) {
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
