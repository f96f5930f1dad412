//! What the pool runs over: the [`Source`] trait family.
//!
//! Every input of a call (a slice, a `Vec`, an array, [`Rows`](crate::Rows),
//! a range) converts through [`IntoSource`] into a [`Source`]: `len()`
//! items, each fetched by index from any thread. That is the one code path
//! of `map`, `reduce` and `map_reduce` whatever the input. The conversions
//! produce [`SliceSource`] (`&[T]`, `&Vec<T>`, `&[T; N]`), [`VecSource`]
//! (`Vec<T>`), `Rows` itself and [`RangeSource`] (`Range<usize>`,
//! `RangeInclusive<usize>`); [`OwnedRows`] is the owned counterpart of
//! `Rows` (rows in a `Vec` of their own).
//!
//! [`Item`] names the item type of a source (`&T`, `&[T]`, `usize`), which
//! [`SourceItem`] defines per borrow. Implement these for an input of your
//! own: `Source` is an `unsafe trait`, and its `# Safety` section is what
//! the implementation promises.
//!
//! Code that hands the inputs above to the macros or to `Pool`'s methods
//! never names the traits. The same names at the crate root
//! (`para::Source`, ...) keep working and are hidden from its docs.
//!
//! ```
//! use para::input::{IntoSource, RangeSource, SliceSource, Source, SourceItem};
//!
//! /// Every `step`-th value of a slice (`step > 0`).
//! struct Strided<'a> {
//!     data: &'a [f32],
//!     step: usize,
//! }
//!
//! impl<'s> SourceItem<'s> for Strided<'_> {
//!     type Item = f32;
//! }
//!
//! // SAFETY: `len` depends only on fields that never change; for
//! // `i < len()`, `i * step < data.len()`; the default `for_each_in` walks
//! // exactly the range it is given.
//! unsafe impl Source for Strided<'_> {
//!     type Value = f32;
//!     fn len(&self) -> usize {
//!         self.data.len().div_ceil(self.step)
//!     }
//!     unsafe fn get_unchecked(&self, i: usize) -> f32 {
//!         // SAFETY: the caller promises `i < self.len()`, so the index is in bounds.
//!         unsafe { *self.data.get_unchecked(i * self.step) }
//!     }
//!     fn value(item: f32) -> f32 {
//!         item
//!     }
//! }
//!
//! impl IntoSource for Strided<'_> {
//!     type Source = Self;
//!     fn into_source(self) -> Self {
//!         self
//!     }
//! }
//!
//! let data: Vec<f32> = (0..10).map(|i| i as f32).collect();
//! let pool = para::Pool::builder().concurrency(2).build()?;
//! let every_third = || Strided { data: &data, step: 3 };
//! assert_eq!(pool.map(|x: f32| x * 2.0, every_third()), [0.0, 6.0, 12.0, 18.0]);
//! assert_eq!(pool.reduce(|a, b| a + b, 0.0, every_third()), 18.0);
//!
//! // The built-in conversions, named:
//! let s: SliceSource<'_, f32> = data.as_slice().into_source();
//! let r: RangeSource = (10..=19).into_source();
//! assert_eq!((s.len(), r.len()), (10, 10));
//! # Ok::<(), para::BuildError>(())
//! ```

#[doc(inline)]
pub use para_runtime::{
    Chunks, IntoSource, Item, Lines, OwnedRows, RangeSource, SliceSource, Source, SourceItem,
    VecSource, Zip2, Zip3, Zip4,
};

/// ndarray inputs and outputs (cargo feature `ndarray`): `ArrayView1<T>` /
/// `&Array1<T>` convert into [`ArraySource`] (items `&T`), `ArrayView2<T>`
/// / `&Array2<T>` into [`ArrayRows`] (items `&[T]`, rows contiguous),
/// [`StridedRows::new`] takes a view of any layout (items [`StridedRow`]);
/// `ArrayViewMut2<T>` / `&mut Array2<T>` are `pmap_into!` row outputs
/// ([`ArrayRowsMut`]), `ArrayViewMut1<U>` / `&mut Array1<U>` element
/// outputs ([`ArrayOut`]).
#[cfg(feature = "ndarray")]
#[doc(inline)]
pub use para_runtime::{
    ArrayOut, ArrayRows, ArrayRowsMut, ArraySource, StridedIter, StridedRow, StridedRows,
};

// The shared owned inputs of async calls (`Arc<[T]>`, `Arc<Vec<T>>`).
#[doc(inline)]
pub use para_runtime::{ArcSource, SharedSlice};

// The output side of `pmap_into!`: disjoint slots, one per item.
#[doc(inline)]
pub use para_runtime::{IntoOutputs, Outputs, SliceOut};
