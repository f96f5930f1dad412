//! The fold of one reduction block, with eight independent accumulators.
//!
//! A block `[lo, hi)` of at least [`SPLIT_MIN`] items is cut into eight
//! contiguous sub-ranges (the last takes the remainder); each is folded from
//! `init` in order, all eight in the same loop so that their dependency
//! chains overlap in the CPU (a single chain of `f32` adds is bound by the
//! add latency, ~4 cycles an item; eight chains reach the load throughput).
//! The eight results are then combined in order. The cut depends only on
//! the block length, so the association tree is still a function of the
//! input length alone.

use crate::input::{Item, Source};

/// Blocks shorter than this are folded with one accumulator.
pub(crate) const SPLIT_MIN: usize = 64;

/// Fold items `lo..hi` of `src`, each mapped by `map`, with `g` from `init`.
#[inline]
pub(crate) fn fold_range<S, M, G, V>(src: &S, lo: usize, hi: usize, init: &V, map: &M, g: &G) -> V
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
}
