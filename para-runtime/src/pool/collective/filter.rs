//! `filter`: the items a predicate keeps, cloned, in input order.
//!
//! # One pass
//! The output is allocated for every item up front (only what is written
//! is touched, and the rest is given back at the end). Inline, blocks are
//! filtered in order, each kept item written at the next free slot. In
//! parallel, blocks (a reduction's, of
//! [`reduce_block`](crate::chunk::reduce_block) items) are handed out one
//! at a time in order: a block evaluates the predicate once per item into
//! a bit set while its input is in cache, puts its count in a [`Chain`],
//! finds its output offset there (put by its predecessor, or found by
//! looking back, counting late blocks itself), hands its successor the
//! offset plus its count, and copies its kept items (fetched again through
//! `get_unchecked`, from cache) to their slots. The offsets are the
//! running count of kept items, so the output is the sequential one.

use super::super::drive::{Units, Work};
use super::super::{CallOptions, Pool, SendPtr, Shared};
use super::chain::Chain;
use crate::calibrate::{key_of, CallKind};
use crate::chunk;
use crate::input::{IntoSource, Item, Source};
use crate::reduce::{window_slots, Blocks};
use std::ops::Range;

/// The cache key's tag of a filter.
struct FilterKey;

/// Bit-set words a block keeps on the stack: blocks up to
/// [`MAX_BLOCK`](crate::chunk::MAX_BLOCK) items (longer ones, from an
/// explicit `chunk_size`, use the heap).
const STACK_WORDS: usize = chunk::MAX_BLOCK / 64;

impl Pool {
    /// The items of `input` for which `pred` is true, in input order,
    /// cloned ([`Source::value`]: `T` from `&T`, the row slice, the index).
    ///
    /// `pred` may run more than once on an item (a block whose predecessor
    /// is late counts that block again rather than wait), so it should be
    /// free of side effects; its answer for an item must not change.
    ///
    /// # Panics
    /// Re-raising a panic of `pred` or of a clone (items already copied are
    /// leaked, as in [`map`](Pool::map)); when the output cannot be
    /// allocated; and when `pred` answered differently for the same item
    /// on two evaluations, so that the parallel count of a block disagreed
    /// with its own (the items copied are leaked; no slot is written twice
    /// and none is read unwritten).
    ///
    /// ```
    /// let pool = para_runtime::Pool::new()?;
    /// let xs: Vec<u32> = (0..10).collect();
    /// assert_eq!(pool.filter(|x: &u32| x % 3 == 0, &xs), [0, 3, 6, 9]);
    /// assert_eq!(pool.filter(|i: usize| i * i > 50, 0..10), [8, 9]);
    /// # Ok::<(), para_runtime::BuildError>(())
    /// ```
    pub fn filter<I, P>(&self, pred: P, input: I) -> Vec<<I::Source as Source>::Value>
    where
        I: IntoSource,
        P: for<'s> Fn(Item<'s, I::Source>) -> bool + Sync,
    {
        self.filter_with(CallOptions::default(), pred, input)
    }

    /// [`filter`](Pool::filter) with explicit [`CallOptions`] (a
    /// `chunk_size` there is the block length; the output does not depend
    /// on it).
    #[inline]
    pub fn filter_with<I, P>(
        &self,
        opts: CallOptions,
        pred: P,
        input: I,
    ) -> Vec<<I::Source as Source>::Value>
    where
        I: IntoSource,
        P: for<'s> Fn(Item<'s, I::Source>) -> bool + Sync,
    {
        let src = input.into_source();
        let n = src.len();
        let size = std::mem::size_of::<<I::Source as Source>::Value>();
        if n == 0 {
            return Vec::new();
        }
        if size != 0 && n > isize::MAX as usize / size {
            panic!(
                "para: filter: an output of up to {n} items of {size} bytes each cannot be allocated (more than isize::MAX bytes)"
            );
        }
        let mut out: Vec<<I::Source as Source>::Value> = Vec::with_capacity(n);
        // Huge pages for a big output, as in `map` (only what is written is
        // faulted in).
        crate::mem::advise_huge(out.as_mut_ptr().cast(), n * size);
        let block = chunk::reduce_block(n, opts.chunk_size.or(self.shared.chunk_size));
        let mut units = FilterBlocks {
            src: &src,
            blocks: Blocks::new(n, block),
            pred: &pred,
            dst: SendPtr(out.as_mut_ptr()),
            kept: 0,
            inconsistent: std::sync::atomic::AtomicBool::new(false),
        };
        let work = Work {
            key: key_of::<(FilterKey, P)>(CallKind::Map),
            units: units.blocks.count(),
            unit_items: block,
            chunk: None,
        };
        self.shared.drive(&work, &opts, &mut units);
        if units.inconsistent.into_inner() {
            // Some block wrote fewer items than the range the chain gave it:
            // slots below `kept` may be unwritten. `out` keeps length 0, so
            // its drop frees the buffer and leaks the items written.
            drop(out);
            panic!(
                "para: filter: the predicate answered differently for the same item on two evaluations (a parallel count of a block disagreed with the block's own); a predicate must be pure"
            );
        }
        // SAFETY: `drive` returned normally and no block disagreed with its
        // settled count, so every block ran and the first `kept` slots hold
        // the kept items, each written once.
        unsafe { out.set_len(units.kept) };
        if out.len() < out.capacity() {
            out.shrink_to_fit();
        }
        out
    }
}

/// A filter's blocks as units; `kept` counts the items written so far
/// (the output offset of the next block to run).
struct FilterBlocks<'a, S: Source, P> {
    src: &'a S,
    blocks: Blocks,
    pred: &'a P,
    dst: SendPtr<S::Value>,
    kept: usize,
    /// Set when a block's own count differs from its settled one (a
    /// predicate whose answers changed between evaluations).
    inconsistent: std::sync::atomic::AtomicBool,
}

impl<S, P> FilterBlocks<'_, S, P>
where
    S: Source,
    P: for<'s> Fn(Item<'s, S>) -> bool + Sync,
{
    /// Block `b` on one thread, its kept items written from slot `at`;
    /// returns the slot after the last one written.
    fn block_inline(&self, b: usize, mut at: usize) -> usize {
        let p = self.dst.get();
        let src = self.src;
        src.for_each_in(self.blocks.span(b), |i, x| {
            if (self.pred)(x) {
                // SAFETY: `i` is an index the source handed out, `< len()`.
                let x = unsafe { src.get_unchecked(i) };
                // SAFETY: `at` counts the kept items before item `i`, so
                // `at <= i < n`, the capacity; slots are written in
                // increasing order, each once.
                unsafe { p.add(at).write(S::value(x)) };
                at += 1;
            }
        });
        at
    }

    /// Evaluate the predicate on block `b`'s items into `bits` (bit `k`
    /// for item `lo + k`; `bits` covers the longest block, its words past
    /// this block's end are cleared); returns how many it keeps.
    fn mark(&self, b: usize, bits: &mut [u64]) -> usize {
        let r = self.blocks.span(b);
        assert!(r.end <= self.src.len(), "block out of bounds");
        let src = self.src;
        let mut kept = 0;
        for (w, out) in bits.iter_mut().enumerate() {
            // Each word gathers 64 predicates in a register (one store per
            // word, not a read-modify-write of memory per item).
            let lo = r.start + w * 64;
            let mut word = 0u64;
            for (j, i) in (lo..(lo + 64).min(r.end)).enumerate() {
                // SAFETY: `i < r.end <= src.len()`, checked above.
                let x = unsafe { src.get_unchecked(i) };
                word |= u64::from((self.pred)(x)) << j;
            }
            *out = word;
            kept += word.count_ones() as usize;
        }
        kept
    }

    /// How many items of block `b` the predicate keeps (a look-back's
    /// count of a block whose own thread has not published it).
    fn count(&self, b: usize) -> usize {
        let mut kept = 0;
        self.src.for_each_in(self.blocks.span(b), |_, x| {
            kept += usize::from((self.pred)(x))
        });
        kept
    }

    /// Copy the first `limit` items of block `b` marked in `bits` to slots
    /// from `at`.
    fn copy(&self, b: usize, bits: &[u64], mut at: usize, limit: usize) {
        let end = at + limit;
        let r = self.blocks.span(b);
        assert!(r.end <= self.src.len(), "block out of bounds");
        let p = self.dst.get();
        for (w, &word) in bits.iter().enumerate() {
            let mut word = word;
            while word != 0 && at < end {
                let i = r.start + w * 64 + word.trailing_zeros() as usize;
                // SAFETY: a set bit marks an item of the block (`mark` sets
                // bits for `r` only), so `i < r.end <= src.len()`.
                let x = unsafe { self.src.get_unchecked(i) };
                // SAFETY: `at` is the running count of kept items before
                // item `i`, so `at <= i < n`, the capacity; the chain gives
                // block `b` the range `at..at + settled count`, disjoint from
                // every other block's (all threads fold the same settled
                // counts), and `at < end <= at + settled` here: slot `at` is
                // written once, here.
                unsafe { p.add(at).write(S::value(x)) };
                at += 1;
                word &= word - 1;
            }
        }
    }

    /// Blocks `range` in windows on `threads` threads, from output offset
    /// `kept`; returns the offset after the last block.
    fn windows(
        &self,
        shared: &Shared,
        range: Range<usize>,
        threads: usize,
        mut kept: usize,
    ) -> usize {
        let slots = window_slots::<usize>(threads).min(range.len());
        let mut chain: Chain<usize, usize> = Chain::new(slots);
        let words = self.blocks.span(range.start).len().div_ceil(64);
        let mut lo = range.start;
        while lo < range.end {
            let hi = lo + slots.min(range.end - lo);
            chain.put_prefix(0, kept);
            let body = |r: Range<usize>| {
                let mut stack = [0u64; STACK_WORDS];
                let mut heap = Vec::new();
                let bits: &mut [u64] = if words <= STACK_WORDS {
                    &mut stack[..words]
                } else {
                    heap.resize(words, 0);
                    &mut heap
                };
                for b in r.clone() {
                    let k = b - lo;
                    let own = self.mark(b, bits);
                    // The count every thread uses for this block: its own,
                    // unless a look-back settled one first (the same, for a
                    // pure predicate). The block writes at most that many
                    // items, so ranges never overlap whatever `pred` does.
                    let count = chain.settle_aggregate(k, own);
                    if count != own {
                        self.inconsistent
                            .store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                    let at = chain.prefix(k, |j| self.count(lo + j), |p, c| p + c);
                    chain.put_prefix(k + 1, at + count);
                    self.copy(b, bits, at, count.min(own));
                }
                self.blocks.items_in(&r)
            };
            shared.run_parallel(lo..hi, 1, threads, &body);
            kept = chain.last(hi - lo);
            chain.reset();
            lo = hi;
        }
        kept
    }
}

impl<S, P> Units for FilterBlocks<'_, S, P>
where
    S: Source,
    P: for<'s> Fn(Item<'s, S>) -> bool + Sync,
{
    fn inline(&mut self, range: Range<usize>) -> usize {
        let items = self.blocks.items_in(&range);
        let mut at = self.kept;
        for b in range {
            at = self.block_inline(b, at);
        }
        self.kept = at;
        items
    }

    fn parallel(
        &mut self,
        shared: &Shared,
        range: Range<usize>,
        _chunk: usize,
        threads: usize,
    ) -> usize {
        let items = self.blocks.items_in(&range);
        self.kept = self.windows(shared, range, threads, self.kept);
        items
    }
}
