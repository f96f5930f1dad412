//! The output side of a call that writes in place (`pmap_into!`,
//! [`Pool::map_outputs_with`](crate::Pool::map_outputs_with)): one trait,
//! [`Outputs`], for "`len()` disjoint slots, slot `i` written by one
//! thread", and its two built-in forms, [`SliceOut`] (one `U` per item,
//! from `&mut [U]` or `&mut Vec<U>`) and [`RowsMut`] (one `&mut [T]` row
//! per item).

use crate::error::RowsError;
use std::fmt;
use std::marker::PhantomData;

/// Disjoint output slots, one per item; the pool writes slot `i` from one
/// thread.
///
/// # Safety
///
/// The pool hands `&mut` references to slots out to several threads at
/// once, so an implementation must ensure that:
///
/// - `len()` returns the same value for as long as the value lives;
/// - for `i < len()`, `slot(i)` is sound to call from any thread,
///   concurrently with `slot(j)` for any `j != i`, and the references it
///   returns for distinct indices never overlap (nor overlap anything else
///   that safe code can reach while the outputs are borrowed).
///
/// The built-in implementations borrow their storage mutably for their
/// whole life (`&'a mut`), which is what makes the last point hold.
pub unsafe trait Outputs: Send + Sync {
    /// What one item writes: `U` for [`SliceOut`], the row `[T]` for
    /// [`RowsMut`].
    type Slot: ?Sized;

    /// Number of slots.
    fn len(&self) -> usize;

    /// Whether there are no slots.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Slot `i`, to write.
    ///
    /// # Safety
    /// `i < len()`; no two live references to one slot (the caller hands
    /// each index out once at a time).
    #[allow(clippy::mut_from_ref)]
    unsafe fn slot(&self, i: usize) -> &mut Self::Slot;
}

/// Conversion into [`Outputs`]: what `pmap_into!`'s `out` argument and
/// [`Pool::map_outputs_with`](crate::Pool::map_outputs_with) accept.
///
/// Implemented for `&mut [U]`, `&mut Vec<U>` and [`SliceOut`] (slots `U`)
/// and for [`RowsMut`] (slots `[T]`).
pub trait IntoOutputs {
    /// The outputs this converts into.
    type Outputs: Outputs;
    /// Convert.
    fn into_outputs(self) -> Self::Outputs;
}

/// A mutably borrowed slice as outputs: slot `i` is element `i`.
///
/// ```
/// use para_runtime::{Outputs, SliceOut};
/// let mut v = vec![0_u32; 3];
/// let out = SliceOut::new(&mut v);
/// assert_eq!(out.len(), 3);
/// // SAFETY: 1 < 3, and no other reference to slot 1 is live.
/// unsafe { *out.slot(1) = 7 };
/// assert_eq!(v, [0, 7, 0]);
/// ```
pub struct SliceOut<'a, U> {
    ptr: *mut U,
    len: usize,
    _borrow: PhantomData<&'a mut [U]>,
}

impl<'a, U> SliceOut<'a, U> {
    /// Outputs over `slice`, borrowed mutably for `'a`.
    pub fn new(slice: &'a mut [U]) -> Self {
        SliceOut {
            ptr: slice.as_mut_ptr(),
            len: slice.len(),
            _borrow: PhantomData,
        }
    }
}

impl<U> fmt::Debug for SliceOut<'_, U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SliceOut").field("len", &self.len).finish()
    }
}

// SAFETY: a `SliceOut` is a `&mut [U]` split into elements: moving it to
// another thread moves the unique borrow, which needs `U: Send`.
unsafe impl<U: Send> Send for SliceOut<'_, U> {}
// SAFETY: sharing it hands `&mut U` to distinct elements to several
// threads, each as if it had been sent there: `U: Send` again.
unsafe impl<U: Send> Sync for SliceOut<'_, U> {}

// SAFETY: `len` is a fixed field; `ptr..ptr + len` is the slice borrowed
// mutably for `'a` (nothing else reaches it meanwhile), so distinct
// indices below `len` are distinct, disjoint elements.
unsafe impl<U: Send> Outputs for SliceOut<'_, U> {
    type Slot = U;

    #[inline]
    fn len(&self) -> usize {
        self.len
    }

    #[inline]
    unsafe fn slot(&self, i: usize) -> &mut U {
        debug_assert!(i < self.len);
        // SAFETY: `i < len` (the caller's promise) keeps the pointer inside
        // the borrowed slice, and the caller holds no other reference to
        // element `i`.
        unsafe { &mut *self.ptr.add(i) }
    }
}

impl<U: Send> IntoOutputs for SliceOut<'_, U> {
    type Outputs = Self;
    fn into_outputs(self) -> Self {
        self
    }
}

impl<'a, U: Send> IntoOutputs for &'a mut [U] {
    type Outputs = SliceOut<'a, U>;
    fn into_outputs(self) -> SliceOut<'a, U> {
        SliceOut::new(self)
    }
}

impl<'a, U: Send> IntoOutputs for &'a mut Vec<U> {
    type Outputs = SliceOut<'a, U>;
    fn into_outputs(self) -> SliceOut<'a, U> {
        SliceOut::new(self.as_mut_slice())
    }
}

/// A flat slice viewed as rows of equal width, each written in place by
/// one item: the output of row kernels (`fn blur_row(y: usize, row: &mut
/// [f32])`), the mutable counterpart of [`Rows`](crate::Rows).
///
/// ```
/// let pool = para_runtime::Pool::new()?;
/// let mut img = vec![0_u32; 6];
/// let rows = para_runtime::RowsMut::new(&mut img, 3)?;
/// assert_eq!((rows.len(), rows.width()), (2, 3));
/// pool.map_rows_into(|y: usize, row: &mut [u32]| row.fill(y as u32 + 1), 0..2, rows);
/// assert_eq!(img, [1, 1, 1, 2, 2, 2]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct RowsMut<'a, T> {
    ptr: *mut T,
    rows: usize,
    width: usize,
    _borrow: PhantomData<&'a mut [T]>,
}

impl<'a, T> RowsMut<'a, T> {
    /// View `data` as rows of `width` items, to write.
    ///
    /// # Errors
    /// [`RowsError::ZeroWidth`] for `width == 0`; [`RowsError::Ragged`] when
    /// `data.len()` is not a multiple of `width` (as
    /// [`Rows::new`](crate::Rows::new)).
    ///
    /// ```
    /// use para_runtime::{RowsError, RowsMut};
    /// let mut data = [0_u8; 7];
    /// assert_eq!(RowsMut::new(&mut data, 0).unwrap_err(), RowsError::ZeroWidth);
    /// assert_eq!(
    ///     RowsMut::new(&mut data, 2).unwrap_err(),
    ///     RowsError::Ragged { len: 7, width: 2 }
    /// );
    /// ```
    pub fn new(data: &'a mut [T], width: usize) -> Result<Self, RowsError> {
        if width == 0 {
            return Err(RowsError::ZeroWidth);
        }
        if !data.len().is_multiple_of(width) {
            return Err(RowsError::Ragged {
                len: data.len(),
                width,
            });
        }
        Ok(RowsMut {
            ptr: data.as_mut_ptr(),
            rows: data.len() / width,
            width,
            _borrow: PhantomData,
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Items per row.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }
}

impl<T> fmt::Debug for RowsMut<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RowsMut")
            .field("len", &self.rows)
            .field("width", &self.width)
            .finish()
    }
}

// SAFETY: a `RowsMut` is a `&mut [T]` split into rows: moving it moves
// the unique borrow, which needs `T: Send`.
unsafe impl<T: Send> Send for RowsMut<'_, T> {}
// SAFETY: sharing it hands distinct rows (`&mut [T]`) to several threads,
// each as if sent there: `T: Send` again.
unsafe impl<T: Send> Sync for RowsMut<'_, T> {}

// SAFETY: `rows` and `width` are fixed fields; the data holds exactly
// `rows * width` items (checked in `new`) borrowed mutably for `'a`, and
// row `i` is `[i * width, (i + 1) * width)`: distinct rows are disjoint.
unsafe impl<T: Send> Outputs for RowsMut<'_, T> {
    type Slot = [T];

    #[inline]
    fn len(&self) -> usize {
        self.rows
    }

    #[inline]
    unsafe fn slot(&self, i: usize) -> &mut [T] {
        debug_assert!(i < self.rows);
        // SAFETY: `i < rows` (the caller's promise), so the row lies inside
        // the borrowed data (`(i + 1) * width <= rows * width`, which fits
        // since it is the length of a real slice); the caller holds no other
        // reference to row `i`.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(i * self.width), self.width) }
    }
}

impl<T: Send> IntoOutputs for RowsMut<'_, T> {
    type Outputs = Self;
    fn into_outputs(self) -> Self {
        self
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn rows_mut_splits_like_rows() {
        let mut data: Vec<i32> = (0..12).collect();
        let rows = RowsMut::new(&mut data, 4).unwrap();
        assert_eq!((rows.len(), rows.width(), rows.is_empty()), (3, 4, false));
        assert_eq!(format!("{rows:?}"), "RowsMut { len: 3, width: 4 }");
        // SAFETY: 2 < 3, one reference at a time.
        let last = unsafe { rows.slot(2) };
        assert_eq!(last, &[8, 9, 10, 11]);
        last[0] = -1;
        assert_eq!(data[8], -1);
        let mut empty: [u8; 0] = [];
        assert!(RowsMut::new(&mut empty, 3).unwrap().is_empty());
    }

    #[test]
    fn slices_and_vectors_convert() {
        let mut v = vec![1_u8, 2, 3];
        let out = (&mut v).into_outputs();
        assert_eq!((out.len(), out.is_empty()), (3, false));
        // SAFETY: 0 < 3, one reference at a time.
        unsafe { *out.slot(0) = 9 };
        assert_eq!(v, [9, 2, 3]);
        let out = v.as_mut_slice().into_outputs();
        assert_eq!(format!("{out:?}"), "SliceOut { len: 3 }");
    }
}
