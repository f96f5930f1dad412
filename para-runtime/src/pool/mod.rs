//! The persistent worker pool: threads started once and kept, a shared
//! queue of run-requests, workers that spin briefly and then sleep.
//!
//! # Sleep protocol
//! The queue, the count of sleeping workers and the shutdown flag live under
//! one mutex. A worker that finds the queue empty re-checks it *under the
//! lock*, then increments `sleepers` and waits on the condition variable,
//! which releases the lock atomically. A pusher pushes under the same lock
//! and reads `sleepers` before unlocking; it notifies after unlocking. So
//! either the worker saw the task, or the pusher saw the sleeper: no lost
//! wake-up. `pending` mirrors the queue length outside the lock, for
//! workers that spin; it is only a hint (a spinner that misses an update
//! falls back to the locked check).
//!
//! Workers spin for about [`SPIN_NS`](chunk::SPIN_NS) after their last task
//! before sleeping, so back-to-back calls skip the futex wake-up; an idle
//! pool spends no CPU after that.

mod job;

pub(crate) use job::Job;

use crate::calibrate::{self, rules, Cost, CostCache};
use crate::chunk::{self, Plan};
use crate::error::BuildError;
use crate::loom::{lock, AtomicBool, AtomicU64, AtomicUsize, Condvar, Mutex, Ordering};
use crate::signals::Signals;
use std::collections::VecDeque;
use std::fmt;
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
#[cfg(not(loom))]
use std::time::Duration;
use std::time::Instant;

/// A run-request that is not a parallel call's chunks: it runs once on a
/// worker, or is cancelled when the pool is disposed first.
pub(crate) trait Request: Send {
    /// Run on a worker; call `finish` just before publishing the result,
    /// so the pool's counters are exact when the caller sees it.
    fn run(self: Box<Self>, finish: &dyn Fn());
    fn cancel(self: Box<Self>);
    /// Identity, for taking a request back off the queue.
    fn id(&self) -> usize;
}

pub(crate) enum Task {
    /// Help a parallel call with its chunks.
    Help(Arc<Job>),
    /// Run one request (a dispatch).
    Request(Box<dyn Request>),
}

struct Queue {
    tasks: VecDeque<Task>,
    sleepers: usize,
    shutdown: bool,
    /// Bumped by every stop: a worker serves only the generation it was
    /// started for, so a worker that outlives a stop (it was inside a
    /// kernel that disposed its own pool) never serves the restarted pool.
    generation: u64,
}

pub(crate) struct Shared {
    queue: Mutex<Queue>,
    cv: Condvar,
    pending: AtomicUsize,
    /// `Queue::sleepers`, mirrored for lock-free reads (a hint: see
    /// [`Shared::hot`]).
    asleep: AtomicUsize,
    /// When the last mid-sized call was planned, in ns since `epoch`.
    planned_at: AtomicU64,
    epoch: Instant,
    running: AtomicBool,
    handles: Mutex<Handles>,
    pub(crate) signals: Signals,
    pub(crate) cache: CostCache,
    pub(crate) concurrency: usize,
    pub(crate) chunk_size: Option<usize>,
    name: String,
    restartable: bool,
    id: usize,
}

/// The pool's threads: those of the running generation, and those a stop
/// could not join (it ran on one of them) or did not wait for.
#[derive(Default)]
struct Handles {
    live: Vec<std::thread::JoinHandle<()>>,
    detached: Vec<std::thread::JoinHandle<()>>,
}

static NEXT_POOL_ID: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);

std::thread_local! {
    /// Id of the pool whose worker this thread is (0: none).
    static WORKER_OF: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// Id of the pool this thread was a worker of until a stop on it
    /// detached it (0: none); it still runs that pool's task.
    static DETACHED_FROM: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Options of one call: how many workers may help and the chunk size.
///
/// The macros fill this from `concurrency = N` and `chunk_size = N`; the
/// `*_with` methods of [`Pool`] take it directly.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallOptions {
    /// Pool workers that may work on this call, the calling thread aside
    /// (which always works on its own call). Capped at
    /// [`Pool::concurrency`]. `None`: all of them.
    pub concurrency: Option<usize>,
    /// Items per chunk handed to a thread; for reductions, the block length
    /// that fixes the association tree. `None`: chosen by calibration (the
    /// pool's `chunk_size` if it was built with one).
    pub chunk_size: Option<usize>,
}

impl CallOptions {
    /// Options with a concurrency cap.
    ///
    /// # Panics
    /// If `n == 0`: a call needs at least one thread.
    pub fn concurrency(mut self, n: usize) -> Self {
        assert!(n > 0, "para: `concurrency` must be at least 1 (got 0)");
        self.concurrency = Some(n);
        self
    }

    /// Options with a fixed chunk size.
    ///
    /// # Panics
    /// If `n == 0`: a chunk needs at least one item.
    pub fn chunk_size(mut self, n: usize) -> Self {
        assert!(n > 0, "para: `chunk_size` must be at least 1 (got 0)");
        self.chunk_size = Some(n);
        self
    }
}

/// Configures and starts a [`Pool`].
///
/// ```
/// let pool = para_runtime::Pool::builder().concurrency(2).name("ranker").build()?;
/// assert!(pool.concurrency() >= 1);
/// assert!(para_runtime::Pool::builder().concurrency(0).build().is_err());
/// # Ok::<(), para_runtime::BuildError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct PoolBuilder {
    concurrency: Option<usize>,
    chunk_size: Option<usize>,
    name: Option<String>,
    restartable: bool,
}

impl PoolBuilder {
    /// Number of worker threads. Above the available cores it is capped
    /// ([`Pool::concurrency`] tells the real value). Default: the
    /// `PARA_CONCURRENCY` environment variable if set, else the available
    /// cores − 1, at least 1. The calling thread of a blocking call works
    /// too, so the default uses every core.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = Some(n);
        self
    }

    /// A fixed chunk size for every call on this pool, instead of the
    /// calibrated one. It also fixes the block length of reductions.
    pub fn chunk_size(mut self, n: usize) -> Self {
        self.chunk_size = Some(n);
        self
    }

    /// Name of the pool; workers are named `{name}-{index}`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    pub(crate) fn restartable(mut self) -> Self {
        self.restartable = true;
        self
    }

    /// Start the workers.
    ///
    /// # Errors
    /// [`BuildError::ZeroConcurrency`], [`BuildError::ZeroChunkSize`],
    /// [`BuildError::InvalidEnv`] for a bad `PARA_CONCURRENCY`, and
    /// [`BuildError::Spawn`] if a thread cannot be started (the workers
    /// already started are stopped again).
    pub fn build(self) -> Result<Pool, BuildError> {
        let cores = available_cores();
        let requested = match self.concurrency {
            Some(0) => return Err(BuildError::ZeroConcurrency),
            Some(n) => n,
            None => default_concurrency(cores)?,
        };
        if self.chunk_size == Some(0) {
            return Err(BuildError::ZeroChunkSize);
        }
        // The CPU check costs tens of µs under a hypervisor (each CPUID
        // traps): here, not inside the first call's calibration probe.
        crate::wide::prepare();
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue {
                tasks: VecDeque::new(),
                sleepers: 0,
                shutdown: false,
                generation: 0,
            }),
            cv: Condvar::new(),
            pending: AtomicUsize::new(0),
            asleep: AtomicUsize::new(0),
            planned_at: AtomicU64::new(0),
            epoch: Instant::now(),
            running: AtomicBool::new(false),
            handles: Mutex::new(Handles::default()),
            signals: Signals::new(),
            cache: CostCache::new(),
            concurrency: requested.min(cores),
            chunk_size: self.chunk_size,
            name: self.name.unwrap_or_else(|| "para".to_owned()),
            restartable: self.restartable,
            id: NEXT_POOL_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        });
        shared.start()?;
        Ok(Pool { shared })
    }
}

/// Cores this process may run on.
pub(crate) fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn default_concurrency(cores: usize) -> Result<usize, BuildError> {
    Ok(crate::env::concurrency()?.unwrap_or(cores.saturating_sub(1).max(1)))
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
    /// [`reset_heuristic`](crate::reset_heuristic)).
    pub fn reset_heuristic(&self) {
        self.shared.cache.clear();
    }
}

impl Shared {
    /// Spawn the workers if they are not running. Idempotent.
    fn start(self: &Arc<Self>) -> Result<(), BuildError> {
        let mut handles = lock(&self.handles);
        if self.running.load(Ordering::Acquire) {
            return Ok(());
        }
        let generation = {
            let mut q = lock(&self.queue);
            q.shutdown = false;
            q.generation
        };
        for index in 0..self.concurrency {
            let me = Arc::clone(self);
            let spawned = std::thread::Builder::new()
                .name(format!("{}-{index}", self.name))
                .spawn(move || me.worker_main(generation));
            match spawned {
                Ok(h) => handles.live.push(h),
                Err(source) => {
                    drop(handles);
                    self.stop();
                    return Err(BuildError::Spawn { index, source });
                }
            }
        }
        self.running.store(true, Ordering::Release);
        drop(handles);
        // `build()` returns a ready pool: every worker has started.
        while self.signals.workers_count.get() < self.concurrency
            && self.running.load(Ordering::Acquire)
        {
            std::thread::yield_now();
        }
        Ok(())
    }

    /// Whether workers can take help requests now, restarting them if this
    /// is a restartable (global) pool.
    pub(crate) fn ensure_running(self: &Arc<Self>) -> bool {
        if self.running.load(Ordering::Acquire) {
            return true;
        }
        self.restartable && self.start().is_ok()
    }

    /// Stop the workers: queued tasks are cancelled, the generation ends,
    /// and the threads are joined.
    ///
    /// Called on one of this pool's own workers (a kernel disposed its own
    /// pool), nothing is joined: that thread is inside a task, and joining
    /// a sibling that waits for this task would deadlock. The thread
    /// detaches itself instead (it stops counting in `workers_count` and
    /// `inflight` at once, and ends when its task does); its siblings end
    /// after their current task. The next stop from outside the pool joins
    /// them all, so no thread of a disposed pool outlives a later
    /// `dispose()` from outside.
    fn stop(&self) {
        // A thread detached earlier is still inside this pool's task (a
        // kernel that disposes twice): it must not join its siblings
        // either, since one of them may be waiting for that task.
        let attached = self.on_worker();
        let on_own_worker = attached || DETACHED_FROM.with(|d| d.get()) == self.id;
        let (cancelled, joinable) = {
            let mut handles = lock(&self.handles);
            let cancelled: Vec<Task> = {
                let mut q = lock(&self.queue);
                q.shutdown = true;
                q.generation += 1;
                self.running.store(false, Ordering::Release);
                self.pending.store(0, Ordering::Relaxed);
                // Under the queue lock, like the increments in `push_*`.
                self.signals.queued.sub(q.tasks.len());
                q.tasks.drain(..).collect()
            };
            let live = std::mem::take(&mut handles.live);
            handles.detached.extend(live);
            // A thread never joins itself (the partition is for a thread
            // that is no worker of this pool any more but still listed).
            let me = std::thread::current().id();
            let joinable = if on_own_worker {
                Vec::new()
            } else {
                let (mine, others) = std::mem::take(&mut handles.detached)
                    .into_iter()
                    .partition(|h| h.thread().id() == me);
                handles.detached = mine;
                others
            };
            (cancelled, joinable)
        };
        self.cv.notify_all();
        if attached {
            WORKER_OF.with(|w| w.set(0));
            DETACHED_FROM.with(|d| d.set(self.id));
            self.signals.workers_count.sub(1);
            self.signals.inflight.sub(1);
        }
        for t in cancelled {
            if let Task::Request(r) = t {
                // `cancel` contains the panics of the user's values it
                // drops; this catch keeps the remaining cancellations and
                // the joins going even so.
                if let Err(p) = catch_unwind(AssertUnwindSafe(|| r.cancel())) {
                    crate::unwind::drop_payload(p);
                }
            }
        }
        for h in joinable {
            // A worker thread ends only by returning: its tasks catch
            // kernel panics. A join error cannot carry anything to act on.
            let _ = h.join();
        }
        self.signals.completed.set(0);
    }

    /// Push `n` help requests for `job`; returns how many were pushed.
    fn push_help(&self, job: &Arc<Job>, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        let sleepers = {
            let mut q = lock(&self.queue);
            if q.shutdown {
                return 0;
            }
            for _ in 0..n {
                q.tasks.push_back(Task::Help(Arc::clone(job)));
            }
            self.pending.fetch_add(n, Ordering::Release);
            // Counted under the lock: a worker's decrement (after its pop,
            // which takes this lock) can never come first.
            self.signals.queued.add(n);
            q.sleepers
        };
        for _ in 0..n.min(sleepers) {
            self.cv.notify_one();
        }
        n
    }

    /// Push one request; hands it back if the pool is shut down. `Ok(true)`
    /// when a sleeping worker had to be woken for it.
    pub(crate) fn push_request(&self, r: Box<dyn Request>) -> Result<bool, Box<dyn Request>> {
        let sleepers = {
            let mut q = lock(&self.queue);
            if q.shutdown {
                return Err(r);
            }
            q.tasks.push_back(Task::Request(r));
            self.pending.fetch_add(1, Ordering::Release);
            self.signals.queued.add(1);
            q.sleepers
        };
        // Every worker asleep: wake one. (Some worker awake and spinning
        // takes the request without a wake-up.)
        let woke = sleepers >= self.concurrency;
        if sleepers > 0 {
            self.cv.notify_one();
        }
        Ok(woke)
    }

    /// Take help requests for `job` that no worker picked up back off the
    /// queue.
    fn remove_help(&self, job: &Arc<Job>) {
        self.remove_queued(|t| matches!(t, Task::Help(j) if Arc::ptr_eq(j, job)));
    }

    /// Take a request back off the queue if no worker picked it up yet.
    pub(crate) fn remove_request(&self, id: usize) {
        self.remove_queued(|t| matches!(t, Task::Request(r) if r.id() == id));
    }

    fn remove_queued(&self, pred: impl Fn(&Task) -> bool) {
        let mut q = lock(&self.queue);
        let before = q.tasks.len();
        q.tasks.retain(|t| !pred(t));
        let removed = before - q.tasks.len();
        self.pending.fetch_sub(removed, Ordering::Relaxed);
        // Under the lock, like the increments in `push_*`.
        self.signals.queued.sub(removed);
    }

    fn try_pop(&self, generation: u64) -> Option<Task> {
        let mut q = lock(&self.queue);
        if q.generation != generation {
            return None;
        }
        let t = q.tasks.pop_front()?;
        self.pending.fetch_sub(1, Ordering::Relaxed);
        Some(t)
    }

    /// The next task for a worker of `generation`, or `None` at shutdown
    /// (or once that generation has ended): take one if queued, else spin
    /// for up to [`SPIN_NS`](chunk::SPIN_NS), else sleep.
    fn next_task(&self, generation: u64) -> Option<Task> {
        if self.pending.load(Ordering::Acquire) > 0 {
            if let Some(t) = self.try_pop(generation) {
                return Some(t);
            }
        }
        #[cfg(not(loom))]
        {
            let start = Instant::now();
            let mut spins = 0u32;
            while self.pending.load(Ordering::Acquire) == 0 && self.running.load(Ordering::Relaxed)
            {
                crate::loom::spin_hint();
                spins = spins.wrapping_add(1);
                if spins.is_multiple_of(64)
                    && start.elapsed() > Duration::from_nanos(chunk::SPIN_NS)
                {
                    break;
                }
            }
        }
        let mut q = lock(&self.queue);
        loop {
            if q.shutdown || q.generation != generation {
                return None;
            }
            if let Some(t) = q.tasks.pop_front() {
                self.pending.fetch_sub(1, Ordering::Relaxed);
                return Some(t);
            }
            q.sleepers += 1;
            self.asleep.store(q.sleepers, Ordering::Relaxed);
            q = self
                .cv
                .wait(q)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            q.sleepers -= 1;
            self.asleep.store(q.sleepers, Ordering::Relaxed);
        }
    }

    fn worker_main(self: Arc<Self>, generation: u64) {
        WORKER_OF.with(|w| w.set(self.id));
        self.signals.workers_count.add(1);
        let _exit = DecOnDrop::new(&self.signals.workers_count, self.id);
        // A thread detached by a stop on itself (see `stop`) has left.
        while WORKER_OF.with(|w| w.get()) == self.id {
            let Some(task) = self.next_task(generation) else {
                break;
            };
            self.signals.queued.sub(1);
            self.signals.inflight.add(1);
            let running = DecOnDrop::new(&self.signals.inflight, self.id);
            // Tasks contain the panics of user code themselves (see
            // `Job::work` and `Request::run`); this catch only keeps the
            // worker alive should one slip through.
            let ran = catch_unwind(AssertUnwindSafe(|| match task {
                Task::Help(job) => {
                    job.started.fetch_add(1, Ordering::AcqRel);
                    job.work(&|n| self.signals.completed.add(n), &|| running.fire());
                }
                Task::Request(r) => r.run(&|| running.fire()),
            }));
            if let Err(p) = ran {
                crate::unwind::drop_payload(p);
            }
        }
    }

    /// Whether the current thread is one of this pool's workers.
    pub(crate) fn on_worker(&self) -> bool {
        WORKER_OF.with(|w| w.get() == self.id)
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

    /// Calibrate (if needed) and plan a call of `units` units of
    /// `unit_items` items each, given the cached cost `known` of `key` (the
    /// caller has looked it up already). Runs a timed prefix through
    /// `prefix` when the cost is unknown; returns how many units that prefix
    /// finished, the plan for the rest, and whether the rest is worth timing
    /// (see [`Shared::observe`]).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn decide(
        self: &Arc<Self>,
        key: u64,
        units: usize,
        unit_items: usize,
        opts: &CallOptions,
        chunk: Option<usize>,
        known: Option<Cost>,
        prefix: &mut dyn FnMut(Range<usize>) -> usize,
    ) -> Decision {
        let max_threads = 1 + self.helpers(opts);
        let unit_items = unit_items.max(1) as f64;
        let mut done = 0;
        let cost = match rules::trusted(known, units as f64 * unit_items) {
            Some(c) => c,
            None => {
                let (d, c) = self.probe(prefix, units);
                done = d;
                if rules::replaces(known, c) {
                    self.cache.put(key, c);
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
            chunk,
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
    fn hot(&self) -> bool {
        let now = u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
        let before = self.planned_at.swap(now, Ordering::Relaxed);
        rules::hot(
            now,
            before,
            self.asleep.load(Ordering::Relaxed),
            self.concurrency,
        )
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

    /// Correct the cached cost of `key` from a timed call: `items` items
    /// took the time since `timed.0` on `threads` threads, planned with the
    /// estimate `timed.1` (see [`rules::corrected`]).
    pub(crate) fn observe(&self, key: u64, timed: (Instant, Cost), items: usize, threads: usize) {
        let (t0, est) = timed;
        let ns = t0.elapsed().as_nanos() as f64;
        if let Some(c) = rules::corrected(est, ns, items, threads) {
            self.cache.put(key, c);
        }
    }

    /// Run units `range` in chunks of `chunk` units on `threads` threads,
    /// the caller included. `body` runs a sub-range and returns the items it
    /// finished. Re-raises the first panic of any chunk.
    pub(crate) fn run_parallel(
        &self,
        range: Range<usize>,
        chunk: usize,
        threads: usize,
        body: &(dyn Fn(Range<usize>) -> usize + Sync),
    ) {
        let (lo, hi) = (range.start, range.end);
        let chunks = (hi - lo).div_ceil(chunk);
        let run_chunk = |i: usize| {
            // `i < chunks`, so `a < hi`; the end is `min(a + chunk, hi)`
            // written so that it cannot overflow near `usize::MAX`.
            let a = lo + i * chunk;
            body(a..a + chunk.min(hi - a))
        };
        // From here to the end of `wait`, unwinding would free `run_chunk`
        // while helpers may run it: nothing here unwinds (chunks run under
        // `catch_unwind`), and the guard turns a bug into an abort.
        let critical = crate::unwind::AbortOnUnwind;
        // SAFETY: `job.wait_quiet()` below returns only after every chunk is
        // done, before `run_chunk` (and what it borrows) goes out of scope;
        // it is reached even if a chunk panics, because `work` catches
        // panics, and `critical` aborts on any other unwind.
        let job = Arc::new(unsafe { Job::new(chunks, &run_chunk) });
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

    /// Run a call whose units are independent (map-like): where the cache
    /// already says it is too small to share, inline through the statically
    /// known `body` (inlined into the caller's generic code, no indirect
    /// call); otherwise `before_drive`, then [`Shared::drive`].
    #[inline(always)]
    pub(crate) fn run<B, P>(
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
            self.drive(key, units, &planned_opts, &planned);
        }
    }

    /// Whether the cache already says a call of `units` units of kernel
    /// `key` is too small to share.
    #[inline]
    fn known_small(&self, key: u64, units: usize, opts: &CallOptions) -> bool {
        (units as u64) < self.cache.inline_below(key) && opts.concurrency != Some(0)
    }

    /// Plan and run a call whose units are independent (map-like): prefix,
    /// inline and parallel parts all go through `body`. Called by
    /// [`Shared::run`] once the cache has not already said "inline".
    fn drive(
        self: &Arc<Self>,
        key: u64,
        units: usize,
        opts: &CallOptions,
        body: &(dyn Fn(Range<usize>) -> usize + Sync),
    ) {
        if units == 0 {
            return;
        }
        let known = self.cache.get(key);
        let chunk = opts.chunk_size.or(self.chunk_size);
        let d = self.decide(key, units, 1, opts, chunk, known, &mut |r| body(r));
        let threads = match d.plan {
            Plan::Inline => {
                if d.done < units {
                    let n = body(d.done..units);
                    self.signals.completed.add(n);
                }
                1
            }
            Plan::Parallel { threads, chunk } => {
                self.run_parallel(d.done..units, chunk, threads, body);
                threads
            }
        };
        if let Some(t) = d.timed {
            self.observe(key, t, units - d.done, threads);
        }
    }
}

/// What [`Shared::decide`] chose.
pub(crate) struct Decision {
    /// Units the calibration prefix already finished.
    pub(crate) done: usize,
    /// How to run the rest.
    pub(crate) plan: Plan,
    /// Start time and estimate, when the rest is worth timing.
    pub(crate) timed: Option<(Instant, Cost)>,
}

/// Decrements a worker's counter once: early through [`DecOnDrop::fire`],
/// or when dropped, so counters stay exact when a task unwinds; not at all
/// once the thread has detached itself from pool `pool` (a stop on its own
/// worker already took it out of the counts).
struct DecOnDrop<'a> {
    signal: &'a crate::signals::Signal,
    pool: usize,
    armed: std::cell::Cell<bool>,
}

impl<'a> DecOnDrop<'a> {
    fn new(signal: &'a crate::signals::Signal, pool: usize) -> Self {
        DecOnDrop {
            signal,
            pool,
            armed: std::cell::Cell::new(true),
        }
    }

    fn fire(&self) {
        if self.armed.replace(false) && WORKER_OF.with(|w| w.get()) == self.pool {
            self.signal.sub(1);
        }
    }
}

impl Drop for DecOnDrop<'_> {
    fn drop(&mut self) {
        self.fire();
    }
}

/// Forget every pool's calibration.
pub fn reset_heuristic() {
    calibrate::reset_all();
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::calibrate::{key_of, CallKind};

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
        p.shared
            .observe(key, (Instant::now(), cost(2.0)), 10_000, 2);
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
        let pause = std::time::Duration::from_nanos(3 * chunk::SPIN_NS);
        let t = Instant::now();
        while p.shared.asleep.load(Ordering::Relaxed) < 1 {
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
        p.shared.observe(key, (t0, cost(0.001)), 1_000, 1);
        assert_eq!(p.shared.cache.get(key), Some(cost(0.001)));
        // The same slowness over a long call does move it.
        let t0 = Instant::now()
            .checked_sub(std::time::Duration::from_millis(5))
            .unwrap();
        p.shared.observe(key, (t0, cost(0.001)), 1_000_000, 1);
        let now = p.shared.cache.get(key).unwrap();
        assert!(now.ns_per_item > 1.0, "estimate stayed at {now:?}");
    }
}
