//! `try_map`: a map whose kernel may fail, answered with every output or
//! with the failure of the lowest failing index.
//!
//! # Protocol
//! - `lowest` holds the lowest index known to have failed (an `Err`, a
//!   `None` or a panic), `usize::MAX` while none has. Each item first
//!   checks it: an item above a known failure is not started, and neither
//!   is the rest of its range (indices only grow along a range, and
//!   `lowest` only falls).
//! - An item that fails lowers `lowest` (`fetch_min`) and offers its
//!   failure to `first`, which keeps the one of the lowest index; a losing
//!   one is dropped outside the lock, contained.
//! - **Determinism**: let `m` be the lowest index whose item fails. `lowest`
//!   never falls below `m` (only failing indices enter it), so item `m` and
//!   every item below it are always started; `m` fails whatever the timing,
//!   and its failure is the one kept. The answer depends on the kernel
//!   alone, not on the thread count or the run.
//! - A range stops at its first unwritten index, so what it wrote is a
//!   prefix; one that stops early records the rest of itself as a gap.
//!   After the call, the written outputs are exactly `0..n` minus the gaps:
//!   on a failure they are dropped (each drop contained), never leaked.
//! - A panic of the kernel is caught inside the range (so the driver never
//!   sees one) and treated as a failure of its index; the payload of the
//!   lowest failure is re-raised once everything is dropped.
//!
//! # Memory ordering
//! `lowest` is a hint, `Relaxed`: an item that misses a lower value just
//! runs, and the answer does not depend on it. The failures and the gaps
//! are under mutexes, and the driver's join orders every range's writes
//! before the caller reads the outputs (see `pool::job`).

use super::super::{CallOptions, Pool, SendPtr};
use crate::calibrate::{key_of, CallKind};
use crate::input::{IntoSource, Item, Source};
use crate::loom::{lock, AtomicUsize, Mutex, Ordering};
use crate::unwind::Payload;
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};

mod sealed {
    pub trait Sealed {}
    impl<U, E> Sealed for Result<U, E> {}
    impl<U> Sealed for Option<U> {}
}

/// What a [`Pool::try_map`] kernel returns: a value or a failure, and how
/// the call answers. Implemented for `Result<U, E>` (answer
/// `Result<Vec<U>, E>`) and `Option<U>` (answer `Option<Vec<U>>`); sealed.
pub trait TryItem: sealed::Sealed {
    /// The value of an item that succeeds.
    type Output;
    /// What a failing item carries (`E`, or `()` for `Option`).
    type Failure;
    /// The call's answer: all the outputs, or the lowest failure.
    type Answer;
    /// Split into success and failure.
    fn into_result(self) -> Result<Self::Output, Self::Failure>;
    /// Build the call's answer.
    fn answer(r: Result<Vec<Self::Output>, Self::Failure>) -> Self::Answer;
}

impl<U, E> TryItem for Result<U, E> {
    type Output = U;
    type Failure = E;
    type Answer = Result<Vec<U>, E>;
    #[inline]
    fn into_result(self) -> Result<U, E> {
        self
    }
    #[inline]
    fn answer(r: Result<Vec<U>, E>) -> Result<Vec<U>, E> {
        r
    }
}

impl<U> TryItem for Option<U> {
    type Output = U;
    type Failure = ();
    type Answer = Option<Vec<U>>;
    #[inline]
    fn into_result(self) -> Result<U, ()> {
        self.ok_or(())
    }
    #[inline]
    fn answer(r: Result<Vec<U>, ()>) -> Option<Vec<U>> {
        r.ok()
    }
}

/// The cache key's tag of a `try_map`.
struct TryMapKey;

/// How an item failed.
enum Failure<E> {
    Failed(E),
    Panicked(Payload),
}

/// The failure of the lowest index seen so far.
struct First<E> {
    at: usize,
    what: Failure<E>,
}

impl Pool {
    /// Apply `f` to every item, in parallel, where `f` may fail: `Ok(out)`
    /// with `out[i]` the value of item `i` when every item succeeds, else
    /// the failure of the *lowest* failing index, the same for every
    /// thread count and run. Items above a failure already seen are not
    /// started.
    ///
    /// `f` returns `Result<U, E>` (the answer is `Result<Vec<U>, E>`) or
    /// `Option<U>` (the answer is `Option<Vec<U>>`). On a failure the
    /// outputs already made are dropped, each drop contained if it panics,
    /// and so are the failures of higher indices.
    ///
    /// # Panics
    /// A panic of `f` counts as a failure of its index: when it is the
    /// lowest, it is re-raised here with its payload (after the outputs
    /// are dropped).
    ///
    /// ```
    /// let pool = para_runtime::Pool::new()?;
    /// let words = ["1", "22", "x", "4", "y"];
    /// let parsed = pool.try_map(|s: &&str| s.parse::<u32>(), &words);
    /// assert!(parsed.is_err()); // "x", at index 2, the lowest failure
    /// let ok = pool.try_map(|i: usize| i.checked_mul(2), 0..4);
    /// assert_eq!(ok, Some(vec![0, 2, 4, 6]));
    /// # Ok::<(), para_runtime::BuildError>(())
    /// ```
    pub fn try_map<I, F, R>(&self, f: F, input: I) -> R::Answer
    where
        I: IntoSource,
        F: for<'s> Fn(Item<'s, I::Source>) -> R + Sync,
        R: TryItem,
        R::Output: Send,
        R::Failure: Send,
    {
        self.try_map_with(CallOptions::default(), f, input)
    }

    /// [`try_map`](Pool::try_map) with explicit [`CallOptions`].
    #[inline]
    pub fn try_map_with<I, F, R>(&self, opts: CallOptions, f: F, input: I) -> R::Answer
    where
        I: IntoSource,
        F: for<'s> Fn(Item<'s, I::Source>) -> R + Sync,
        R: TryItem,
        R::Output: Send,
        R::Failure: Send,
    {
        let src = input.into_source();
        let n = src.len();
        let mut out: Vec<R::Output> = Vec::new();
        if out.try_reserve_exact(n).is_err() {
            panic!(
                "para: try_map: the output of {n} items of {} bytes each cannot be allocated",
                std::mem::size_of::<R::Output>()
            );
        }
        let dst = SendPtr(out.as_mut_ptr());
        let lowest = AtomicUsize::new(usize::MAX);
        let first: Mutex<Option<First<R::Failure>>> = Mutex::new(None);
        let gaps: Mutex<Vec<Range<usize>>> = Mutex::new(Vec::new());
        let fail = |at: usize, what: Failure<R::Failure>| {
            lowest.fetch_min(at, Ordering::Relaxed);
            let loser = {
                let mut slot = lock(&first);
                match &*slot {
                    Some(f) if f.at < at => Some(what),
                    _ => slot.replace(First { at, what }).map(|f| f.what),
                }
            };
            if let Some(l) = loser {
                drop_failure(l);
            }
        };
        let body = |r: Range<usize>| {
            assert!(r.end <= n, "range out of bounds");
            let p = dst.get();
            // The next index to write: `r.start..next` is written.
            let mut next = r.start;
            let ran = catch_unwind(AssertUnwindSafe(|| {
                while next < r.end {
                    let i = next;
                    if i > lowest.load(Ordering::Relaxed) {
                        return;
                    }
                    // SAFETY: `i < r.end <= n == src.len()`, checked above.
                    let x = unsafe { src.get_unchecked(i) };
                    match f(x).into_result() {
                        Ok(v) => {
                            // SAFETY: `i < n`, the capacity; ranges partition
                            // `0..n`, so slot `i` is written once, here.
                            unsafe { p.add(i).write(v) };
                            next = i + 1;
                        }
                        Err(e) => {
                            fail(i, Failure::Failed(e));
                            return;
                        }
                    }
                }
            }));
            if let Err(payload) = ran {
                fail(next, Failure::Panicked(payload));
            }
            if next < r.end {
                lock(&gaps).push(next..r.end);
            }
            next - r.start
        };
        self.shared.run(
            key_of::<(TryMapKey, F)>(CallKind::Map),
            n,
            opts,
            body,
            || {},
        );
        let first = lock(&first).take();
        match first {
            None => {
                // SAFETY: no range failed, so none stopped early (a range
                // stops only at an index above a failure, or at one), and
                // every index of `0..n` was written exactly once.
                unsafe { out.set_len(n) };
                R::answer(Ok(out))
            }
            Some(First { what, .. }) => {
                let mut gaps = std::mem::take(&mut *lock(&gaps));
                drop_written(dst.get(), n, &mut gaps);
                drop(out);
                match what {
                    Failure::Failed(e) => R::answer(Err(e)),
                    Failure::Panicked(p) => std::panic::resume_unwind(p),
                }
            }
        }
    }
}

/// Drop a failure that lost to a lower index, containing its `Drop`.
fn drop_failure<E>(f: Failure<E>) {
    match f {
        Failure::Failed(e) => {
            crate::unwind::drop_caught(e);
        }
        Failure::Panicked(p) => crate::unwind::drop_payload(p),
    }
}

/// Drop the outputs at `p + i` for `i` in `0..n` outside `gaps` (the ranges
/// that were not written), each drop contained.
fn drop_written<U>(p: *mut U, n: usize, gaps: &mut [Range<usize>]) {
    if !std::mem::needs_drop::<U>() {
        return;
    }
    gaps.sort_unstable_by_key(|g| g.start);
    let mut at = 0;
    let written = |lo: usize, hi: usize| {
        for i in lo..hi {
            // SAFETY: `i < n` lies outside every gap, so it was written
            // exactly once (see the module's protocol) and is read once,
            // here; the vector's length stays 0, so nothing drops it again.
            crate::unwind::drop_caught(unsafe { p.add(i).read() });
        }
    };
    for g in gaps.iter() {
        written(at, g.start);
        at = g.end;
    }
    written(at, n);
}
