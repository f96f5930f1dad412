//! The one driver of every blocking call: plan, then run.
//!
//! A call hands the driver its [`Work`] (a cache key, a number of units,
//! the items per unit) and a [`Units`]: how to run a range of units on the
//! caller, in order ([`Units::inline`]), and on several threads
//! ([`Units::parallel`]). [`Shared::drive`] then
//!
//! 1. plans ([`Shared::decide`]): with the cached cost if
//!    [`rules::trusted`] allows, else after timing a growing prefix of real
//!    work through `inline` ([`Shared::probe`]);
//! 2. runs the rest inline or in parallel, as [`chunk::plan`] says;
//! 3. corrects the cached cost from the call's time ([`Shared::observe`]).
//!
//! Two kinds of units exist: [`Independent`] (map, map_into: any unit may
//! run anywhere, chunks run through [`Shared::run_parallel`]) and [`Folds`]
//! (reduce, map_reduce: units are the blocks of a [`Tree`], folded in order
//! into one accumulator; parallel runs go window by window through
//! [`fold_windows`]). Map-like calls also have a fast path that skips the
//! driver when the cache already says "inline" ([`Shared::run`]).

use super::{CallOptions, Job, SendPtr, Shared};
use crate::calibrate::{rules, Cost};
use crate::chunk::{self, Plan};
use crate::input::{Item, Source};
use crate::loom::Ordering;
use crate::reduce::{window_slots, Tree};
use std::mem::MaybeUninit;
use std::ops::Range;
use std::sync::Arc;
use std::time::Instant;

/// What a call is, for planning: its cache key, how many units it has,
/// how many items each unit holds (1 for a map, the block length for a
/// reduction), and a forced chunk size in units, if any.
pub(super) struct Work {
    pub(super) key: u64,
    pub(super) units: usize,
    pub(super) unit_items: usize,
    pub(super) chunk: Option<usize>,
}

/// How a planned call runs its units. Both methods return the items they
/// finished (what the driver times the call against).
pub(super) trait Units {
    /// Run units `range` on the calling thread, in order (the calibration
    /// prefix runs through here too).
    fn inline(&mut self, range: Range<usize>) -> usize;
    /// Run units `range` on `threads` threads, the caller included, in
    /// chunks of `chunk` units; counts the items in `completed`.
    fn parallel(
        &mut self,
        shared: &Shared,
        range: Range<usize>,
        chunk: usize,
        threads: usize,
    ) -> usize;
}

/// What [`Shared::decide`] chose.
pub(super) struct Decision {
    /// Units the calibration prefix already finished.
    done: usize,
    /// How to run the rest.
    plan: Plan,
    /// Start time and estimate, when the rest is worth timing.
    timed: Option<(Instant, Cost)>,
}

impl Shared {
    /// Run a map-like call: where the cache already says it is too small
    /// to share, inline through the statically known `body` (inlined into
    /// the caller's generic code, no indirect call); otherwise
    /// `before_drive`, then [`Shared::drive`] with [`Independent`] units.
    #[inline(always)]
    pub(super) fn run<B, P>(
        self: &Arc<Self>,
        key: u64,
        units: usize,
        opts: CallOptions,
        body: B,
        before_drive: P,
    ) where
        B: Fn(Range<usize>) -> usize + Sync,
        P: FnOnce(),
    {
        // `body` and `opts` come by value and move into fresh locals on the
        // planning branch, whose addresses escape there alone: the inline
        // branch keeps their fields in registers instead of storing them.
        if self.known_small(key, units, &opts) {
            let done = body(0..units);
            self.signals.completed.add(done);
        } else {
            before_drive();
            let planned = move |r: Range<usize>| body(r);
            let planned_opts = opts;
            let work = Work {
                key,
                units,
                unit_items: 1,
                chunk: planned_opts.chunk_size.or(self.chunk_size),
            };
            self.drive(&work, &planned_opts, &mut Independent(&planned));
        }
    }

    /// Whether the cache already says a call of `units` units of kernel
    /// `key` is too small to share.
    #[inline]
    fn known_small(&self, key: u64, units: usize, opts: &CallOptions) -> bool {
        (units as u64) < self.cache.inline_below(key) && opts.concurrency != Some(0)
    }

    /// Plan and run `work` through `run`: the calibration prefix and an
    /// inline plan through [`Units::inline`], a parallel plan through
    /// [`Units::parallel`]; then correct the estimate from the call's time.
    pub(super) fn drive(self: &Arc<Self>, work: &Work, opts: &CallOptions, run: &mut dyn Units) {
        if work.units == 0 {
            return;
        }
        let known = self.cache.get(work.key);
        let d = self.decide(work, opts, known, &mut |r| run.inline(r));
        if d.done == work.units {
            return;
        }
        let rest = d.done..work.units;
        let (items, threads) = match d.plan {
            Plan::Inline => {
                let n = run.inline(rest);
                self.signals.completed.add(n);
                (n, 1)
            }
            Plan::Parallel { threads, chunk } => {
                (run.parallel(self, rest, chunk, threads), threads)
            }
        };
        if let Some((t0, estimate)) = d.timed {
            self.observe(work.key, t0, estimate, items, threads);
        }
    }

    /// Workers that may help a call with these options.
    fn helpers(self: &Arc<Self>, opts: &CallOptions) -> usize {
        if let Some(0) = opts.concurrency {
            panic!("para: `concurrency` must be at least 1 (got 0)");
        }
        if !self.ensure_running() {
            return 0;
        }
        opts.concurrency
            .unwrap_or(self.concurrency)
            .min(self.concurrency)
    }

    /// Calibrate (if needed) and plan `work`, given the cached cost `known`
    /// of its key. Runs a timed prefix through `prefix` when the cost is
    /// not [`trusted`](rules::trusted); returns how many units that prefix
    /// finished, the plan for the rest, and whether the rest is worth
    /// timing (see [`Shared::observe`]).
    fn decide(
        self: &Arc<Self>,
        work: &Work,
        opts: &CallOptions,
        known: Option<Cost>,
        prefix: &mut dyn FnMut(Range<usize>) -> usize,
    ) -> Decision {
        let units = work.units;
        let max_threads = 1 + self.helpers(opts);
        let unit_items = work.unit_items.max(1) as f64;
        let mut done = 0;
        let cost = match rules::trusted(known, units as f64 * unit_items) {
            Some(c) => c,
            None => {
                let (d, c) = self.probe(prefix, units);
                done = d;
                if rules::replaces(known, c) {
                    self.cache.put(work.key, c);
                }
                c
            }
        };
        if done == units {
            return Decision {
                done,
                plan: Plan::Inline,
                timed: None,
            };
        }
        let est_ns = (units - done) as f64 * cost.ns_per_item * unit_items;
        let hot = rules::mid_sized(est_ns) && self.hot();
        let plan = chunk::plan(
            units - done,
            cost.ns_per_item * unit_items,
            max_threads,
            work.chunk,
            hot,
        );
        Decision {
            done,
            plan,
            timed: rules::worth_timing(est_ns).then(|| (Instant::now(), cost)),
        }
    }

    /// [`rules::hot`] for a mid-sized call planned now; records the time
    /// for the next one.
    pub(super) fn hot(&self) -> bool {
        let now = u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
        let before = self.planned_at.swap(now, Ordering::Relaxed);
        rules::hot(now, before, self.queue.asleep(), self.concurrency)
    }

    /// Time a growing prefix of real work on the caller: 1, 2, 4, ... units,
    /// until [`chunk::PROBE_NS`] have passed or the input is done. The
    /// estimate is the *lowest* per-item time of the steps, so a step that
    /// the OS preempted, or the fixed cost of reading the clock on tiny
    /// steps, does not inflate it.
    fn probe(&self, prefix: &mut dyn FnMut(Range<usize>) -> usize, units: usize) -> (usize, Cost) {
        let start = Instant::now();
        let mut step_start = start;
        let (mut done, mut step, mut items) = (0_usize, 1_usize, 0_usize);
        let mut best = f64::INFINITY;
        loop {
            let hi = done.saturating_add(step).min(units);
            let n = prefix(done..hi);
            items += n;
            done = hi;
            let now = Instant::now();
            let step_ns = now.duration_since(step_start).as_nanos() as f64;
            step_start = now;
            best = best.min(step_ns / n.max(1) as f64);
            if done == units || now.duration_since(start).as_nanos() >= u128::from(chunk::PROBE_NS)
            {
                break;
            }
            step *= 2;
        }
        self.signals.completed.add(items);
        (done, rules::probed(best, start.elapsed().as_nanos()))
    }

    /// Correct the cached cost of `key` from a call timed since `t0`:
    /// `items` items on `threads` threads, planned with `estimate` (see
    /// [`rules::corrected`]).
    pub(super) fn observe(
        &self,
        key: u64,
        t0: Instant,
        estimate: Cost,
        items: usize,
        threads: usize,
    ) {
        let ns = t0.elapsed().as_nanos() as f64;
        if let Some(c) = rules::corrected(estimate, ns, items, threads) {
            self.cache.put(key, c);
        }
    }

    /// Run units `range` in chunks of `chunk` units on `threads` threads,
    /// the caller included: equal chunks, or guided ones of at least that
    /// size when `chunk` carries [`chunk::GUIDED`] (see [`chunk`]'s
    /// docs). `body` runs a sub-range and returns the items it finished.
    /// Re-raises the first panic of any chunk.
    pub(super) fn run_parallel(
        &self,
        range: Range<usize>,
        chunk: usize,
        threads: usize,
        body: &(dyn Fn(Range<usize>) -> usize + Sync),
    ) {
        let (lo, hi) = (range.start, range.end);
        let (size, guided) = chunk::split_chunk(chunk);
        let size = size.max(1);
        // Chunk `i` of a guided schedule covers `lo + ends[i - 1]..lo +
        // ends[i]`: computed up front, since chunks are claimed by index,
        // into a buffer on this stack (a map allocates nothing beside its
        // output). A schedule that does not fit runs equal chunks.
        let mut buf = [0_usize; chunk::MAX_GUIDED_CHUNKS];
        let guided = if guided && hi - lo > size {
            chunk::guided_ends(hi - lo, threads, size, &mut buf)
        } else {
            None
        };
        let size = if chunk::split_chunk(chunk).1 && guided.is_none() {
            size.max((hi - lo).div_ceil(threads * chunk::CHUNKS_PER_THREAD))
        } else {
            size
        };
        if let Some(count) = guided {
            let ends = &buf[..count];
            let run_chunk = |i: usize| {
                let a = if i == 0 { 0 } else { ends[i - 1] };
                body(lo + a..lo + ends[i])
            };
            self.run_chunks(count, threads, &run_chunk);
        } else {
            let run_chunk = |i: usize| {
                // `i < chunks`, so `a < hi`; the end is `min(a + size, hi)`
                // written so that it cannot overflow near `usize::MAX`.
                let a = lo + i * size;
                body(a..a + size.min(hi - a))
            };
            self.run_chunks((hi - lo).div_ceil(size), threads, &run_chunk);
        }
    }

    /// [`Shared::run_parallel`]'s second half: run chunks `0..chunks`
    /// through `run_chunk` on up to `threads` threads, the caller
    /// included; re-raises the first panic of any chunk.
    fn run_chunks(
        &self,
        chunks: usize,
        threads: usize,
        run_chunk: &(dyn Fn(usize) -> usize + Sync),
    ) {
        // From here to the end of `wait`, unwinding would free `run_chunk`
        // while helpers may run it: nothing here unwinds (chunks run under
        // `catch_unwind`), and the guard turns a bug into an abort.
        let critical = crate::unwind::AbortOnUnwind;
        // SAFETY: `job.wait_quiet()` below returns only after every chunk is
        // done, before `run_chunk` (and what it borrows) goes out of scope;
        // it is reached even if a chunk panics, because `work` catches
        // panics, and `critical` aborts on any other unwind.
        let job = Arc::new(unsafe { Job::new(chunks, run_chunk) });
        let pushed = self.push_help(&job, (threads - 1).min(chunks - 1));
        job.work(&|n| self.signals.completed.add(n), &|| {});
        if job.started.load(Ordering::Acquire) < pushed {
            self.remove_help(&job);
        }
        let panicked = job.wait_quiet();
        critical.disarm();
        if let Some(p) = panicked {
            std::panic::resume_unwind(p);
        }
    }
}

/// Units that may run anywhere, in any order (a map's items): `body` runs a
/// range of them and returns the items it finished.
pub(super) struct Independent<'b>(pub(super) &'b (dyn Fn(Range<usize>) -> usize + Sync));

impl Units for Independent<'_> {
    fn inline(&mut self, range: Range<usize>) -> usize {
        (self.0)(range)
    }

    fn parallel(
        &mut self,
        shared: &Shared,
        range: Range<usize>,
        chunk: usize,
        threads: usize,
    ) -> usize {
        let items = range.len();
        shared.run_parallel(range, chunk, threads, self.0);
        items
    }
}

/// The blocks of a reduction `tree` as units, folded in input order into
/// `acc` (present except while a fold runs).
pub(super) struct Folds<'t, 'a, S, M, G, V> {
    pub(super) tree: &'t Tree<'a, S, M, G, V>,
    pub(super) acc: Option<V>,
}

impl<S, M, G, V> Units for Folds<'_, '_, S, M, G, V>
where
    S: Source,
    M: for<'s> Fn(Item<'s, S>) -> V + Sync,
    G: Fn(V, V) -> V + Sync,
    V: Clone + Send + Sync,
{
    fn inline(&mut self, range: Range<usize>) -> usize {
        let items = self.tree.blocks.items_in(&range);
        let acc = self.acc.take().expect("accumulator present");
        self.acc = Some(self.tree.fold_blocks(acc, range));
        items
    }

    fn parallel(
        &mut self,
        shared: &Shared,
        range: Range<usize>,
        chunk: usize,
        threads: usize,
    ) -> usize {
        let items = self.tree.blocks.items_in(&range);
        let acc = self.acc.take().expect("accumulator present");
        self.acc = Some(fold_windows(shared, range, chunk, threads, self.tree, acc));
        items
    }
}

/// Fold blocks `range` of `tree` in parallel into `acc`, in input order:
/// the blocks are taken a window of [`window_slots`] at a time, each
/// window's blocks folded in parallel into its slots, then combined into
/// `acc` in order on the caller. The tree is the same as the sequential one
/// ([`Tree::fold_blocks`]), so the windows change the memory (bounded by
/// the thread count, not the length) and nothing in the bits.
///
/// A panic of a block stops the call: the results already written in the
/// window are leaked, `acc` is dropped (under `catch_unwind`), and the
/// panic is re-raised.
fn fold_windows<S, M, G, V>(
    shared: &Shared,
    range: Range<usize>,
    chunk: usize,
    threads: usize,
    tree: &Tree<'_, S, M, G, V>,
    mut acc: V,
) -> V
where
    S: Source,
    M: for<'s> Fn(Item<'s, S>) -> V + Sync,
    G: Fn(V, V) -> V + Sync,
    V: Clone + Send + Sync,
{
    let slots = window_slots::<V>(threads).min(range.len());
    let mut results: Vec<MaybeUninit<V>> = Vec::with_capacity(slots);
    // SAFETY: `MaybeUninit` needs no initialisation.
    unsafe { results.set_len(slots) };
    let dst = SendPtr(results.as_mut_ptr());
    let mut lo = range.start;
    while lo < range.end {
        let hi = lo + slots.min(range.end - lo);
        let body = |r: Range<usize>| {
            let p = dst.get();
            let items = tree.blocks.items_in(&r);
            for b in r {
                // SAFETY: `lo <= b < hi <= lo + slots`, so the slot is in
                // bounds; each block is written by one chunk only, and the
                // caller reads the window only after `run_parallel` returned.
                unsafe { (*p.add(b - lo)).write(tree.block(b)) };
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
            crate::unwind::drop_caught(acc);
            std::panic::resume_unwind(p);
        }
        let window = (0..hi - lo).map(|k| {
            // SAFETY: `run_parallel` returned normally, so every block of
            // the window wrote its slot; each slot is read once per window
            // (and written again, without a drop, by the next window).
            unsafe { (*dst.get().add(k)).assume_init_read() }
        });
        acc = tree.combine(acc, window);
        lo = hi;
    }
    acc
}
