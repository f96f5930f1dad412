//! The reduction tree: how a reduction's input is cut into blocks, how one
//! block folds, and how block results combine. Everything that fixes the
//! bits of `reduce`, `map_reduce` and a cluster reduction is here; the
//! pool's driver only decides *where* each block runs.
//!
//! # The tree
//! The input of `len` items is cut into [`Blocks`] of a length that
//! depends only on `len` (or on an explicit `chunk_size`, see
//! [`reduce_block`](crate::chunk::reduce_block)). Each block folds from
//! `init` in input order ([`Tree::block`]; a long block as eight sub-folds,
//! below); block results then fold left to
//! right from `init` ([`combine`]). A parallel reduction runs a window of
//! [`window_slots`] blocks at a time and combines each window before the
//! next, so it holds a bounded number of results whatever the length; a
//! cluster reduction folds its share's blocks on each rank and combines
//! them all on the root. Same blocks, same order: the same bits.
//!
//! # One block
//! A block `[lo, hi)` of at least [`SPLIT_MIN`] items is cut into eight
//! contiguous sub-ranges (the last takes the remainder); each is folded from
//! `init` in order, all eight in the same loop so that their dependency
//! chains overlap in the CPU (a single chain of `f32` adds is bound by the
//! add latency, ~4 cycles an item; eight chains reach the load throughput).
//! The eight results are then combined pairwise, in input order:
//! `((a0 ⋅ a1) ⋅ (a2 ⋅ a3)) ⋅ ((a4 ⋅ a5) ⋅ (a6 ⋅ a7))`, so `init` enters
//! such a block eight times (hence the rule that `init` is an identity of
//! `f`). The cut depends only on the block length, so the association tree
//! is still a function of the input length alone.

use crate::input::{Item, Source};
use std::ops::Range;

/// Blocks shorter than this are folded with one accumulator.
pub(crate) const SPLIT_MIN: usize = 64;

/// A reduction's input of `len` items cut into blocks of `block` items,
/// the last one shorter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Blocks {
    len: usize,
    block: usize,
}

impl Blocks {
    /// `len` items in blocks of `block` (at least 1).
    pub(crate) fn new(len: usize, block: usize) -> Self {
        assert!(block > 0, "para: a reduction block has at least one item");
        Blocks { len, block }
    }

    /// Number of blocks.
    pub(crate) fn count(&self) -> usize {
        self.len.div_ceil(self.block)
    }

    /// The items of block `b < count()`: `[b * block, b * block +
    /// min(block, len - b * block))`, written so that the end cannot
    /// overflow when `len` is near `usize::MAX`.
    #[inline]
    pub(crate) fn span(&self, b: usize) -> Range<usize> {
        let lo = b * self.block;
        lo..lo + self.block.min(self.len - lo)
    }

    /// The items of blocks `r`, a sub-range of `0..=count()` (empty where
    /// `r` is).
    #[inline]
    pub(crate) fn items(&self, r: &Range<usize>) -> Range<usize> {
        if r.is_empty() {
            let at = r
                .start
                .checked_mul(self.block)
                .map_or(self.len, |i| i.min(self.len));
            at..at
        } else {
            self.span(r.start).start..self.span(r.end - 1).end
        }
    }

    /// How many items blocks `r` hold.
    #[inline]
    pub(crate) fn items_in(&self, r: &Range<usize>) -> usize {
        self.items(r).len()
    }
}

/// The fold of a reduction over `src`: its blocks, each item mapped by
/// `map`, folded with `g` from `init`. Shared by reference between the
/// threads that fold its blocks.
pub(crate) struct Tree<'a, S, M, G, V> {
    pub(crate) blocks: Blocks,
    src: &'a S,
    init: &'a V,
    map: &'a M,
    g: &'a G,
}

impl<'a, S, M, G, V> Tree<'a, S, M, G, V>
where
    S: Source,
    M: Fn(Item<'_, S>) -> V,
    G: Fn(V, V) -> V,
    V: Clone,
{
    /// The tree of `src` in blocks of `block` items.
    pub(crate) fn new(src: &'a S, block: usize, init: &'a V, map: &'a M, g: &'a G) -> Self {
        Tree {
            blocks: Blocks::new(src.len(), block),
            src,
            init,
            map,
            g,
        }
    }

    /// The result of block `b`: its items folded from `init`, in order (as
    /// eight sub-folds combined pairwise from [`SPLIT_MIN`] items on; see
    /// the module's `# One block`).
    #[inline]
    pub(crate) fn block(&self, b: usize) -> V {
        let r = self.blocks.span(b);
        fold_range(self.src, r.start, r.end, self.init, self.map, self.g)
    }

    /// `acc` folded with the results of blocks `r`, in order: what a
    /// reduction on one thread does.
    pub(crate) fn fold_blocks(&self, acc: V, r: Range<usize>) -> V {
        combine(acc, r.map(|b| self.block(b)), self.g)
    }

    /// `acc` folded with block results computed elsewhere, in order.
    pub(crate) fn combine(&self, acc: V, results: impl IntoIterator<Item = V>) -> V {
        combine(acc, results, self.g)
    }
}

/// Block results folded into `acc` left to right: the upper level of every
/// reduction tree (on one thread, window by window, or on a cluster's
/// root).
#[inline]
pub(crate) fn combine<V, G: Fn(V, V) -> V>(
    acc: V,
    results: impl IntoIterator<Item = V>,
    g: &G,
) -> V {
    results.into_iter().fold(acc, g)
}

/// [`combine`] over owned results, for callers that hold them all: if `g`
/// panics, the results not yet combined are dropped contained (a `Drop`
/// of one that panics during that unwind would abort the process), then
/// the panic goes on.
pub(crate) fn combine_owned<V, G: Fn(V, V) -> V>(acc: V, results: Vec<V>, g: &G) -> V {
    let mut rest = results.into_iter();
    let combined =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| combine(acc, &mut rest, g)));
    match combined {
        Ok(v) => v,
        Err(p) => {
            crate::unwind::drop_each_caught(rest);
            std::panic::resume_unwind(p)
        }
    }
}

/// [`combine_owned`] from the first result (`pfold`'s upper level: block
/// results combined left to right from the first); `None` for no results.
pub(crate) fn combine_from_first<V, G: Fn(V, V) -> V>(results: Vec<V>, g: &G) -> Option<V> {
    let mut rest = results.into_iter();
    let first = rest.next()?;
    Some(combine_owned(first, rest.collect(), g))
}

/// Results of this many bytes or less per thread wait for the in-order
/// combine at a time: 64 KiB, half a typical L2 share, so the window stays
/// in cache while it is combined.
const WINDOW_BYTES_PER_THREAD: usize = 64 * 1024;

/// Bounds on the window's slots per thread: at least 8, so that threads
/// can balance within a window even for large accumulators; at most 1,024,
/// so that a sum of `f64` over 10^8 items still runs in 6 windows (the
/// `reduce_sum` group measures the cost of the pauses between them).
const WINDOW_SLOTS_PER_THREAD: (usize, usize) = (8, 1024);

/// How many block results of type `V` a reduction on `threads` threads
/// holds at once: the memory bound of a reduction, whatever its length.
pub(crate) fn window_slots<V>(threads: usize) -> usize {
    let per_thread = (WINDOW_BYTES_PER_THREAD / std::mem::size_of::<V>().max(1))
        .clamp(WINDOW_SLOTS_PER_THREAD.0, WINDOW_SLOTS_PER_THREAD.1);
    per_thread * threads.max(1)
}

/// Fold items `lo..hi` of `src`, each mapped by `map`, with `g` from `init`.
#[inline]
fn fold_range<S, M, G, V>(src: &S, lo: usize, hi: usize, init: &V, map: &M, g: &G) -> V
where
    S: Source,
    M: Fn(Item<'_, S>) -> V,
    G: Fn(V, V) -> V,
    V: Clone,
{
    debug_assert!(lo <= hi && hi <= src.len());
    assert!(hi <= src.len(), "block out of bounds");
    // SAFETY: every index passed below lies in `lo..hi`, and `hi <=
    // src.len()` was checked above.
    let item = |i: usize| map(unsafe { src.get_unchecked(i) });
    let len = hi - lo;
    if len < SPLIT_MIN {
        let mut a = init.clone();
        for i in lo..hi {
            a = g(a, item(i));
        }
        return a;
    }
    let q = len / 8;
    let (b1, b2, b3, b4, b5, b6, b7) = (
        lo + q,
        lo + 2 * q,
        lo + 3 * q,
        lo + 4 * q,
        lo + 5 * q,
        lo + 6 * q,
        lo + 7 * q,
    );
    let mut a0 = init.clone();
    let mut a1 = init.clone();
    let mut a2 = init.clone();
    let mut a3 = init.clone();
    let mut a4 = init.clone();
    let mut a5 = init.clone();
    let mut a6 = init.clone();
    let mut a7 = init.clone();
    for i in 0..q {
        a0 = g(a0, item(lo + i));
        a1 = g(a1, item(b1 + i));
        a2 = g(a2, item(b2 + i));
        a3 = g(a3, item(b3 + i));
        a4 = g(a4, item(b4 + i));
        a5 = g(a5, item(b5 + i));
        a6 = g(a6, item(b6 + i));
        a7 = g(a7, item(b7 + i));
    }
    // The last sub-range runs to `hi`: its tail continues its own fold.
    for i in lo + 8 * q..hi {
        a7 = g(a7, item(i));
    }
    g(g(g(a0, a1), g(a2, a3)), g(g(a4, a5), g(a6, a7)))
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::input::SliceSource;

    #[test]
    fn keeps_order_for_non_commutative_fold() {
        let words: Vec<String> = (0..1000).map(|i| format!("{i},")).collect();
        let src = SliceSource(&words[..]);
        for (lo, hi) in [(0, 0), (0, 1), (3, 50), (0, 64), (7, 1000), (0, 1000)] {
            let got = fold_range(
                &src,
                lo,
                hi,
                &String::new(),
                &|s: &String| s.clone(),
                &|a: String, b: String| a + &b,
            );
            assert_eq!(got, words[lo..hi].concat());
        }
    }

    #[test]
    fn blocks_cover_the_input_once_in_order() {
        for (len, block) in [(0, 1), (1, 1), (10, 3), (64, 16), (1000, 7)] {
            let blocks = Blocks::new(len, block);
            let mut next = 0;
            for b in 0..blocks.count() {
                let r = blocks.span(b);
                assert_eq!(r.start, next);
                assert!(!r.is_empty() && r.len() <= block);
                next = r.end;
            }
            assert_eq!(next, len);
            assert_eq!(blocks.items_in(&(0..blocks.count())), len);
            assert_eq!(blocks.items_in(&(1..1)), 0);
        }
        // The last block ends at `len` without overflowing.
        let huge = Blocks::new(usize::MAX, 1 << 20);
        assert_eq!(huge.span(huge.count() - 1).end, usize::MAX);
        assert_eq!(Blocks::new(10, 3).items_in(&(1..3)), 6);
        assert_eq!(Blocks::new(10, 3).items(&(2..4)), 6..10);
        assert_eq!(Blocks::new(10, 3).items(&(4..4)), 10..10);
        assert_eq!(Blocks::new(10, 3).items(&(2..2)), 6..6);
    }

    #[test]
    fn the_tree_is_blocks_from_init_then_results_from_init() {
        // A non-commutative, non-associative fold shows the tree itself.
        let xs: Vec<i64> = (1..=20).collect();
        let src = SliceSource(&xs[..]);
        let g = |a: i64, b: i64| 2 * a - b;
        let map = |x: &i64| *x;
        let tree = Tree::new(&src, 6, &0, &map, &g);
        let by_hand = xs
            .chunks(6)
            .map(|c| c.iter().fold(0, |a, &b| g(a, b)))
            .fold(0, g);
        assert_eq!(tree.fold_blocks(0, 0..tree.blocks.count()), by_hand);
        let split = tree.fold_blocks(tree.fold_blocks(0, 0..2), 2..4);
        assert_eq!(split, by_hand);
        let results: Vec<i64> = (0..4).map(|b| tree.block(b)).collect();
        assert_eq!(tree.combine(0, results), by_hand);
    }

    #[test]
    fn a_long_block_is_eight_sub_folds_combined_pairwise() {
        // A non-associative fold over a block of 100 items (past
        // SPLIT_MIN): the documented shape, built by hand.
        let xs: Vec<i64> = (1..=100).collect();
        let src = SliceSource(&xs[..]);
        let g = |a: i64, b: i64| 3 * a - b;
        let map = |x: &i64| *x;
        let tree = Tree::new(&src, 100, &1, &map, &g);
        let q = 100 / 8;
        let sub = |lo: usize, hi: usize| xs[lo..hi].iter().fold(1, |a, &b| g(a, b));
        let a: Vec<i64> = (0..8)
            .map(|k| sub(k * q, if k == 7 { 100 } else { (k + 1) * q }))
            .collect();
        let by_hand = g(
            g(g(a[0], a[1]), g(a[2], a[3])),
            g(g(a[4], a[5]), g(a[6], a[7])),
        );
        assert_eq!(tree.block(0), by_hand);
        assert_eq!(tree.fold_blocks(1, 0..1), g(1, by_hand));
    }

    #[test]
    fn a_window_is_bounded_by_bytes_and_slots() {
        assert_eq!(window_slots::<f64>(1), 1024);
        assert_eq!(window_slots::<f64>(4), 4 * 1024);
        assert_eq!(window_slots::<[u8; 4096]>(2), 2 * 16);
        assert_eq!(window_slots::<[u8; 1 << 20]>(2), 2 * 8);
        assert_eq!(window_slots::<()>(0), 1024);
    }
}
