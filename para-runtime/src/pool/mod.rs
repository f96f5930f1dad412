//! The persistent worker pool: threads started once and kept, a shared
//! queue of run-requests, workers that spin briefly and then sleep.
//!
//! A blocking call goes through these files in order:
//!
//! - `calls.rs`: the public methods (`map`, `reduce`, ...) build the
//!   call's units;
//! - `drive.rs`: the one driver plans the call (calibration's rules, see
//!   `crate::calibrate`) and runs it inline or in parallel;
//! - `job.rs`: a parallel run's chunks, claimed by the caller and helpers;
//! - `queue.rs`: how helpers are asked (the sleep protocol);
//! - `worker.rs`: the threads that answer, and how they start and stop.
//!
//! `builder.rs` holds [`PoolBuilder`] and [`CallOptions`]; this file the
//! [`Pool`] handle and the state its threads share.

mod async_calls;
mod async_job;
mod builder;
mod calls;
mod collective;
mod drive;
mod job;
mod queue;
#[cfg(all(test, not(loom)))]
mod test_support;
mod worker;

pub use async_calls::AsyncCall;
pub(crate) use async_job::AsyncWork;
pub use builder::{CallOptions, PoolBuilder};
pub use collective::TryItem;
pub(crate) use job::Job;
pub(crate) use queue::{Request, Task};

use crate::calibrate::{self, CostCache};
use crate::error::BuildError;
use crate::loom::{AtomicBool, AtomicU64, Mutex, Ordering};
use crate::signals::Signals;
use queue::Queue;
use std::fmt;
use std::sync::Arc;
use std::time::Instant;
use worker::Handles;

/// What a pool's threads and its handles share.
pub(crate) struct Shared {
    queue: Queue,
    /// When the last mid-sized call was planned, in ns since `epoch` (see
    /// [`Shared::hot`]).
    planned_at: AtomicU64,
    epoch: Instant,
    /// Whether the current generation's workers run; written under
    /// `handles`' lock.
    running: AtomicBool,
    handles: Mutex<Handles>,
    /// Signalled when the last stop from outside that is joining threads
    /// has joined them (see `Shared::stop`).
    joined: crate::loom::Condvar,
    pub(crate) signals: Signals,
    pub(crate) cache: CostCache,
    pub(crate) concurrency: usize,
    pub(crate) chunk_size: Option<usize>,
    name: String,
    restartable: bool,
    /// Identity of this pool for its threads (`WORKER_OF` in `worker.rs`).
    id: usize,
    /// The signals' `metrics`, when the builder asked for them
    /// (`crate::metrics`); set once, before the workers start.
    #[cfg(feature = "metrics")]
    pub(crate) metrics: std::sync::OnceLock<crate::metrics::Published>,
}

static NEXT_POOL_ID: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);

impl Shared {
    /// The state of a pool of `concurrency` workers, not started yet.
    fn new(
        concurrency: usize,
        chunk_size: Option<usize>,
        name: String,
        restartable: bool,
    ) -> Arc<Shared> {
        Arc::new(Shared {
            queue: Queue::new(),
            planned_at: AtomicU64::new(0),
            epoch: Instant::now(),
            running: AtomicBool::new(false),
            handles: Mutex::new(Handles::default()),
            joined: crate::loom::Condvar::new(),
            signals: Signals::new(),
            cache: CostCache::new(),
            concurrency,
            chunk_size,
            name,
            restartable,
            id: NEXT_POOL_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            #[cfg(feature = "metrics")]
            metrics: std::sync::OnceLock::new(),
        })
    }

    /// Ask up to `n` workers to help with `job`; returns how many requests
    /// were queued. A call made on one of this pool's threads (nested)
    /// may be helped by the spare thread too (`queue.rs`).
    fn push_help(&self, job: &Arc<Job>, n: usize) -> usize {
        self.queue
            .push_help(job, n, self.on_worker(), &self.signals.queued)
    }

    /// Take help requests for `job` that no worker picked up back off the
    /// queue.
    fn remove_help(&self, job: &Arc<Job>) {
        self.queue.remove(
            |t| matches!(t, Task::Help(j) if Arc::ptr_eq(j, job)),
            &self.signals.queued,
        );
    }

    /// Push one request; hands it back if the pool is shut down. `Ok(true)`
    /// when a sleeping worker had to be woken for it.
    pub(crate) fn push_request(&self, r: Box<dyn Request>) -> Result<bool, Box<dyn Request>> {
        self.queue
            .push_request(r, self.concurrency, &self.signals.queued)
    }

    /// Take a request back off the queue if no worker picked it up yet.
    pub(crate) fn remove_request(&self, id: usize) {
        self.queue.remove(
            |t| matches!(t, Task::Request(r) if r.id() == id),
            &self.signals.queued,
        );
    }
}

/// A persistent pool of worker threads running data-parallel calls.
///
/// Workers start in [`PoolBuilder::build`] and stay until [`Pool::dispose`]
/// or `Drop`. A blocking call (`map`, `reduce`, ...) is cut into chunks that
/// the calling thread and up to [`Pool::concurrency`] workers claim; the
/// first call of each function measures its cost and runs small or cheap
/// work inline, on the caller, so a call never loses much to a plain loop.
pub struct Pool {
    pub(crate) shared: Arc<Shared>,
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("name", &self.shared.name)
            .field("concurrency", &self.shared.concurrency)
            .field("running", &self.shared.running.load(Ordering::Relaxed))
            .field("signals", &self.shared.signals)
            .finish()
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.shared.stop();
    }
}

impl Pool {
    /// A pool with the builder's defaults.
    ///
    /// # Errors
    /// As [`PoolBuilder::build`].
    pub fn new() -> Result<Pool, BuildError> {
        PoolBuilder::default().build()
    }

    /// Configure a pool.
    pub fn builder() -> PoolBuilder {
        PoolBuilder::default()
    }

    /// Number of worker threads (the requested value capped at the cores).
    pub fn concurrency(&self) -> usize {
        self.shared.concurrency
    }

    /// The pool's name.
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// Live counters of this pool; a cheap handle to shared state.
    pub fn signals(&self) -> Signals {
        self.shared.signals.clone()
    }

    /// Stop the workers: queued requests are answered `Disposed`, work in
    /// flight finishes, threads are joined and every signal reads 0.
    ///
    /// Idempotent. Blocking calls made afterwards still work, inline on the
    /// calling thread; [`dispatch`](Pool::dispatch) answers `Disposed`.
    ///
    /// Called from one of this pool's own workers (inside a kernel), it
    /// joins no thread (a sibling may be waiting for this very task): the
    /// calling worker stops counting in `workers_count` and `inflight` at
    /// once and exits when its task ends, the others after their current
    /// task, and none of them serves the pool again, even once it is
    /// restarted. The next `dispose` from outside the pool joins them all.
    pub fn dispose(&self) {
        self.shared.stop();
    }

    /// Forget this pool's calibration (every pool's:
    /// [`crate::reset_heuristic`]).
    pub fn reset_heuristic(&self) {
        self.shared.cache.clear();
    }
}

/// Forget every pool's calibration.
pub fn reset_heuristic() {
    calibrate::reset_all();
}

/// A raw pointer that chunks running on several threads write through,
/// each to its own disjoint range.
struct SendPtr<T>(*mut T);

// SAFETY: every user writes to indices of its own chunk only (chunks
// partition the index range), and the owner reads only after all chunks are
// done, which the job's `done` counter orders (see `pool::job`).
unsafe impl<T: Send> Sync for SendPtr<T> {}

impl<T> SendPtr<T> {
    // A method, not field access, so closures capture the whole `SendPtr`
    // (and its `Sync` impl) rather than the raw pointer field.
    #[inline]
    fn get(&self) -> *mut T {
        self.0
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    //! The driver's wiring to the calibration rules, on a real pool (the
    //! rules themselves are tested without threads in
    //! `calibrate::rules`). These read the clock: `.ci/sanitizers.sh`
    //! skips them by name.
    use super::*;
    use crate::calibrate::{key_of, CallKind, Cost};
    use crate::chunk::SPIN_NS;

    fn pool() -> Pool {
        Pool::builder().concurrency(2).build().unwrap()
    }

    fn cost(ns_per_item: f64) -> Cost {
        Cost {
            ns_per_item,
            confident: true,
        }
    }

    #[test]
    fn a_call_faster_than_estimated_corrects_the_estimate_however_short() {
        let p = pool();
        let key = key_of::<fn(u8)>(CallKind::Map);
        p.shared.cache.put(key, cost(2.0));
        // A call of 10,000 items that took (almost) no time at all: far
        // below `PROBE_NS`, and far faster than the 20 µs estimated.
        p.shared.observe(key, Instant::now(), cost(2.0), 10_000, 2);
        let now = p.shared.cache.get(key).unwrap();
        assert!(now.ns_per_item < 1.0, "estimate stayed at {now:?}");
        assert!(now.confident);
    }

    #[test]
    fn a_short_probe_lowers_an_inflated_unconfident_estimate() {
        let p = pool();
        let f = |x: &u32| x.wrapping_mul(3);
        fn key<F>(_: &F) -> u64 {
            key_of::<F>(CallKind::Map)
        }
        let key = key(&f);
        // As a 100-item call leaves it: clock reads inflate the estimate.
        let inflated = Cost {
            ns_per_item: 1_000.0,
            confident: false,
        };
        p.shared.cache.put(key, inflated);
        let xs: Vec<u32> = (0..200).collect();
        let want: Vec<u32> = xs.iter().map(f).collect();
        // 200 × 1 µs is past the inline bound, so the call probes; the
        // probe runs all of it, in well under `PROBE_NS` on an idle machine
        // (not confident), and must still keep its lower estimate.
        assert_eq!(p.map(f, &xs), want);
        let now = p.shared.cache.get(key).unwrap();
        assert!(now.ns_per_item < 500.0, "estimate stayed at {now:?}");
    }

    #[test]
    fn hot_means_an_awake_worker_or_a_burst_of_calls() {
        let p = Pool::builder().concurrency(1).build().unwrap();
        let pause = std::time::Duration::from_nanos(3 * SPIN_NS);
        let t = Instant::now();
        while p.shared.queue.asleep() < 1 {
            assert!(t.elapsed().as_secs() < 10, "the idle worker never slept");
            std::thread::sleep(pause);
        }
        // Sleeping worker, no recent call: a lone call stays inline.
        std::thread::sleep(pause);
        assert!(!p.shared.hot());
        // Calls planned back to back are a burst. (Retried: a preemption
        // between two calls can be longer than SPIN_NS on a loaded host.)
        let burst = (0..20).any(|_| {
            std::thread::sleep(pause);
            let _ = p.shared.hot();
            p.shared.hot()
        });
        assert!(burst, "back-to-back calls were never hot");
        // After a pause, cold again.
        std::thread::sleep(pause);
        assert!(!p.shared.hot());
    }

    #[test]
    fn a_short_slow_call_leaves_the_estimate_alone() {
        let p = pool();
        let key = key_of::<fn(u16)>(CallKind::Map);
        p.shared.cache.put(key, cost(0.001));
        // 1,000 items in 5 µs on one thread: 5 ns each, 5000x the estimate,
        // but shorter than `PROBE_NS`, so it may be one preemption.
        let t0 = Instant::now()
            .checked_sub(std::time::Duration::from_micros(5))
            .unwrap();
        p.shared.observe(key, t0, cost(0.001), 1_000, 1);
        assert_eq!(p.shared.cache.get(key), Some(cost(0.001)));
        // The same slowness over a long call does move it.
        let t0 = Instant::now()
            .checked_sub(std::time::Duration::from_millis(5))
            .unwrap();
        p.shared.observe(key, t0, cost(0.001), 1_000_000, 1);
        let now = p.shared.cache.get(key).unwrap();
        assert!(now.ns_per_item > 1.0, "estimate stayed at {now:?}");
    }

    #[test]
    fn reductions_are_the_same_tree_inline_and_in_windows() {
        // 3,000 blocks of 2 items: more than one window of `window_slots`
        // (2,048 `u64`s on two threads). An inflated confident estimate
        // sends the first call of each kind to the windows; its timing
        // corrects the estimate, and the calls after it may run inline.
        // A fold that is neither commutative nor associative shows that
        // every path builds the same tree.
        let g = |a: u64, b: u64| a.wrapping_mul(31).wrapping_add(b);
        let m = |x: &u64| x ^ 5;
        fn keys<M, G>(_: &M, _: &G) -> [u64; 2] {
            [
                key_of::<G>(CallKind::Reduce),
                key_of::<(M, G)>(CallKind::MapReduce),
            ]
        }
        let xs: Vec<u64> = (0..6_000).collect();
        let block = |c: &[u64], m: &dyn Fn(&u64) -> u64| c.iter().fold(0, |a, b| g(a, m(b)));
        let want = xs.chunks(2).map(|c| block(c, &|x| *x)).fold(0, g);
        let want_mapped = xs.chunks(2).map(|c| block(c, &m)).fold(0, g);
        assert_eq!(crate::reduce::window_slots::<u64>(2), 2_048);
        let p = pool();
        for key in keys(&m, &g) {
            p.shared.cache.put(key, cost(10_000.0));
        }
        let opts = CallOptions::default().chunk_size(2);
        for _ in 0..3 {
            assert_eq!(p.reduce_with(opts, g, 0, &xs), want);
            assert_eq!(p.map_reduce_with(opts, m, g, 0, &xs), want_mapped);
        }
    }
}
