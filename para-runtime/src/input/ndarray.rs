//! ndarray arrays and views as inputs and outputs (cargo feature
//! `ndarray`).
//!
//! Inputs ([`IntoSource`]):
//!
//! - one-dimensional: `ArrayView1<T>`, `&Array1<T>` (any `&ArrayBase` of
//!   one dimension, `&ArrayRef1<T>`) convert into an [`ArraySource`],
//!   items `&T`, any stride;
//! - two-dimensional: `ArrayView2<T>`, `&Array2<T>` (and the same
//!   references) convert into [`ArrayRows`], items `&[T]`, one per row, for
//!   every layout whose rows are contiguous (column stride 1: standard
//!   layout, a row range, a row step). A layout whose rows are not
//!   contiguous (a transposed view, a column step) goes through
//!   [`StridedRows::new`], items [`StridedRow`]: a `Copy` row view with
//!   `len`, `get`, `iter` and indexing, no allocation. The choice is the
//!   caller's, in the type: a kernel over `&[T]` rows never receives a
//!   copy, and one over [`StridedRow`] takes any layout.
//!
//! Outputs ([`IntoOutputs`], for `pmap_into!`): `ArrayViewMut2<T>` and
//! `&mut Array2<T>` as [`ArrayRowsMut`] (slots `[T]`, one row each; the
//! rows must be contiguous), `ArrayViewMut1<U>` and `&mut Array1<U>` as
//! [`ArrayOut`] (slots `U`, any stride).
//!
//! Results: a call returns a `Vec<U>`, which `Array1::from` takes over
//! without a copy (and `Array2::from_shape_vec` likewise).
//!
//! Reductions: an [`ArraySource`]'s values are its elements, so
//! `pool.reduce(f, init, &array1)` folds the same values over the same
//! tree (the tree depends only on the length and the chunk size) as
//! `pool.reduce(f, init, array1.as_slice().unwrap())`, to the bit, and
//! the same holds for a strided view against its elements collected.

use super::{for_each_slice, IntoOutputs, IntoSource, Outputs, Rows, Source, SourceItem};
use crate::pure_data::PureData;
use ::ndarray::{
    ArrayBase, ArrayRef, ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2, Data, DataMut,
    Dimension, Ix1, Ix2, OwnedRepr, ViewRepr,
};
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Index, Range};

/// `ptr + i * stride` for an element `i` of a view.
///
/// # Safety
/// `ptr` is the first element of an ndarray view and `i * stride` the
/// offset of one of its elements (ndarray keeps each such offset in
/// bounds of the allocation, in bytes within `isize`).
#[inline(always)]
unsafe fn at<T>(ptr: *const T, i: usize, stride: isize) -> *const T {
    // SAFETY: the caller's promise: the offset lands on an element of the
    // same allocation.
    unsafe { ptr.offset((i as isize).wrapping_mul(stride)) }
}

/// The contiguous row at `ptr` of `cols` items.
///
/// # Safety
/// `cols == 0`, or `ptr..ptr + cols` are elements of a live view,
/// readable for `'a`.
#[inline(always)]
unsafe fn row_slice<'a, T>(ptr: *const T, cols: usize) -> &'a [T] {
    if cols == 0 {
        return &[];
    }
    // SAFETY: the caller's promise: `cols` consecutive elements at `ptr`.
    unsafe { std::slice::from_raw_parts(ptr, cols) }
}

// ---------------------------------------------------------------------------
// One dimension
// ---------------------------------------------------------------------------

/// A one-dimensional ndarray view as a source: items `&T`, values `T`
/// (what a reduction folds), any stride.
///
/// What `ArrayView1<T>`, `&Array1<T>` and `&ArrayRef1<T>` convert into. A
/// contiguous view (stride 1) runs the slice loop.
///
/// ```
/// use ndarray::{array, s};
/// let pool = para_runtime::Pool::builder().concurrency(2).build()?;
/// let a = array![1.0_f64, 2.0, 3.0, 4.0, 5.0];
/// assert_eq!(pool.map(|x: &f64| x * 2.0, &a), [2.0, 4.0, 6.0, 8.0, 10.0]);
/// // Every other element, backwards: a strided view.
/// assert_eq!(pool.map(|x: &f64| *x, a.slice(s![..;-2])), [5.0, 3.0, 1.0]);
/// // The same bits as the slice form.
/// let total = pool.reduce(|x, y| x + y, 0.0, &a);
/// assert_eq!(total.to_bits(), pool.reduce(|x, y| x + y, 0.0, a.as_slice().unwrap()).to_bits());
/// # Ok::<(), para_runtime::BuildError>(())
/// ```
pub struct ArraySource<'a, T> {
    ptr: *const T,
    len: usize,
    stride: isize,
    _borrow: PhantomData<&'a [T]>,
}

impl<T> Clone for ArraySource<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for ArraySource<'_, T> {}

// SAFETY: an `ArraySource` is a shared borrow of `T`s (`&'a [T]`-like):
// sending or sharing it shares the `T`s, which needs `T: Sync`.
unsafe impl<T: Sync> Send for ArraySource<'_, T> {}
// SAFETY: as for `Send`.
unsafe impl<T: Sync> Sync for ArraySource<'_, T> {}

impl<T: fmt::Debug> fmt::Debug for ArraySource<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a, T> ArraySource<'a, T> {
    /// The elements of `view`, in index order.
    pub fn new(view: ArrayView1<'a, T>) -> Self {
        ArraySource {
            ptr: view.as_ptr(),
            len: view.len(),
            stride: view.strides()[0],
            _borrow: PhantomData,
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The elements as a slice, when they are contiguous in index order
    /// (stride 1, or at most one element).
    pub fn as_slice(&self) -> Option<&'a [T]> {
        (self.len <= 1 || self.stride == 1).then(|| {
            // SAFETY: `len` consecutive elements of the view at `ptr` (or
            // none).
            unsafe { row_slice(self.ptr, self.len) }
        })
    }

    /// Element `i`, if `i < len()`.
    pub fn get(&self, i: usize) -> Option<&'a T> {
        // SAFETY: `i < len`, an element of the view.
        (i < self.len).then(|| unsafe { &*at(self.ptr, i, self.stride) })
    }

    /// The elements in index order.
    pub fn iter(&self) -> StridedIter<'a, T> {
        self.as_row().iter()
    }

    fn as_row(&self) -> StridedRow<'a, T> {
        StridedRow {
            ptr: self.ptr,
            len: self.len,
            stride: self.stride,
            _borrow: PhantomData,
        }
    }
}

impl<'s, 'a, T> SourceItem<'s> for ArraySource<'a, T> {
    type Item = &'a T;
}

// SAFETY: `len` is a fixed field; for `i < len`, `ptr + i * stride` is an
// element of the view borrowed for `'a`; `for_each_in` checks `range`
// against `len` (the slice path by slicing) and walks it in order.
unsafe impl<'a, T: Sync + Clone + Send> Source for ArraySource<'a, T> {
    type Value = T;

    #[inline]
    fn len(&self) -> usize {
        self.len
    }

    #[inline]
    unsafe fn get_unchecked(&self, i: usize) -> &'a T {
        // SAFETY: `i < len` (the caller's promise): an element of the view.
        unsafe { &*at(self.ptr, i, self.stride) }
    }

    #[inline]
    fn value(item: &'a T) -> T {
        item.clone()
    }

    #[inline]
    fn for_each_in<G: FnMut(usize, &'a T)>(&self, range: Range<usize>, mut g: G) {
        if let Some(s) = self.as_slice() {
            return for_each_slice(s, range, g);
        }
        assert!(range.end <= self.len, "range out of bounds");
        let (ptr, stride) = (self.ptr, self.stride);
        for i in range {
            // SAFETY: `i < range.end <= len`, checked above.
            g(i, unsafe { &*at(ptr, i, stride) });
        }
    }
}

impl<'a, T: Sync + Clone + Send> IntoSource for ArraySource<'a, T> {
    type Source = Self;
    fn into_source(self) -> Self {
        self
    }
}

impl<'a, T: Sync + Clone + Send> IntoSource for ArrayView1<'a, T> {
    type Source = ArraySource<'a, T>;
    fn into_source(self) -> Self::Source {
        ArraySource::new(self)
    }
}

impl<'a, S, T> IntoSource for &'a ArrayBase<S, Ix1>
where
    S: Data<Elem = T>,
    T: Sync + Clone + Send,
{
    type Source = ArraySource<'a, T>;
    fn into_source(self) -> Self::Source {
        ArraySource::new(self.view())
    }
}

impl<'a, T: Sync + Clone + Send> IntoSource for &'a ArrayRef<T, Ix1> {
    type Source = ArraySource<'a, T>;
    fn into_source(self) -> Self::Source {
        ArraySource::new(self.view())
    }
}

// ---------------------------------------------------------------------------
// Two dimensions, contiguous rows
// ---------------------------------------------------------------------------

/// A two-dimensional ndarray view whose rows are contiguous, as a source:
/// items `&[T]`, one per row (what `fn score(row: &[f32])` takes).
///
/// What `ArrayView2<T>`, `&Array2<T>` and `&ArrayRef2<T>` convert into.
/// Rows are contiguous when the column stride is 1 (or a row has at most
/// one item): standard layout, and the views that keep whole rows or a
/// contiguous part of each (`s![10..20, ..]`, `s![..;3, 2..5]`). A view
/// in standard layout runs the [`Rows`] loop.
///
/// # Panics
/// The conversions panic for a view whose rows are not contiguous (a
/// transposed view, a column step), naming its strides: pass such a view
/// through [`StridedRows::new`] instead, or [`ArrayRows::new`] to test.
///
/// ```
/// use ndarray::{array, s};
/// let pool = para_runtime::Pool::builder().concurrency(2).build()?;
/// let a = array![[1_i32, 2, 3], [4, 5, 6], [7, 8, 9]];
/// assert_eq!(pool.map(|r: &[i32]| r.iter().sum::<i32>(), &a), [6, 15, 24]);
/// // Every other row, its last two items: still contiguous rows.
/// assert_eq!(pool.map(|r: &[i32]| r.to_vec(), a.slice(s![..;2, 1..])), [[2, 3], [8, 9]]);
/// assert!(para_runtime::ArrayRows::new(a.t()).is_none()); // columns: strided
/// # Ok::<(), para_runtime::BuildError>(())
/// ```
pub struct ArrayRows<'a, T> {
    ptr: *const T,
    rows: usize,
    cols: usize,
    row_stride: isize,
    _borrow: PhantomData<&'a [T]>,
}

impl<T> Clone for ArrayRows<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for ArrayRows<'_, T> {}

// SAFETY: a shared borrow of `T`s, as `&'a [T]`: needs `T: Sync`.
unsafe impl<T: Sync> Send for ArrayRows<'_, T> {}
// SAFETY: as for `Send`.
unsafe impl<T: Sync> Sync for ArrayRows<'_, T> {}

impl<T> fmt::Debug for ArrayRows<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArrayRows")
            .field("len", &self.rows)
            .field("width", &self.cols)
            .field("row_stride", &self.row_stride)
            .finish()
    }
}

/// Whether `rows` rows of `cols` items at column stride `col_stride` are
/// contiguous slices (an empty view has strides 0).
fn rows_contiguous(rows: usize, cols: usize, col_stride: isize) -> bool {
    rows == 0 || cols <= 1 || col_stride == 1
}

#[cold]
#[inline(never)]
#[track_caller]
fn strided_rows_panic(what: &str, rows: usize, cols: usize, strides: &[isize]) -> ! {
    panic!(
        "para: {what}: the rows of this {rows}x{cols} view are not contiguous \
         (strides {strides:?}, column stride must be 1); \
         pass it through para::input::StridedRows::new for rows of any layout"
    );
}

impl<'a, T> ArrayRows<'a, T> {
    /// The rows of `view`, if they are contiguous (column stride 1, at
    /// most one column, or no rows); `None` otherwise (use [`StridedRows::new`]).
    pub fn new(view: ArrayView2<'a, T>) -> Option<Self> {
        let (rows, cols) = view.dim();
        let strides = view.strides();
        rows_contiguous(rows, cols, strides[1]).then(|| ArrayRows {
            ptr: view.as_ptr(),
            rows,
            cols,
            row_stride: strides[0],
            _borrow: PhantomData,
        })
    }

    /// The rows of `view`.
    ///
    /// # Panics
    /// If they are not contiguous, with the view's strides in the message.
    #[track_caller]
    fn of(view: ArrayView2<'a, T>) -> Self {
        let (rows, cols) = view.dim();
        let strides = [view.strides()[0], view.strides()[1]];
        Self::new(view).unwrap_or_else(|| strided_rows_panic("ndarray input", rows, cols, &strides))
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Items per row.
    pub fn width(&self) -> usize {
        self.cols
    }

    /// Row `i`.
    ///
    /// # Panics
    /// If `i >= self.len()`.
    pub fn row(&self, i: usize) -> &'a [T] {
        assert!(i < self.rows, "row {i} out of range ({} rows)", self.rows);
        // SAFETY: `i < rows`, checked above.
        unsafe { self.row_unchecked(i) }
    }

    /// The rows as a flat [`Rows`], when they lie back to back (standard
    /// layout) and have at least one item.
    pub fn as_rows(&self) -> Option<Rows<'a, T>> {
        self.flat().and_then(|data| Rows::new(data, self.cols).ok())
    }

    /// The flat data, when the rows lie back to back and have items.
    fn flat(&self) -> Option<&'a [T]> {
        let back_to_back = self.rows <= 1 || self.row_stride == self.cols as isize;
        (back_to_back && self.cols > 0).then(|| {
            // SAFETY: `rows * cols` consecutive elements of the view, one
            // row after the other (row stride `cols`).
            unsafe { row_slice(self.ptr, self.rows * self.cols) }
        })
    }

    /// # Safety
    /// `i < self.rows`.
    #[inline(always)]
    unsafe fn row_unchecked(&self, i: usize) -> &'a [T] {
        if self.cols == 0 {
            return &[];
        }
        // SAFETY: `i < rows` and `cols > 0`, so element `[i, 0]` exists at
        // `ptr + i * row_stride`, followed by the rest of its row (column
        // stride 1, checked in `new`).
        unsafe { row_slice(at(self.ptr, i, self.row_stride), self.cols) }
    }
}

impl<'s, 'a, T> SourceItem<'s> for ArrayRows<'a, T> {
    type Item = &'a [T];
}

// SAFETY: `len` is a fixed field; a row `i < len` is `cols` contiguous
// elements of the view borrowed for `'a` (checked in `new`);
// `for_each_in` checks `range` (the flat path by slicing) and walks it in
// order.
unsafe impl<'a, T: Sync> Source for ArrayRows<'a, T> {
    type Value = &'a [T];

    #[inline]
    fn len(&self) -> usize {
        self.rows
    }

    #[inline]
    unsafe fn get_unchecked(&self, i: usize) -> &'a [T] {
        // SAFETY: `i < len` (the caller's promise).
        unsafe { self.row_unchecked(i) }
    }

    #[inline]
    fn value(item: &'a [T]) -> &'a [T] {
        item
    }

    #[inline]
    fn for_each_in<G: FnMut(usize, &'a [T])>(&self, range: Range<usize>, mut g: G) {
        if let Some(data) = self.flat() {
            let width = self.cols;
            let start = range.start;
            for (k, row) in data[range.start * width..range.end * width]
                .chunks_exact(width)
                .enumerate()
            {
                g(start + k, row);
            }
            return;
        }
        assert!(range.end <= self.rows, "range out of bounds");
        let this = *self;
        for i in range {
            // SAFETY: `i < range.end <= rows`, checked above.
            g(i, unsafe { this.row_unchecked(i) });
        }
    }
}

impl<'a, T: Sync> IntoSource for ArrayRows<'a, T> {
    type Source = Self;
    fn into_source(self) -> Self {
        self
    }
}

impl<'a, T: Sync> IntoSource for ArrayView2<'a, T> {
    type Source = ArrayRows<'a, T>;
    /// # Panics
    /// If the rows are not contiguous (see [`ArrayRows`]).
    #[track_caller]
    fn into_source(self) -> Self::Source {
        ArrayRows::of(self)
    }
}

impl<'a, S, T> IntoSource for &'a ArrayBase<S, Ix2>
where
    S: Data<Elem = T>,
    T: Sync,
{
    type Source = ArrayRows<'a, T>;
    /// # Panics
    /// If the rows are not contiguous (see [`ArrayRows`]).
    #[track_caller]
    fn into_source(self) -> Self::Source {
        ArrayRows::of(self.view())
    }
}

impl<'a, T: Sync> IntoSource for &'a ArrayRef<T, Ix2> {
    type Source = ArrayRows<'a, T>;
    /// # Panics
    /// If the rows are not contiguous (see [`ArrayRows`]).
    #[track_caller]
    fn into_source(self) -> Self::Source {
        ArrayRows::of(self.view())
    }
}

// ---------------------------------------------------------------------------
// Two dimensions, any layout
// ---------------------------------------------------------------------------

/// The rows of a two-dimensional view of any layout, as a source: items
/// [`StridedRow`], one per row, with no copy.
///
/// ```
/// use ndarray::array;
/// use para_runtime::{StridedRow, StridedRows};
/// let pool = para_runtime::Pool::builder().concurrency(2).build()?;
/// let a = array![[1.0_f32, 2.0], [3.0, 4.0], [5.0, 6.0]];
/// // Column sums: the rows of the transposed view.
/// let sums = pool.map(|c: StridedRow<'_, f32>| c.iter().sum::<f32>(), StridedRows::new(a.t()));
/// assert_eq!(sums, [9.0, 12.0]);
/// # Ok::<(), para_runtime::BuildError>(())
/// ```
pub struct StridedRows<'a, T> {
    ptr: *const T,
    rows: usize,
    cols: usize,
    row_stride: isize,
    col_stride: isize,
    _borrow: PhantomData<&'a [T]>,
}

impl<T> Clone for StridedRows<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for StridedRows<'_, T> {}

// SAFETY: a shared borrow of `T`s, as `&'a [T]`: needs `T: Sync`.
unsafe impl<T: Sync> Send for StridedRows<'_, T> {}
// SAFETY: as for `Send`.
unsafe impl<T: Sync> Sync for StridedRows<'_, T> {}

impl<T> fmt::Debug for StridedRows<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StridedRows")
            .field("len", &self.rows)
            .field("width", &self.cols)
            .field("strides", &[self.row_stride, self.col_stride])
            .finish()
    }
}

impl<'a, T> StridedRows<'a, T> {
    /// The rows of `view`, whatever its strides.
    pub fn new(view: ArrayView2<'a, T>) -> Self {
        let (rows, cols) = view.dim();
        let strides = view.strides();
        StridedRows {
            ptr: view.as_ptr(),
            rows,
            cols,
            row_stride: strides[0],
            col_stride: strides[1],
            _borrow: PhantomData,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Items per row.
    pub fn width(&self) -> usize {
        self.cols
    }

    /// Row `i`.
    ///
    /// # Panics
    /// If `i >= self.len()`.
    pub fn row(&self, i: usize) -> StridedRow<'a, T> {
        assert!(i < self.rows, "row {i} out of range ({} rows)", self.rows);
        // SAFETY: `i < rows`, checked above.
        unsafe { self.row_unchecked(i) }
    }

    /// # Safety
    /// `i < self.rows`.
    #[inline(always)]
    unsafe fn row_unchecked(&self, i: usize) -> StridedRow<'a, T> {
        let ptr = if self.cols == 0 {
            self.ptr // never read
        } else {
            // SAFETY: `i < rows` and `cols > 0`: element `[i, 0]` exists.
            unsafe { at(self.ptr, i, self.row_stride) }
        };
        StridedRow {
            ptr,
            len: self.cols,
            stride: self.col_stride,
            _borrow: PhantomData,
        }
    }
}

impl<'s, 'a, T> SourceItem<'s> for StridedRows<'a, T> {
    type Item = StridedRow<'a, T>;
}

// SAFETY: `len` is a fixed field; row `i < len` starts at element
// `[i, 0]` of the view borrowed for `'a` and reaches its elements
// `[i, j]` through the column stride; `for_each_in` checks `range` and
// walks it in order.
unsafe impl<'a, T: Sync> Source for StridedRows<'a, T> {
    type Value = StridedRow<'a, T>;

    #[inline]
    fn len(&self) -> usize {
        self.rows
    }

    #[inline]
    unsafe fn get_unchecked(&self, i: usize) -> StridedRow<'a, T> {
        // SAFETY: `i < len` (the caller's promise).
        unsafe { self.row_unchecked(i) }
    }

    #[inline]
    fn value(item: StridedRow<'a, T>) -> StridedRow<'a, T> {
        item
    }

    #[inline]
    fn for_each_in<G: FnMut(usize, StridedRow<'a, T>)>(&self, range: Range<usize>, mut g: G) {
        assert!(range.end <= self.rows, "range out of bounds");
        let this = *self;
        for i in range {
            // SAFETY: `i < range.end <= rows`, checked above.
            g(i, unsafe { this.row_unchecked(i) });
        }
    }
}

impl<'a, T: Sync> IntoSource for StridedRows<'a, T> {
    type Source = Self;
    fn into_source(self) -> Self {
        self
    }
}

impl<'a, T: Sync> IntoSource for &StridedRows<'a, T> {
    type Source = StridedRows<'a, T>;
    fn into_source(self) -> Self::Source {
        *self
    }
}

/// One row of a [`StridedRows`]: `len()` items, `stride` apart in memory;
/// `Copy`, no allocation. Index it, [`get`](StridedRow::get) or
/// [`iter`](StridedRow::iter) over it; [`as_slice`](StridedRow::as_slice)
/// gives the slice when the row is contiguous after all.
///
/// ```
/// use ndarray::array;
/// let a = array![[1, 2, 3], [4, 5, 6]];
/// let col = para_runtime::StridedRows::new(a.t()).row(2);
/// assert_eq!((col.len(), col[0], col[1]), (2, 3, 6));
/// assert_eq!(col.get(2), None);
/// assert_eq!(col.iter().copied().collect::<Vec<_>>(), [3, 6]);
/// assert_eq!(col.as_slice(), None);
/// assert_eq!(col, [3, 6][..]);
/// ```
pub struct StridedRow<'a, T> {
    ptr: *const T,
    len: usize,
    stride: isize,
    _borrow: PhantomData<&'a [T]>,
}

impl<T> Clone for StridedRow<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for StridedRow<'_, T> {}

// SAFETY: a shared borrow of `T`s, as `&'a [T]`: needs `T: Sync`.
unsafe impl<T: Sync> Send for StridedRow<'_, T> {}
// SAFETY: as for `Send`.
unsafe impl<T: Sync> Sync for StridedRow<'_, T> {}

impl<T: fmt::Debug> fmt::Debug for StridedRow<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a, T> StridedRow<'a, T> {
    /// Number of items.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Item `i`, if `i < len()`.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a T> {
        // SAFETY: `i < len`: element `[row, i]` of the view.
        (i < self.len).then(|| unsafe { &*at(self.ptr, i, self.stride) })
    }

    /// The items in order.
    #[inline]
    pub fn iter(&self) -> StridedIter<'a, T> {
        StridedIter {
            row: *self,
            front: 0,
            back: self.len,
        }
    }

    /// The row as a slice, when its items are contiguous (stride 1, or at
    /// most one item).
    pub fn as_slice(&self) -> Option<&'a [T]> {
        (self.len <= 1 || self.stride == 1).then(|| {
            // SAFETY: `len` consecutive elements of the view (or none).
            unsafe { row_slice(self.ptr, self.len) }
        })
    }

    /// The items, cloned into a `Vec`.
    pub fn to_vec(&self) -> Vec<T>
    where
        T: Clone,
    {
        self.iter().cloned().collect()
    }
}

impl<T> Index<usize> for StridedRow<'_, T> {
    type Output = T;

    /// # Panics
    /// If `i >= self.len()`.
    #[inline]
    fn index(&self, i: usize) -> &T {
        match self.get(i) {
            Some(x) => x,
            None => panic!("index {i} out of range for a row of {}", self.len),
        }
    }
}

impl<T: PartialEq> PartialEq for StridedRow<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<T: PartialEq> PartialEq<[T]> for StridedRow<'_, T> {
    fn eq(&self, other: &[T]) -> bool {
        self.len == other.len() && self.iter().eq(other.iter())
    }
}

impl<'a, T> IntoIterator for StridedRow<'a, T> {
    type Item = &'a T;
    type IntoIter = StridedIter<'a, T>;
    fn into_iter(self) -> StridedIter<'a, T> {
        self.iter()
    }
}

impl<'a, T> IntoIterator for &StridedRow<'a, T> {
    type Item = &'a T;
    type IntoIter = StridedIter<'a, T>;
    fn into_iter(self) -> StridedIter<'a, T> {
        self.iter()
    }
}

/// The iterator of [`StridedRow::iter`] (and of [`ArraySource::iter`]):
/// `&T` in order, from both ends.
pub struct StridedIter<'a, T> {
    row: StridedRow<'a, T>,
    front: usize,
    back: usize,
}

impl<T> Clone for StridedIter<'_, T> {
    fn clone(&self) -> Self {
        StridedIter { ..*self }
    }
}

impl<T> fmt::Debug for StridedIter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StridedIter")
            .field("left", &(self.back - self.front))
            .finish()
    }
}

impl<'a, T> Iterator for StridedIter<'a, T> {
    type Item = &'a T;

    #[inline]
    fn next(&mut self) -> Option<&'a T> {
        if self.front == self.back {
            return None;
        }
        let i = self.front;
        self.front += 1;
        // SAFETY: `i < back <= len`: an item of the row.
        Some(unsafe { &*at(self.row.ptr, i, self.row.stride) })
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }
}

impl<T> DoubleEndedIterator for StridedIter<'_, T> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front == self.back {
            return None;
        }
        self.back -= 1;
        // SAFETY: `front <= back < len`: an item of the row.
        Some(unsafe { &*at(self.row.ptr, self.back, self.row.stride) })
    }
}

impl<T> ExactSizeIterator for StridedIter<'_, T> {}
impl<T> std::iter::FusedIterator for StridedIter<'_, T> {}

// ---------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------

/// A two-dimensional mutable view as `pmap_into!` outputs: slot `i` is
/// row `i` (`&mut [T]`), for a kernel such as `fn blur_row(y: usize,
/// #[out] row: &mut [f32])`.
///
/// What `ArrayViewMut2<T>`, `&mut Array2<T>` and `&mut ArrayRef2<T>`
/// convert into.
///
/// # Panics
/// The conversions panic for a view whose rows are not contiguous (column
/// stride other than 1 with more than one column), naming its strides: a
/// row slot is a `&mut [T]`. Write such a view through its transpose's
/// elements, or into a standard-layout array first.
///
/// ```
/// use ndarray::Array2;
/// let pool = para_runtime::Pool::builder().concurrency(2).build()?;
/// let mut img = Array2::<u32>::zeros((3, 4));
/// pool.map_outputs_with(
///     Default::default(),
///     |y: usize, row: &mut [u32]| row.fill(y as u32 + 1),
///     0..3,
///     &mut img,
/// );
/// assert_eq!(img.row(2).to_vec(), [3, 3, 3, 3]);
/// # Ok::<(), para_runtime::BuildError>(())
/// ```
pub struct ArrayRowsMut<'a, T> {
    ptr: *mut T,
    rows: usize,
    cols: usize,
    row_stride: isize,
    _borrow: PhantomData<&'a mut [T]>,
}

// SAFETY: an `ArrayRowsMut` is a unique borrow split into rows: moving it
// moves the borrow, which needs `T: Send`.
unsafe impl<T: Send> Send for ArrayRowsMut<'_, T> {}
// SAFETY: sharing it hands distinct rows to several threads, each as if
// sent there: `T: Send` again.
unsafe impl<T: Send> Sync for ArrayRowsMut<'_, T> {}

impl<T> fmt::Debug for ArrayRowsMut<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArrayRowsMut")
            .field("len", &self.rows)
            .field("width", &self.cols)
            .field("row_stride", &self.row_stride)
            .finish()
    }
}

impl<'a, T> ArrayRowsMut<'a, T> {
    /// The rows of `view`, to write, if they are contiguous slices that do
    /// not overlap; `None` otherwise.
    pub fn new(mut view: ArrayViewMut2<'a, T>) -> Option<Self> {
        let (rows, cols) = view.dim();
        let (rs, cs) = (view.strides()[0], view.strides()[1]);
        // A mutable view never aliases its elements; the second check
        // keeps that true of whole rows without relying on it.
        let disjoint = rows <= 1 || cols == 0 || rs.unsigned_abs() >= cols;
        (rows_contiguous(rows, cols, cs) && disjoint).then(|| ArrayRowsMut {
            ptr: view.as_mut_ptr(),
            rows,
            cols,
            row_stride: rs,
            _borrow: PhantomData,
        })
    }

    #[track_caller]
    fn of(view: ArrayViewMut2<'a, T>) -> Self {
        let (rows, cols) = view.dim();
        let strides = [view.strides()[0], view.strides()[1]];
        Self::new(view)
            .unwrap_or_else(|| strided_rows_panic("ndarray output", rows, cols, &strides))
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Items per row.
    pub fn width(&self) -> usize {
        self.cols
    }
}

// SAFETY: `rows` is a fixed field; row `i < rows` is `cols` contiguous
// elements starting at `[i, 0]` of the view borrowed mutably for `'a`
// (nothing else reaches them meanwhile); distinct rows are disjoint (the
// view does not alias, and `|row_stride| >= cols` was checked in `new`).
unsafe impl<T: Send> Outputs for ArrayRowsMut<'_, T> {
    type Slot = [T];

    #[inline]
    fn len(&self) -> usize {
        self.rows
    }

    #[inline]
    unsafe fn slot(&self, i: usize) -> &mut [T] {
        debug_assert!(i < self.rows);
        if self.cols == 0 {
            return &mut [];
        }
        // SAFETY: `i < rows` (the caller's promise) and `cols > 0`: the row
        // at `[i, 0]` is `cols` contiguous elements of the view, and the
        // caller holds no other reference to it.
        unsafe {
            let p = at(self.ptr, i, self.row_stride).cast_mut();
            std::slice::from_raw_parts_mut(p, self.cols)
        }
    }
}

impl<T: Send> IntoOutputs for ArrayRowsMut<'_, T> {
    type Outputs = Self;
    fn into_outputs(self) -> Self {
        self
    }
}

impl<'a, T: Send> IntoOutputs for ArrayViewMut2<'a, T> {
    type Outputs = ArrayRowsMut<'a, T>;
    /// # Panics
    /// If the rows are not contiguous (see [`ArrayRowsMut`]).
    #[track_caller]
    fn into_outputs(self) -> Self::Outputs {
        ArrayRowsMut::of(self)
    }
}

impl<'a, S, T> IntoOutputs for &'a mut ArrayBase<S, Ix2>
where
    S: DataMut<Elem = T>,
    T: Send,
{
    type Outputs = ArrayRowsMut<'a, T>;
    /// # Panics
    /// If the rows are not contiguous (see [`ArrayRowsMut`]).
    #[track_caller]
    fn into_outputs(self) -> Self::Outputs {
        ArrayRowsMut::of(self.view_mut())
    }
}

impl<'a, T: Send> IntoOutputs for &'a mut ArrayRef<T, Ix2> {
    type Outputs = ArrayRowsMut<'a, T>;
    /// # Panics
    /// If the rows are not contiguous (see [`ArrayRowsMut`]).
    #[track_caller]
    fn into_outputs(self) -> Self::Outputs {
        ArrayRowsMut::of(self.view_mut())
    }
}

/// A one-dimensional mutable view as outputs: slot `i` is element `i`,
/// any stride. What `ArrayViewMut1<U>`, `&mut Array1<U>` and `&mut
/// ArrayRef1<U>` convert into.
///
/// ```
/// use ndarray::{array, s, Array1};
/// let pool = para_runtime::Pool::builder().concurrency(2).build()?;
/// let xs = array![1_i64, 2, 3];
/// let mut out = Array1::<i64>::zeros(6);
/// // Every other element of `out`.
/// pool.map_outputs_with(Default::default(), |x: &i64, o: &mut i64| *o = x * 10, &xs, out.slice_mut(s![..;2]));
/// assert_eq!(out.to_vec(), [10, 0, 20, 0, 30, 0]);
/// # Ok::<(), para_runtime::BuildError>(())
/// ```
pub struct ArrayOut<'a, U> {
    ptr: *mut U,
    len: usize,
    stride: isize,
    _borrow: PhantomData<&'a mut [U]>,
}

// SAFETY: a unique borrow split into elements: moving it needs `U: Send`.
unsafe impl<U: Send> Send for ArrayOut<'_, U> {}
// SAFETY: sharing it hands distinct elements to several threads, each as
// if sent there: `U: Send`.
unsafe impl<U: Send> Sync for ArrayOut<'_, U> {}

impl<U> fmt::Debug for ArrayOut<'_, U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArrayOut")
            .field("len", &self.len)
            .field("stride", &self.stride)
            .finish()
    }
}

impl<'a, U> ArrayOut<'a, U> {
    /// The elements of `view`, to write.
    ///
    /// # Panics
    /// If two elements share memory (stride 0 with more than one element;
    /// a mutable view never has that, but the check keeps the slots
    /// disjoint without relying on it).
    pub fn new(mut view: ArrayViewMut1<'a, U>) -> Self {
        let (len, stride) = (view.len(), view.strides()[0]);
        assert!(
            len <= 1 || stride != 0 || std::mem::size_of::<U>() == 0,
            "para: ndarray output: {len} elements at stride 0 share memory"
        );
        ArrayOut {
            ptr: view.as_mut_ptr(),
            len,
            stride,
            _borrow: PhantomData,
        }
    }
}

// SAFETY: `len` is a fixed field; slot `i < len` is element `i` of the
// view borrowed mutably for `'a`; distinct indices are distinct elements
// (a mutable view does not alias; stride 0 refused in `new`).
unsafe impl<U: Send> Outputs for ArrayOut<'_, U> {
    type Slot = U;

    #[inline]
    fn len(&self) -> usize {
        self.len
    }

    #[inline]
    unsafe fn slot(&self, i: usize) -> &mut U {
        debug_assert!(i < self.len);
        // SAFETY: `i < len` (the caller's promise): an element of the view,
        // no other reference to it live.
        unsafe { &mut *at(self.ptr, i, self.stride).cast_mut() }
    }
}

impl<U: Send> IntoOutputs for ArrayOut<'_, U> {
    type Outputs = Self;
    fn into_outputs(self) -> Self {
        self
    }
}

impl<'a, U: Send> IntoOutputs for ArrayViewMut1<'a, U> {
    type Outputs = ArrayOut<'a, U>;
    fn into_outputs(self) -> Self::Outputs {
        ArrayOut::new(self)
    }
}

impl<'a, S, U> IntoOutputs for &'a mut ArrayBase<S, Ix1>
where
    S: DataMut<Elem = U>,
    U: Send,
{
    type Outputs = ArrayOut<'a, U>;
    fn into_outputs(self) -> Self::Outputs {
        ArrayOut::new(self.view_mut())
    }
}

impl<'a, U: Send> IntoOutputs for &'a mut ArrayRef<U, Ix1> {
    type Outputs = ArrayOut<'a, U>;
    fn into_outputs(self) -> Self::Outputs {
        ArrayOut::new(self.view_mut())
    }
}

// ---------------------------------------------------------------------------
// Plain data
// ---------------------------------------------------------------------------

// SAFETY: a borrow of `T`s with a length and a stride, as `&[T]`: no cell
// of its own, read-only access.
unsafe impl<T: PureData> PureData for StridedRow<'_, T> {}
// SAFETY: as `StridedRow`, for the whole view.
unsafe impl<T: PureData> PureData for StridedRows<'_, T> {}
// SAFETY: as `StridedRow`, for the whole view.
unsafe impl<T: PureData> PureData for ArrayRows<'_, T> {}
// SAFETY: as `StridedRow`.
unsafe impl<T: PureData> PureData for ArraySource<'_, T> {}
// SAFETY: an owned array is its elements (held in a buffer it owns), a
// shape and strides: plain data when the elements are.
unsafe impl<A: PureData, D: Dimension> PureData for ArrayBase<OwnedRepr<A>, D> {}
// SAFETY: a read-only view of plain elements, as `&[A]`.
unsafe impl<A: PureData, D: Dimension> PureData for ArrayBase<ViewRepr<&A>, D> {}
// SAFETY: what `&Array` derefs to: the elements, shape and strides.
unsafe impl<A: PureData, D: Dimension> PureData for ArrayRef<A, D> {}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use ::ndarray::{s, Array1, Array2, Axis};

    fn strided_rows_of(s: &StridedRows<'_, i32>) -> Vec<Vec<i32>> {
        let mut out = Vec::new();
        s.for_each_in(0..s.len(), |_, r| out.push(r.to_vec()));
        out
    }

    fn want(a: ArrayView2<'_, i32>) -> Vec<Vec<i32>> {
        a.axis_iter(Axis(0)).map(|r| r.to_vec()).collect()
    }

    #[test]
    fn every_layout_walks_the_same_rows_as_ndarray() {
        let a = Array2::from_shape_fn((7, 5), |(i, j)| (i * 10 + j) as i32);
        let views = [
            a.view(),
            a.t(),
            a.slice(s![1..6;2, ..]),
            a.slice(s![..;-1, 1..4]),
            a.slice(s![.., ..;2]),
            a.slice(s![2..2, ..]),
            a.slice(s![.., 3..3]),
            a.slice(s![..;3, ..;-2]),
        ];
        for v in views {
            let strided = StridedRows::new(v);
            assert_eq!(
                strided_rows_of(&strided),
                want(v),
                "strides {:?}",
                v.strides()
            );
            for i in 0..v.nrows() {
                assert_eq!(strided.row(i), v.row(i).to_vec()[..]);
                // SAFETY: i < rows.
                let r = unsafe { strided.get_unchecked(i) };
                assert_eq!(r.iter().rev().count(), v.ncols());
            }
            let contiguous = v.ncols() <= 1 || v.strides()[1] == 1;
            match ArrayRows::new(v) {
                Some(rows) => {
                    assert!(contiguous);
                    assert_eq!(rows_of_range(&rows, 0..rows.len()), want(v));
                    if v.nrows() > 2 {
                        assert_eq!(rows_of_range(&rows, 1..3), want(v)[1..3]);
                    }
                }
                None => assert!(!contiguous),
            }
        }
    }

    fn rows_of_range(s: &ArrayRows<'_, i32>, r: Range<usize>) -> Vec<Vec<i32>> {
        let mut out = Vec::new();
        s.for_each_in(r, |_, row| out.push(row.to_vec()));
        out
    }

    #[test]
    fn one_dimension_any_stride() {
        let a = Array1::from_iter(0..20_i64);
        for v in [
            a.view(),
            a.slice(s![..;3]),
            a.slice(s![..;-2]),
            a.slice(s![5..5]),
        ] {
            let src = ArraySource::new(v);
            let mut got = Vec::new();
            src.for_each_in(0..src.len(), |i, x| got.push((i, *x)));
            let want: Vec<(usize, i64)> = v.iter().copied().enumerate().collect();
            assert_eq!(got, want);
            assert_eq!(src.iter().rev().count(), v.len());
            assert_eq!(src.get(v.len()), None);
        }
        assert!(ArraySource::new(a.slice(s![..;2])).as_slice().is_none());
        assert_eq!(ArraySource::new(a.view()).as_slice(), a.as_slice());
    }

    #[test]
    fn row_outputs_refuse_strided_rows_and_name_the_strides() {
        let mut a = Array2::<f32>::zeros((3, 4));
        assert!(ArrayRowsMut::new(a.view_mut().reversed_axes()).is_none());
        let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = a.view_mut().reversed_axes().into_outputs();
        }))
        .unwrap_err();
        let msg = err.downcast_ref::<String>().unwrap();
        assert_eq!(
            msg,
            "para: ndarray output: the rows of this 4x3 view are not contiguous \
             (strides [1, 4], column stride must be 1); \
             pass it through para::input::StridedRows::new for rows of any layout"
        );
        let out = a.slice_mut(s![..;-2, 1..3]).into_outputs();
        assert_eq!((out.len(), out.width()), (2, 2));
        // SAFETY: 1 < 2, one reference at a time.
        unsafe { out.slot(1) }.fill(7.0);
        assert_eq!(a.row(0).to_vec(), [0.0, 7.0, 7.0, 0.0]);
    }
}
