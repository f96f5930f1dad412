//! `scan`: the inclusive prefix, deterministic.
//!
//! # The tree
//! The input is cut into the blocks of a reduction
//! ([`reduce_block`](crate::chunk::reduce_block) of the length and an
//! explicit `chunk_size`), and each block into *lanes* exactly as a
//! reduction block is cut: a block of at least [`SPLIT_MIN`] items into
//! eight contiguous lanes (the last takes the remainder), a shorter one is
//! one lane. Then, over the lanes `l = 0, 1, ...` in input order:
//!
//! - the sum `s_l` of lane `l` is its items folded from `init`, in order;
//! - the prefixes chain from `init`: `P_0 = init`, `P_{l+1} = f(P_l, s_l)`;
//! - lane `l` is rescanned from `P_l`: `out[i] = f(out[i - 1], x_i)`, with
//!   `out[i - 1]` read as `P_l` at the lane's first item.
//!
//! Every value is a function of the input and the block length alone
//! (for an exact `f`, `out[i]` is the plain running fold).
//!
//! # One pass, eight chains
//! A block sums its lanes and rescans them back to back, so its input is
//! read from memory once and from cache the second time; its eight lanes
//! run in one loop, so their dependency chains overlap in the CPU (one
//! chain of `f64` adds is bound by the add latency, ~4 cycles an item).
//! Inline, blocks run in order. In parallel, blocks are handed out one at
//! a time in order; each puts its lane sums in a [`Chain`], finds the
//! prefix before it there (put by its predecessor, or computed by looking
//! back when the predecessor is late: no block waits for another), and
//! puts the prefix after it before it rescans. The
//! chain's links are a window of [`window_slots`] blocks, reused, so the
//! memory beside the output is bounded whatever the length.

use super::super::drive::{Units, Work};
use super::super::{CallOptions, Pool, SendPtr, Shared};
use super::chain::Chain;
use crate::calibrate::{key_of, CallKind};
use crate::chunk;
use crate::input::{IntoSource, Source};
use crate::reduce::{window_slots, Blocks, SPLIT_MIN};
use std::ops::Range;

/// The cache key's tag of a scan.
struct ScanKey;

impl Pool {
    /// The inclusive prefix of `input` under `f` from `init`: `out[i]` is
    /// the fold of items `0..=i`, in parallel and deterministically.
    ///
    /// `f` must be associative and `init` its identity (as for
    /// [`reduce`](Pool::reduce)); it need not be commutative. The
    /// association tree depends only on the input length (or an explicit
    /// `chunk_size`, the block length): the blocks of `reduce`, each cut
    /// into eight lanes from 64 items on; every lane summed from `init`,
    /// the prefixes before each lane chained from `init` through the lane
    /// sums, each lane rescanned from its prefix. Floating-point results are
    /// therefore bit-identical for every concurrency and run. Items are
    /// cloned into `f`, and `f` may see a lane's items more than once (a
    /// block whose predecessor is late sums that lane again rather than
    /// wait), so it should be free of side effects.
    ///
    /// # Panics
    /// Re-raising a panic of `f` (outputs already made are leaked, as in
    /// [`map`](Pool::map)), and when the output cannot be allocated.
    ///
    /// ```
    /// let pool = para_runtime::Pool::new()?;
    /// let counts = [3_u64, 1, 4, 1, 5];
    /// assert_eq!(pool.scan(|a, b| a + b, 0, &counts), [3, 4, 8, 9, 14]);
    /// let words = ["a".to_string(), "b".into(), "c".into()];
    /// assert_eq!(pool.scan(|a, b| a + &b, String::new(), &words), ["a", "ab", "abc"]);
    /// # Ok::<(), para_runtime::BuildError>(())
    /// ```
    pub fn scan<I, G, V>(&self, f: G, init: V, input: I) -> Vec<V>
    where
        I: IntoSource,
        I::Source: Source<Value = V>,
        G: Fn(V, V) -> V + Sync,
        V: Clone + Send + Sync,
    {
        self.scan_with(CallOptions::default(), f, init, input)
    }

    /// [`scan`](Pool::scan) with explicit [`CallOptions`]; a `chunk_size`
    /// there is the block length (and so changes the tree).
    #[inline]
    pub fn scan_with<I, G, V>(&self, opts: CallOptions, f: G, init: V, input: I) -> Vec<V>
    where
        I: IntoSource,
        I::Source: Source<Value = V>,
        G: Fn(V, V) -> V + Sync,
        V: Clone + Send + Sync,
    {
        let src = input.into_source();
        let n = src.len();
        if n == 0 {
            return Vec::new();
        }
        if std::mem::size_of::<V>() != 0 && n > isize::MAX as usize / std::mem::size_of::<V>() {
            panic!(
                "para: scan: the output of {n} items of {} bytes each cannot be allocated (more than isize::MAX bytes)",
                std::mem::size_of::<V>()
            );
        }
        let mut out: Vec<V> = Vec::with_capacity(n);
        // A big output's page faults cost more than a cheap `f` (as for
        // `map`): ask for huge pages (nothing below 4 MiB, out of line).
        crate::mem::advise_huge(out.as_mut_ptr().cast(), n * std::mem::size_of::<V>());
        let block = chunk::reduce_block(n, opts.chunk_size.or(self.shared.chunk_size));
        let mut units = ScanBlocks {
            src: &src,
            blocks: Blocks::new(n, block),
            init: &init,
            f: &f,
            dst: SendPtr(out.as_mut_ptr()),
            prefix: Some(init.clone()),
        };
        let work = Work {
            key: key_of::<(ScanKey, G)>(CallKind::Reduce),
            units: units.blocks.count(),
            unit_items: block,
            chunk: None,
        };
        self.shared.drive(&work, &opts, &mut units);
        // SAFETY: `drive` returned normally, so every block ran (inline or
        // in a window that returned normally) and wrote all of its items.
        unsafe { out.set_len(n) };
        out
    }
}

/// A scan's blocks as units; `prefix` is `P_b` of the next block to run
/// (present except while blocks run).
struct ScanBlocks<'a, S, G, V> {
    src: &'a S,
    blocks: Blocks,
    init: &'a V,
    f: &'a G,
    dst: SendPtr<V>,
    prefix: Option<V>,
}

impl<S, G, V> ScanBlocks<'_, S, G, V>
where
    S: Source<Value = V>,
    G: Fn(V, V) -> V + Sync,
    V: Clone + Send + Sync,
{
    /// The value of item `i`.
    #[inline(always)]
    fn value(&self, i: usize) -> V {
        debug_assert!(i < self.src.len());
        // SAFETY: every caller passes an index of a block checked against
        // `src.len()` (`lane_sums` and `rescan` assert it first).
        S::value(unsafe { self.src.get_unchecked(i) })
    }

    /// Fold `acc` with item `i`, and write the result to slot `i`.
    #[inline(always)]
    fn put(&self, acc: V, i: usize) -> V {
        let next = (self.f)(acc, self.value(i));
        // SAFETY: `i < n`, the output's capacity; lanes partition `0..n`
        // and each is rescanned once, so slot `i` is written once.
        unsafe { self.dst.get().add(i).write(next.clone()) };
        next
    }

    /// Block `b`, from `start` (the prefix before it): its lanes summed
    /// from `init`, the prefixes chained through them, each lane
    /// rescanned from its prefix. Returns the prefix after the block.
    #[inline]
    fn block(&self, b: usize, start: V) -> V {
        let (before, next) = self.prefixes(self.lane_sums(b), start);
        self.rescan(b, before);
        next
    }

    /// The sums of block `b`'s lanes, each from `init` (`None` past its
    /// lane count).
    #[inline]
    fn lane_sums(&self, b: usize) -> [Option<V>; 8] {
        let r = self.blocks.span(b);
        assert!(r.end <= self.src.len(), "block out of bounds");
        let f = self.f;
        let step = |a: V, i: usize| f(a, self.value(i));
        let (lo, hi) = (r.start, r.end);
        let init = self.init;
        if r.len() < SPLIT_MIN {
            let mut s = init.clone();
            for i in lo..hi {
                s = step(s, i);
            }
            return [Some(s), None, None, None, None, None, None, None];
        }
        let q = r.len() / 8;
        let l = |k: usize| lo + k * q;
        let (mut a0, mut a1, mut a2, mut a3) =
            (init.clone(), init.clone(), init.clone(), init.clone());
        let (mut a4, mut a5, mut a6, mut a7) =
            (init.clone(), init.clone(), init.clone(), init.clone());
        for i in 0..q {
            a0 = step(a0, l(0) + i);
            a1 = step(a1, l(1) + i);
            a2 = step(a2, l(2) + i);
            a3 = step(a3, l(3) + i);
            a4 = step(a4, l(4) + i);
            a5 = step(a5, l(5) + i);
            a6 = step(a6, l(6) + i);
            a7 = step(a7, l(7) + i);
        }
        // The last lane runs to `hi`: its tail continues its own sum.
        for i in l(8)..hi {
            a7 = step(a7, i);
        }
        [a0, a1, a2, a3, a4, a5, a6, a7].map(Some)
    }

    /// The prefixes before each lane, chained from `start` through the
    /// lane sums `sums`, and the prefix after the last lane.
    #[inline]
    fn prefixes(&self, sums: [Option<V>; 8], start: V) -> ([Option<V>; 8], V) {
        let mut before: [Option<V>; 8] = Default::default();
        let mut p = start;
        for (k, s) in sums.into_iter().enumerate() {
            let Some(s) = s else { break };
            let next = (self.f)(p.clone(), s);
            before[k] = Some(p);
            p = next;
        }
        (before, p)
    }

    /// The second half of [`block`](Self::block): rescan each lane of
    /// block `b` from its prefix in `before`, the eight lanes in one loop.
    #[inline]
    fn rescan(&self, b: usize, before: [Option<V>; 8]) {
        let r = self.blocks.span(b);
        assert!(r.end <= self.src.len(), "block out of bounds");
        let (lo, hi) = (r.start, r.end);
        let [c0, c1, c2, c3, c4, c5, c6, c7] = before;
        let lane = |c: Option<V>| c.expect("a prefix per lane");
        if r.len() < SPLIT_MIN {
            let mut c = lane(c0);
            for i in lo..hi {
                c = self.put(c, i);
            }
            return;
        }
        let q = r.len() / 8;
        let l = |k: usize| lo + k * q;
        let (mut c0, mut c1, mut c2, mut c3) = (lane(c0), lane(c1), lane(c2), lane(c3));
        let (mut c4, mut c5, mut c6, mut c7) = (lane(c4), lane(c5), lane(c6), lane(c7));
        for i in 0..q {
            c0 = self.put(c0, l(0) + i);
            c1 = self.put(c1, l(1) + i);
            c2 = self.put(c2, l(2) + i);
            c3 = self.put(c3, l(3) + i);
            c4 = self.put(c4, l(4) + i);
            c5 = self.put(c5, l(5) + i);
            c6 = self.put(c6, l(6) + i);
            c7 = self.put(c7, l(7) + i);
        }
        for i in l(8)..hi {
            c7 = self.put(c7, i);
        }
    }

    /// Blocks `range` in windows on `threads` threads, chained from
    /// `prefix`; returns the prefix after the last block.
    fn windows(&self, shared: &Shared, range: Range<usize>, threads: usize, mut prefix: V) -> V {
        let slots = window_slots::<V>(threads).min(range.len());
        let mut chain = Chain::new(slots);
        let mut lo = range.start;
        while lo < range.end {
            let hi = lo + slots.min(range.end - lo);
            chain.put_prefix(0, prefix);
            let body = |r: Range<usize>| {
                for b in r.clone() {
                    let k = b - lo;
                    // The sums every thread uses for this block (its own,
                    // unless a look-back settled them first: the same for
                    // a pure `f`).
                    let sums = chain.settle_aggregate(k, self.lane_sums(b));
                    let start = chain.prefix(
                        k,
                        |j| self.lane_sums(lo + j),
                        |p, sums| self.prefixes(sums, p).1,
                    );
                    let (before, next) = self.prefixes(sums, start);
                    chain.put_prefix(k + 1, next);
                    self.rescan(b, before);
                }
                self.blocks.items_in(&r)
            };
            let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                shared.run_parallel(lo..hi, 1, threads, &body);
            }));
            if let Err(p) = ran {
                crate::unwind::drop_caught(chain);
                std::panic::resume_unwind(p);
            }
            prefix = chain.last(hi - lo);
            chain.reset();
            lo = hi;
        }
        prefix
    }
}

impl<S, G, V> Units for ScanBlocks<'_, S, G, V>
where
    S: Source<Value = V>,
    G: Fn(V, V) -> V + Sync,
    V: Clone + Send + Sync,
{
    fn inline(&mut self, range: Range<usize>) -> usize {
        let items = self.blocks.items_in(&range);
        let mut prefix = self.prefix.take().expect("prefix present");
        for b in range {
            prefix = self.block(b, prefix);
        }
        self.prefix = Some(prefix);
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
        let prefix = self.prefix.take().expect("prefix present");
        self.prefix = Some(self.windows(shared, range, threads, prefix));
        items
    }
}
