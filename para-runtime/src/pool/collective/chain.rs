//! The in-order hand-over behind `scan` and `filter`'s single pass: block
//! `b` of a window computes its *aggregate* alone (its lane sums, its kept
//! count) while its input is in cache, finds the *prefix* before it (the
//! fold of everything before the block, the output offset it starts at),
//! hands its successor the prefix after it, and then finishes (rescans,
//! copies) from the prefix it found, still in cache.
//!
//! # Protocol
//! - A window of blocks `lo..hi` has prefix links `0..=hi - lo` and
//!   aggregate links `0..hi - lo`. The caller puts prefix 0 (the prefix
//!   before block `lo`) before the window runs; block `lo + k` puts
//!   aggregate `k` as soon as it has it, then prefix `k + 1` once it knows
//!   prefix `k`; the caller reads prefix `hi - lo` after the window has
//!   run. Each link is put once, by one thread, and read by cloning.
//! - **Look-back, never wait for long**: block `lo + k` spins briefly for
//!   prefix `k`; if it is still missing (its predecessor was preempted, or
//!   is slow), it walks back: for `j = k - 1, k - 2, ...` it takes
//!   aggregate `j` (cloned if put, else computed from the input itself and
//!   *settled*: the first value settled for a link wins, whether the
//!   block's own or a look-back's, so every thread folds the same ones)
//!   until it finds a prefix `j` that is put (prefix 0 always is), and
//!   folds that prefix forward through aggregates `j..k`. An aggregate is
//!   a function of the block's input alone, and prefix `j + 1` is by
//!   definition prefix `j` folded with aggregate `j`, so the prefix found
//!   is the same value, bit for bit, whoever computes it and whatever the
//!   timing: the chain of the sequential run.
//! - No thread ever waits for another, so a panic, a preempted thread or
//!   more threads than cores cannot hang a block: each block finishes on
//!   its own, and the window ends when `Shared::run_parallel`'s join does.
//!   A panic of user code inside a look-back unwinds out of the block like
//!   any other (the job stores and re-raises it).
//!
//! # Memory ordering
//! A link's value is written before its state is stored `FULL` with
//! `Release`; a reader loads `FULL` with `Acquire` before cloning it: the
//! write happens before every read. The caller's reads, its reset between
//! windows and the chain's drop come after the window's join, which orders
//! every chunk's writes before them (see `pool::job`).

use crate::loom::{AtomicUsize, Ordering, UnsafeCell};
use std::mem::MaybeUninit;

const EMPTY: usize = 0;
const FULL: usize = 1;
/// An aggregate link being written by the thread that won its
/// [`Link::settle`] (a move, no user code: the state turns `FULL` next).
const WRITING: usize = 2;

/// Spins of a block for the prefix before it, before it looks back: a
/// predecessor that runs puts it within a few `f` of putting its
/// aggregate, much less than a block's sum takes.
#[cfg(not(loom))]
const PATIENCE: u32 = 256;
/// One look in loom models: every spin there is a yield the model explores.
#[cfg(loom)]
const PATIENCE: u32 = 1;

/// One value, put once and read by cloning.
struct Link<T> {
    state: AtomicUsize,
    value: UnsafeCell<MaybeUninit<T>>,
}

impl<T> Link<T> {
    fn new() -> Self {
        Link {
            state: AtomicUsize::new(EMPTY),
            value: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }

    /// # Panics
    /// If the link was put already (a bug of the caller).
    fn put(&self, v: T) {
        assert_eq!(
            self.state.load(Ordering::Relaxed),
            EMPTY,
            "para: internal error: a chain link put twice"
        );
        // SAFETY: a link is put by one thread only (the protocol), and no
        // one reads its value before the `Release` store below.
        self.value.with_mut(|p| unsafe { (*p).write(v) });
        self.state.store(FULL, Ordering::Release);
    }

    /// Put `v` unless the link holds a value already (or is being
    /// written); return the value the link holds then: the first one
    /// settled wins, and every reader agrees on it.
    fn settle(&self, v: T) -> T
    where
        T: Clone,
    {
        if self
            .state
            .compare_exchange(EMPTY, WRITING, Ordering::Acquire, Ordering::Acquire)
            .is_ok()
        {
            // SAFETY: this thread moved the state from `EMPTY` to
            // `WRITING`, so it alone writes the value, and no one reads it
            // before the `Release` store below.
            self.value.with_mut(|p| unsafe { (*p).write(v) });
            self.state.store(FULL, Ordering::Release);
        } else {
            // The winner writes with a move and stores `FULL` next.
            crate::unwind::drop_caught(v);
        }
        loop {
            if let Some(agreed) = self.read() {
                return agreed;
            }
            crate::loom::spin_hint();
        }
    }

    fn read(&self) -> Option<T>
    where
        T: Clone,
    {
        if self.state.load(Ordering::Acquire) != FULL {
            return None;
        }
        // SAFETY: `FULL` was loaded with `Acquire`, so the value's write
        // is visible, and a put value is never written again before the
        // caller's reset, which needs `&mut` (no reader is left).
        // The clone runs inside `with`, so a loom model tracks the access.
        Some(
            self.value
                .with(|p| unsafe { (*p).assume_init_ref().clone() }),
        )
    }

    /// Empty the link, dropping its value if it has one (contained).
    fn clear(&mut self) {
        if self.state.swap(EMPTY, Ordering::Relaxed) == FULL {
            // SAFETY: `FULL`: the value is initialised and owned by the
            // link; the state is `EMPTY` now, so it is not read or dropped
            // again.
            let v = self.value.with(|p| unsafe { (*p).assume_init_read() });
            crate::unwind::drop_caught(v);
        }
    }
}

/// The links of one window at a time (reused window after window):
/// prefixes `V` and aggregates `A`.
pub(super) struct Chain<V, A> {
    prefixes: Box<[Link<V>]>,
    aggregates: Box<[Link<A>]>,
}

// SAFETY: values move (as clones) from the thread that puts a link to the
// ones that read it (`V, A: Send`), and are read through shared
// references from several threads (`V, A: Sync`); every access is ordered
// by the link's state (see the protocol).
unsafe impl<V: Send + Sync, A: Send + Sync> Sync for Chain<V, A> {}

impl<V: Clone, A: Clone> Chain<V, A> {
    /// A chain for windows of up to `blocks` blocks, all links empty.
    pub(super) fn new(blocks: usize) -> Self {
        Chain {
            prefixes: (0..=blocks).map(|_| Link::new()).collect(),
            aggregates: (0..blocks).map(|_| Link::new()).collect(),
        }
    }

    /// Put prefix `k` (the prefix before block `lo + k`).
    pub(super) fn put_prefix(&self, k: usize, v: V) {
        self.prefixes[k].put(v);
    }

    /// Put aggregate `k` (block `lo + k`'s).
    #[cfg(test)]
    pub(super) fn put_aggregate(&self, k: usize, a: A) {
        self.aggregates[k].put(a);
    }

    /// Settle aggregate `k` (block `lo + k`'s) on `a`, unless a look-back
    /// settled it first; returns the value every thread uses for it. A
    /// block's own aggregate and one a look-back recomputed from the input
    /// agree for a pure `f` or predicate; for one whose answers change,
    /// the first settled wins, so the prefixes of all threads still agree
    /// (and `filter`'s output ranges stay disjoint: see there).
    pub(super) fn settle_aggregate(&self, k: usize, a: A) -> A {
        self.aggregates[k].settle(a)
    }

    /// The prefix before block `lo + k`: prefix `k` once put, or, after
    /// [`PATIENCE`] spins, found by looking back (see the protocol), with
    /// `aggregate(j)` computing a missing aggregate `j` and `fold` folding
    /// a prefix with an aggregate.
    pub(super) fn prefix(
        &self,
        k: usize,
        aggregate: impl Fn(usize) -> A,
        fold: impl Fn(V, A) -> V,
    ) -> V {
        for _ in 0..PATIENCE {
            if let Some(p) = self.prefixes[k].read() {
                return p;
            }
            crate::loom::spin_hint();
        }
        if let Some(p) = self.prefixes[k].read() {
            return p;
        }
        // Aggregates `j..k`, latest first.
        let mut behind = Vec::new();
        let mut j = k;
        let start = loop {
            // `j > 0` here: prefix 0 is put before the window runs, so the
            // walk stops at `j == 0` at the latest.
            j -= 1;
            behind.push(
                self.aggregates[j]
                    .read()
                    .unwrap_or_else(|| self.aggregates[j].settle(aggregate(j))),
            );
            if let Some(p) = self.prefixes[j].read() {
                break p;
            }
        };
        behind.into_iter().rev().fold(start, fold)
    }

    /// Caller only, after the window has run: prefix `k`.
    ///
    /// # Panics
    /// If it was not put (a block of the window did not finish).
    pub(super) fn last(&self, k: usize) -> V {
        self.prefixes[k]
            .read()
            .expect("the last block of a window put its prefix")
    }

    /// Caller only, between windows: empty every link, dropping its value
    /// (contained).
    pub(super) fn reset(&mut self) {
        self.prefixes.iter_mut().for_each(Link::clear);
        self.aggregates.iter_mut().for_each(Link::clear);
    }
}

impl<V, A> Drop for Chain<V, A> {
    fn drop(&mut self) {
        self.prefixes.iter_mut().for_each(Link::clear);
        self.aggregates.iter_mut().for_each(Link::clear);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::sync::Arc;

    #[derive(Clone)]
    struct Counted(#[allow(dead_code)] u32, Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.1.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[test]
    fn links_are_read_by_cloning_and_dropped_once_on_reset() {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut c: Chain<Counted, u8> = Chain::new(2);
        c.put_prefix(0, Counted(0, drops.clone()));
        drop(c.last(0));
        drop(c.last(0));
        assert_eq!(drops.load(Ordering::Relaxed), 2);
        c.reset();
        assert_eq!(drops.load(Ordering::Relaxed), 3);
        c.put_prefix(2, Counted(2, drops.clone()));
        drop(c);
        assert_eq!(drops.load(Ordering::Relaxed), 4);
    }

    #[test]
    fn a_missing_prefix_is_found_by_looking_back() {
        // Prefixes of 10 + sums: block aggregates 1, 2, 3, 4; only prefix 0
        // and aggregate 1 are put, so the look-back computes 0, 2 and 3
        // and reads 1.
        let c: Chain<u64, u64> = Chain::new(4);
        c.put_prefix(0, 10);
        c.put_aggregate(1, 2);
        let computed = std::sync::Mutex::new(Vec::new());
        let p = c.prefix(
            3,
            |j| {
                computed.lock().unwrap().push(j);
                j as u64 + 1
            },
            |p, a| p * 10 + a,
        );
        // ((10 * 10 + 1) * 10 + 2) * 10 + 3, folded in order.
        assert_eq!(p, 10123);
        assert_eq!(*computed.lock().unwrap(), [2, 0]);
        // A put prefix stops the walk early.
        c.put_prefix(2, 7);
        assert_eq!(c.prefix(3, |j| j as u64 + 1, |p, a| p * 10 + a), 73);
        assert_eq!(c.prefix(0, |_| unreachable!(), |p, a| p + a), 10);
    }

    #[test]
    fn a_prefix_put_on_another_thread_is_read() {
        let c: Chain<String, ()> = Chain::new(1);
        c.put_prefix(0, String::from("a"));
        std::thread::scope(|s| {
            s.spawn(|| c.put_prefix(1, String::from("ab")));
        });
        assert_eq!(c.last(1), "ab");
    }
}

#[cfg(all(test, loom))]
mod loom_models {
    use super::*;
    use std::sync::Arc;

    /// Block 1 finds its prefix while block 0 publishes: whichever it
    /// reads (prefix 1, aggregate 0, or neither and computes it), the
    /// value is the sequential one. Fails if `put` stores `FULL` before
    /// writing the value (an uninitialised read), or if a look-back folds
    /// the aggregates out of order.
    #[test]
    fn loom_a_prefix_is_the_same_whether_read_or_looked_back() {
        loom::model(|| {
            let c: Arc<Chain<u64, u64>> = Arc::new(Chain::new(2));
            c.put_prefix(0, 10);
            let c0 = c.clone();
            let block0 = loom::thread::spawn(move || {
                assert_eq!(c0.settle_aggregate(0, 3), 3);
                c0.put_prefix(1, 10 * 7 + 3);
            });
            let p = c.prefix(1, |j| [3, 4][j], |p, a| p * 7 + a);
            assert_eq!(p, 73);
            block0.join().unwrap();
            assert_eq!(c.last(1), 73);
        });
    }
}
