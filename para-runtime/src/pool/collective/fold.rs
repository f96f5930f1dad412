//! `fold`: a deterministic reduction whose accumulator is not the item
//! type (a histogram over bytes, per-centroid sums over points).
//!
//! # The tree
//! The blocks are a reduction's ([`reduce_block`](crate::chunk::reduce_block)
//! of the length and an explicit `chunk_size`). Each block folds its items
//! in input order from a clone of `init`, in one sequential fold (`fold`
//! takes the accumulator and one item, so the eight sub-folds of a long
//! reduction block have no counterpart here). Block results then combine
//! left to right from the first: `combine(..combine(combine(a0, a1), a2)..)`
//! (`init` is an identity of `combine`, so starting from `init` would only
//! cost a clone and a combine: a 4 KiB histogram of one block measured
//! 1.2x the plain loop that way).
//! A parallel run takes a window of [`window_slots`] blocks at a time,
//! folds them on several threads into the window's slots and combines the
//! window in order on the caller before the next: the memory is bounded by
//! the thread count, and the bits are those of the sequential tree.

use super::super::drive::{Units, Work};
use super::super::{CallOptions, Pool, SendPtr, Shared};
use crate::calibrate::{key_of, CallKind};
use crate::chunk;
use crate::input::{IntoSource, Item, Source};
use crate::reduce::{window_slots, Blocks};
use std::ops::Range;

/// The cache key's tag of a fold.
struct FoldKey;

impl Pool {
    /// Fold every item into an accumulator with `fold`, in parallel and
    /// deterministically, combining the accumulators of blocks with
    /// `combine`.
    ///
    /// The input is cut into the blocks of [`reduce`](Pool::reduce) (their
    /// length depends only on the input length, or on an explicit
    /// `chunk_size`). Each block folds from `init.clone()` in input order;
    /// block results combine in input order, left to right from the first
    /// block's. `combine` must be
    /// associative with `init` its identity, and `fold` must agree with it
    /// (`combine(a, fold(init, x)) == fold(a, x)`) for the result to equal a
    /// sequential fold; it need not be commutative. The tree never depends
    /// on threads or timing, so results are bit-identical for every
    /// concurrency and run. An empty input returns `init`.
    ///
    /// A panic in `fold` or `combine` is re-raised here with its payload;
    /// accumulators the call holds are dropped (a panicking `Drop` among
    /// them is contained).
    ///
    /// ```
    /// let pool = para_runtime::Pool::new()?;
    /// let bytes = b"hello, world".to_vec();
    /// let hist = pool.fold(
    ///     |mut h: [u64; 256], b: &u8| {
    ///         h[*b as usize] += 1;
    ///         h
    ///     },
    ///     |mut a, b| {
    ///         a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
    ///         a
    ///     },
    ///     [0; 256],
    ///     &bytes,
    /// );
    /// assert_eq!(hist[b'l' as usize], 3);
    /// # Ok::<(), para_runtime::BuildError>(())
    /// ```
    pub fn fold<I, F, C, A>(&self, fold: F, combine: C, init: A, input: I) -> A
    where
        I: IntoSource,
        F: for<'s> Fn(A, Item<'s, I::Source>) -> A + Sync,
        C: Fn(A, A) -> A + Sync,
        A: Clone + Send + Sync,
    {
        self.fold_with(CallOptions::default(), fold, combine, init, input)
    }

    /// [`fold`](Pool::fold) with explicit [`CallOptions`]; a `chunk_size`
    /// there is the block length (and so changes the tree).
    #[inline]
    pub fn fold_with<I, F, C, A>(
        &self,
        opts: CallOptions,
        fold: F,
        combine: C,
        init: A,
        input: I,
    ) -> A
    where
        I: IntoSource,
        F: for<'s> Fn(A, Item<'s, I::Source>) -> A + Sync,
        C: Fn(A, A) -> A + Sync,
        A: Clone + Send + Sync,
    {
        let src = input.into_source();
        let n = src.len();
        if n == 0 {
            return init;
        }
        let block = chunk::reduce_block(n, opts.chunk_size.or(self.shared.chunk_size));
        if block >= n {
            // One block: nothing to share or to combine. It folds from
            // `init` itself (the same bits as from a clone), on the caller.
            if let Some(0) = opts.concurrency {
                panic!("para: `concurrency` must be at least 1 (got 0)");
            }
            let mut acc = init;
            for i in 0..n {
                // SAFETY: `i < n == src.len()`.
                acc = fold(acc, unsafe { src.get_unchecked(i) });
            }
            self.shared.signals.completed.add(n);
            return acc;
        }
        let mut units = FoldBlocks {
            src: &src,
            blocks: Blocks::new(n, block),
            init: &init,
            fold: &fold,
            combine: &combine,
            acc: None,
        };
        let work = Work {
            key: key_of::<(FoldKey, F, C)>(CallKind::Reduce),
            units: units.blocks.count(),
            unit_items: block,
            chunk: None,
        };
        self.shared.drive(&work, &opts, &mut units);
        // `n > 0`: at least one block ran.
        units.acc.take().expect("a block result")
    }
}

/// The blocks of a fold as units, combined in input order into `acc`
/// (`None` until the first block's result, which starts it).
struct FoldBlocks<'a, S, F, C, A> {
    src: &'a S,
    blocks: Blocks,
    init: &'a A,
    fold: &'a F,
    combine: &'a C,
    acc: Option<A>,
}

impl<S, F, C, A> FoldBlocks<'_, S, F, C, A>
where
    S: Source,
    F: for<'s> Fn(A, Item<'s, S>) -> A + Sync,
    C: Fn(A, A) -> A + Sync,
    A: Clone + Send + Sync,
{
    /// Block `b`'s items folded from `init`, in order.
    fn block(&self, b: usize) -> A {
        let r = self.blocks.span(b);
        assert!(r.end <= self.src.len(), "block out of bounds");
        let mut acc = self.init.clone();
        for i in r {
            // SAFETY: `i < r.end <= src.len()`, checked above.
            acc = (self.fold)(acc, unsafe { self.src.get_unchecked(i) });
        }
        acc
    }
}

impl<S, F, C, A> Units for FoldBlocks<'_, S, F, C, A>
where
    S: Source,
    F: for<'s> Fn(A, Item<'s, S>) -> A + Sync,
    C: Fn(A, A) -> A + Sync,
    A: Clone + Send + Sync,
{
    fn inline(&mut self, range: Range<usize>) -> usize {
        let items = self.blocks.items_in(&range);
        let mut acc = self.acc.take();
        for b in range {
            let r = self.block(b);
            acc = Some(match acc {
                None => r,
                Some(a) => (self.combine)(a, r),
            });
        }
        self.acc = acc;
        items
    }

    fn parallel(
        &mut self,
        shared: &Shared,
        range: Range<usize>,
        chunk: usize,
        threads: usize,
    ) -> usize {
        let items = self.blocks.items_in(&range);
        let acc = self.acc.take();
        self.acc = self.windows(shared, range, chunk, threads, acc);
        items
    }
}

impl<S, F, C, A> FoldBlocks<'_, S, F, C, A>
where
    S: Source,
    F: for<'s> Fn(A, Item<'s, S>) -> A + Sync,
    C: Fn(A, A) -> A + Sync,
    A: Clone + Send + Sync,
{
    /// Blocks `range` folded on `threads` threads a window at a time, each
    /// window combined into `acc` in order on the caller.
    ///
    /// A window's slots are `Option`s: a block writes `Some` into its own
    /// slot, so that after a panic the call knows which results exist and
    /// drops exactly those (contained), with `acc`, before re-raising.
    fn windows(
        &self,
        shared: &Shared,
        range: Range<usize>,
        chunk: usize,
        threads: usize,
        mut acc: Option<A>,
    ) -> Option<A> {
        let slots = window_slots::<A>(threads).min(range.len());
        let mut results: Vec<Option<A>> = (0..slots).map(|_| None).collect();
        let mut lo = range.start;
        while lo < range.end {
            let hi = lo + slots.min(range.end - lo);
            let dst = SendPtr(results.as_mut_ptr());
            let body = |r: Range<usize>| {
                let p = dst.get();
                let items = self.blocks.items_in(&r);
                for b in r {
                    let v = self.block(b);
                    // SAFETY: `lo <= b < hi <= lo + slots`, so the slot is in
                    // bounds; each block of the window is run by one chunk
                    // only, so no other thread touches slot `b - lo`, and the
                    // caller reads the slots only after `run_parallel` has
                    // returned. The slot holds `None` (taken by the previous
                    // window's combine), so the assignment drops nothing.
                    unsafe { *p.add(b - lo) = Some(v) };
                }
                items
            };
            let per_window = chunk
                .min((hi - lo).div_ceil(threads * chunk::CHUNKS_PER_THREAD))
                .max(1);
            let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                shared.run_parallel(lo..hi, per_window, threads, &body);
            }));
            if let Err(p) = ran {
                crate::unwind::drop_each_caught(results);
                crate::unwind::drop_caught(acc);
                std::panic::resume_unwind(p);
            }
            // A panicking `combine` unwinds past the window's other results:
            // they are dropped contained (a panicking `Drop` among them
            // during that unwind would abort the process).
            let combined = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut a = acc;
                for slot in &mut results[..hi - lo] {
                    let v = slot.take().expect("every block of the window ran");
                    a = Some(match a {
                        None => v,
                        Some(a) => (self.combine)(a, v),
                    });
                }
                a
            }));
            match combined {
                Ok(a) => acc = a,
                Err(p) => {
                    crate::unwind::drop_each_caught(results);
                    std::panic::resume_unwind(p);
                }
            }
            lo = hi;
        }
        acc
    }
}
