//! `scan`: the inclusive prefix, deterministic.
//!
//! # The tree
//! The input is cut into the blocks of a reduction
//! ([`reduce_block`](crate::chunk::reduce_block) of the length and an
//! explicit `chunk_size`). Block `b`'s sum `s_b` is its reduction block
//! ([`fold_block`]: from `init`, eight sub-folds from 64 items on); the
//! prefixes before each block chain from `init`: `P_0 = init`, `P_{b+1} =
//! f(P_b, s_b)`; block `b` is then rescanned from `P_b` in input order,
//! `out[i] = f(out[i - 1], x_i)` with `out[lo_b - 1]` read as `P_b`. Every
//! value is a function of the input and the block length alone.
//!
//! # One pass
//! A block sums its items and rescans them back to back, so its input is
//! read from memory once and from cache the second time. Inline, blocks
//! run in order. In parallel, blocks are handed out one at a time in order
//! and each takes `P_b` from its predecessor through a [`Chain`], putting
//! `P_{b+1}` before it rescans: the sums of neighbouring blocks overlap,
//! and a block waits only for one `f` of its predecessor. The chain's
//! links are a window of [`window_slots`] blocks, reused, so the memory
//! beside the output is bounded whatever the length.

use super::super::drive::{Units, Work};
use super::super::{CallOptions, Pool, SendPtr, Shared};
use super::chain::Chain;
use crate::calibrate::{key_of, CallKind};
use crate::chunk;
use crate::input::{IntoSource, Item, Source};
use crate::reduce::{fold_block, window_slots, Blocks};
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
    /// `chunk_size`, the block length): block sums as in `reduce`, the
    /// prefixes before each block chained from `init`, each block rescanned
    /// from its prefix. Floating-point results are therefore bit-identical
    /// for every concurrency and run. Items are cloned into `f`.
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
    /// `s_b`: block `b` reduced from `init`.
    #[inline]
    fn sum(&self, b: usize) -> V {
        let value = |x: Item<'_, S>| S::value(x);
        fold_block(self.src, self.blocks.span(b), self.init, &value, self.f)
    }

    /// Write block `b`'s outputs, folding from `start` (`P_b`).
    #[inline]
    fn rescan(&self, b: usize, start: V) {
        let r = self.blocks.span(b);
        assert!(r.end <= self.src.len(), "block out of bounds");
        let p = self.dst.get();
        let mut acc = start;
        for i in r {
            // SAFETY: `i < r.end <= src.len()`, checked above.
            let x = S::value(unsafe { self.src.get_unchecked(i) });
            let next = (self.f)(acc, x);
            // SAFETY: `i < n`, the output's capacity; blocks partition
            // `0..n` and each runs once, so slot `i` is written once.
            unsafe { p.add(i).write(next.clone()) };
            acc = next;
        }
    }

    /// Block `b` on its own, from `P_b`; returns `P_{b+1}`.
    #[inline]
    fn block(&self, b: usize, start: V) -> V {
        let s = self.sum(b);
        let next = (self.f)(start.clone(), s);
        self.rescan(b, start);
        next
    }

    /// Blocks `range` in windows on `threads` threads, chained from
    /// `prefix`; returns the prefix after the last block.
    fn windows(&self, shared: &Shared, range: Range<usize>, threads: usize, mut prefix: V) -> V {
        let slots = window_slots::<V>(threads).min(range.len());
        let mut chain = Chain::new(slots + 1);
        let mut lo = range.start;
        while lo < range.end {
            let hi = lo + slots.min(range.end - lo);
            chain.put(0, prefix);
            let body = |r: Range<usize>| {
                let guard = chain.guard();
                for b in r.clone() {
                    let s = self.sum(b);
                    let Some(start) = chain.take(b - lo) else {
                        // Another block panicked; the call re-raises it.
                        break;
                    };
                    chain.put(b - lo + 1, (self.f)(start.clone(), s));
                    self.rescan(b, start);
                }
                guard.disarm();
                self.blocks.items_in(&r)
            };
            let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                shared.run_parallel(lo..hi, 1, threads, &body);
            }));
            if let Err(p) = ran {
                crate::unwind::drop_caught(chain);
                std::panic::resume_unwind(p);
            }
            prefix = chain
                .take(hi - lo)
                .expect("the last block of a window put its link");
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
        // A big output is faulted in by several threads at once: ask for
        // huge pages first (as `map` does).
        let bytes = self.blocks.items_in(&(0..self.blocks.count())) * std::mem::size_of::<V>();
        crate::mem::advise_huge(self.dst.get().cast(), bytes);
        let prefix = self.prefix.take().expect("prefix present");
        self.prefix = Some(self.windows(shared, range, threads, prefix));
        items
    }
}
