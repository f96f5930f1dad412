//! Shared owned inputs: `Arc<[T]>` and `Arc<Vec<T>>`, for data that an
//! async call must own (the future is `'static`) while the caller keeps a
//! handle to it too. Items are `&T`, borrowed from the `Arc` for the
//! duration of the call; a reduction folds `T` (cloned), as for a slice.
//! (`Vec<T>`, [`OwnedRows`](super::OwnedRows) and ranges are the other
//! owned inputs.)

use super::{for_each_slice, IntoSource, Source, SourceItem};
use std::ops::Range;
use std::sync::Arc;

/// A shared slice as a source (`Arc<[T]>` or `Arc<Vec<T>>`, `A` either);
/// items are `&T`.
///
/// ```
/// use std::sync::Arc;
/// let pool = para_runtime::Pool::new()?;
/// let data: Arc<[u32]> = (1..=4).collect();
/// let doubled = pool.map(|x: &u32| x * 2, Arc::clone(&data));
/// assert_eq!(doubled, [2, 4, 6, 8]);
/// let shared = Arc::new(vec![1.5_f64, 2.5]);
/// let sum = futures::executor::block_on(pool.reduce_async(|a, b| a + b, 0.0, shared));
/// assert_eq!(sum, 4.0);
/// # Ok::<(), para_runtime::BuildError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ArcSource<A>(pub A);

/// The two shared forms of a slice, read through one impl.
pub trait SharedSlice: Send + Sync {
    /// The element type.
    type Elem;
    /// The slice behind the `Arc`.
    fn shared(&self) -> &[Self::Elem];
}

impl<T: Send + Sync> SharedSlice for Arc<[T]> {
    type Elem = T;
    #[inline]
    fn shared(&self) -> &[T] {
        self
    }
}

impl<T: Send + Sync> SharedSlice for Arc<Vec<T>> {
    type Elem = T;
    #[inline]
    fn shared(&self) -> &[T] {
        self.as_slice()
    }
}

impl<'s, A: SharedSlice> SourceItem<'s> for ArcSource<A> {
    type Item = &'s A::Elem;
}

// SAFETY: the slice behind the `Arc` is never resized or written (an
// `Arc`'s contents are shared, so nothing can mutate them while the source
// lives, and `shared` returns the same slice every time); `len` is its
// length, `get_unchecked` indexes it, `for_each_in` enumerates exactly
// `range` (slicing bounds-checks).
unsafe impl<A: SharedSlice> Source for ArcSource<A>
where
    A::Elem: Sync + Send + Clone,
{
    type Value = A::Elem;

    #[inline]
    fn len(&self) -> usize {
        self.0.shared().len()
    }

    #[inline]
    unsafe fn get_unchecked(&self, i: usize) -> &A::Elem {
        // SAFETY: the caller promises `i < self.len()`.
        unsafe { self.0.shared().get_unchecked(i) }
    }

    #[inline]
    fn value(item: &A::Elem) -> A::Elem {
        item.clone()
    }

    #[inline]
    fn for_each_in<G: FnMut(usize, &A::Elem)>(&self, range: Range<usize>, g: G) {
        for_each_slice(self.0.shared(), range, g);
    }
}

impl<T: Sync + Send + Clone> IntoSource for Arc<[T]> {
    type Source = ArcSource<Arc<[T]>>;
    fn into_source(self) -> Self::Source {
        ArcSource(self)
    }
}

impl<T: Sync + Send + Clone> IntoSource for Arc<Vec<T>> {
    type Source = ArcSource<Arc<Vec<T>>>;
    fn into_source(self) -> Self::Source {
        ArcSource(self)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn items<S: Source>(s: &S) -> Vec<S::Value> {
        let mut out = Vec::new();
        s.for_each_in(0..s.len(), |_, x| out.push(S::value(x)));
        out
    }

    #[test]
    fn shared_slices_and_vectors_are_sources_of_their_items() {
        let a: Arc<[i32]> = Arc::from(vec![3, 1, 2]);
        let v = Arc::new(vec![7, 8]);
        assert_eq!(items(&Arc::clone(&a).into_source()), [3, 1, 2]);
        assert_eq!(items(&Arc::clone(&v).into_source()), [7, 8]);
        let s = a.into_source();
        // SAFETY: 2 < 3 items.
        assert_eq!(unsafe { *s.get_unchecked(2) }, 2);
        assert_eq!((s.len(), v.into_source().is_empty()), (3, false));
    }
}
