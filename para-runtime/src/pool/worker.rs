//! The pool's threads: starting them, the loop each one runs, and stopping
//! them, including a stop made from inside one of them.
//!
//! # Counters
//! `workers_count` and `inflight` are decremented by a [`DecOnDrop`]
//! guard, never by the happy path alone, so they stay exact when a task
//! unwinds. A thread knows which pool it serves through the thread-local
//! [`WORKER_OF`]; a stop made on one of the pool's own workers (a kernel
//! that disposes its own pool) detaches that thread instead of joining
//! anything: see [`Shared::stop`].
//!
//! # The spare thread
//! Each generation also starts one spare thread, `{name}-spare`, which
//! runs the same loop on the tasks no calling thread works on (see
//! `queue.rs`'s `# The spare thread`). It is not counted in
//! `workers_count` (which counts the `concurrency` workers), but its tasks
//! count in `queued` and `inflight` like any other; it starts, stops and
//! detaches with the workers.

use super::{Shared, Task};
use crate::error::BuildError;
use crate::loom::{lock, Ordering};
use crate::signals::Signal;
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

std::thread_local! {
    /// Id of the pool whose worker this thread is (0: none).
    static WORKER_OF: Cell<usize> = const { Cell::new(0) };
    /// Id of the pool this thread was a worker of until a stop on it
    /// detached it (0: none); it still runs that pool's task.
    static DETACHED_FROM: Cell<usize> = const { Cell::new(0) };
    /// Whether this thread is its pool's spare thread.
    static SPARE: Cell<bool> = const { Cell::new(false) };
    /// Whether this worker's current task still counts in `inflight` (a
    /// request takes itself out before it publishes its answer, and user
    /// code may dispose the pool after that).
    static IN_FLIGHT: Cell<bool> = const { Cell::new(false) };
}

/// The pool's threads: those of the running generation, and those a stop
/// could not join (it ran on one of them) or did not wait for.
#[derive(Default)]
pub(super) struct Handles {
    live: Vec<std::thread::JoinHandle<()>>,
    detached: Vec<std::thread::JoinHandle<()>>,
    /// Stops from outside the pool still joining the threads they took: a
    /// second stop waits for them, so that no `dispose()` from outside
    /// returns while a thread of the pool still runs.
    joining: usize,
}

impl Shared {
    /// Spawn the workers if they are not running. Idempotent.
    pub(super) fn start(self: &Arc<Self>) -> Result<(), BuildError> {
        let mut handles = lock(&self.handles);
        if self.running.load(Ordering::Acquire) {
            return Ok(());
        }
        let generation = self.queue.open();
        // `build()` returns a ready pool: the spare too has started (its
        // start-up, allocations included, is over before the first call).
        let spare_up = Arc::new(std::sync::Barrier::new(2));
        // The workers, then the spare (index `concurrency`).
        for index in 0..=self.concurrency {
            let me = Arc::clone(self);
            let spare = index == self.concurrency;
            let up = spare.then(|| Arc::clone(&spare_up));
            let name = if spare {
                format!("{}-spare", self.name)
            } else {
                format!("{}-{index}", self.name)
            };
            let spawned = std::thread::Builder::new()
                .name(name)
                .spawn(move || me.worker_main(generation, up));
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
        spare_up.wait();
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
    pub(super) fn stop(&self) {
        // A thread detached earlier is still inside this pool's task (a
        // kernel that disposes twice): it must not join its siblings
        // either, since one of them may be waiting for that task.
        let attached = self.on_worker();
        let on_own_worker = attached || DETACHED_FROM.with(|d| d.get()) == self.id;
        let (cancelled, joinable) = {
            let mut handles = lock(&self.handles);
            // Under the handles lock, which `start` holds from its check
            // of `running` to its store.
            self.running.store(false, Ordering::Release);
            let cancelled = self.queue.close(&self.signals.queued);
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
                handles.joining += 1;
                others
            };
            (cancelled, joinable)
        };
        self.queue.wake_all();
        if attached {
            WORKER_OF.with(|w| w.set(0));
            DETACHED_FROM.with(|d| d.set(self.id));
            if !SPARE.with(Cell::get) {
                self.signals.workers_count.sub(1);
            }
            if IN_FLIGHT.with(|f| f.replace(false)) {
                self.signals.inflight.sub(1);
            }
        }
        for t in cancelled {
            settle_unserved(t);
        }
        for h in joinable {
            // A worker thread ends only by returning: its tasks catch
            // kernel panics. A join error cannot carry anything to act on.
            let _ = h.join();
        }
        if !on_own_worker {
            // Wait for every other stop from outside that is still joining
            // (a concurrent `dispose()` took the handles first). A stop on
            // one of the pool's workers never waits: the thread being
            // joined may be this one. No joining stop waits on anything
            // but the threads it joins, which end after their task.
            let mut handles = lock(&self.handles);
            handles.joining -= 1;
            if handles.joining == 0 {
                self.joined.notify_all();
            }
            while handles.joining > 0 {
                handles = crate::loom::wait(&self.joined, handles);
            }
        }
        self.signals.completed.set(0);
    }

    /// The loop of a worker of `generation`: take a task, run it, until the
    /// generation ends or a stop on this thread detaches it.
    /// `spare_up`: this is the spare thread, and `start` waits on it.
    fn worker_main(self: Arc<Self>, generation: u64, spare_up: Option<Arc<std::sync::Barrier>>) {
        WORKER_OF.with(|w| w.set(self.id));
        let spare = spare_up.is_some();
        SPARE.with(|s| s.set(spare));
        if let Some(up) = spare_up {
            up.wait();
        }
        // The spare is not counted in `workers_count`.
        let _exit = (!spare).then(|| {
            self.signals.workers_count.add(1);
            DecOnDrop::new(&self.signals.workers_count, self.id)
        });
        // A task handed over at the end of an async call's turn: taken off
        // the queue without changing its count (`Queue::hand_on`).
        let handed: Cell<Option<Task>> = Cell::new(None);
        // A thread detached by a stop on itself (see `stop`) has left.
        while WORKER_OF.with(|w| w.get()) == self.id {
            let task = match handed.take() {
                Some(t) => t,
                None => {
                    let Some(t) = self.queue.next_task(generation, &self.running, spare) else {
                        break;
                    };
                    self.signals.queued.sub(1);
                    t
                }
            };
            self.signals.inflight.add(1);
            IN_FLIGHT.with(|f| f.set(true));
            let running = DecOnDrop::new(&self.signals.inflight, self.id).in_flight();
            // Tasks contain the panics of user code themselves (see
            // `Job::work` and `Request::run`); this catch only keeps the
            // worker alive should one slip through.
            let ran = catch_unwind(AssertUnwindSafe(|| match task {
                Task::Help(job) => {
                    job.started.fetch_add(1, Ordering::AcqRel);
                    job.work(&|n| self.signals.completed.add(n), &|| running.fire());
                }
                Task::Request(r) => r.run(&|| running.fire()),
                Task::Async(a) => a.work(
                    &|n| self.signals.completed.add(n),
                    &|| running.fire(),
                    &|| {
                        let next = self.queue.hand_on(&a, generation, spare);
                        let ended = next.is_some();
                        handed.set(next);
                        ended
                    },
                ),
            }));
            if let Err(p) = ran {
                crate::unwind::drop_payload(p);
            }
        }
        // A hand-over is refused once the generation ended, so this is
        // only a guard: a task taken off the queue is never lost.
        if let Some(t) = handed.take() {
            settle_unserved(t);
        }
    }

    /// Whether the current thread is one of this pool's workers.
    pub(crate) fn on_worker(&self) -> bool {
        WORKER_OF.with(|w| w.get() == self.id)
    }
}

/// A task that no worker will run (the queue was closed): a request is
/// cancelled; an async call has no caller to finish it, so the chunks its
/// workers had not started yet run here, as work in flight (its future
/// then gets its answer; `work` contains the kernels' panics); a help
/// request needs nothing, its caller runs its chunks.
fn settle_unserved(t: Task) {
    match t {
        Task::Request(r) => {
            // `cancel` contains the panics of the user's values it drops;
            // this catch keeps the remaining cancellations and the joins
            // going even so.
            if let Err(p) = catch_unwind(AssertUnwindSafe(|| r.cancel())) {
                crate::unwind::drop_payload(p);
            }
        }
        Task::Async(a) => {
            let done = catch_unwind(AssertUnwindSafe(|| a.run_rest()));
            if let Err(p) = done {
                crate::unwind::drop_payload(p);
            }
        }
        Task::Help(_) => {}
    }
}

/// Decrements a worker's counter once: early through [`DecOnDrop::fire`],
/// or when dropped, so counters stay exact when a task unwinds; not at all
/// once the thread has detached itself from pool `pool` (a stop on its own
/// worker already took it out of the counts).
struct DecOnDrop<'a> {
    signal: &'a Signal,
    pool: usize,
    armed: Cell<bool>,
    /// The `inflight` guard: it clears [`IN_FLIGHT`] when it fires.
    in_flight: bool,
}

impl<'a> DecOnDrop<'a> {
    fn new(signal: &'a Signal, pool: usize) -> Self {
        DecOnDrop {
            signal,
            pool,
            armed: Cell::new(true),
            in_flight: false,
        }
    }

    fn in_flight(mut self) -> Self {
        self.in_flight = true;
        self
    }

    fn fire(&self) {
        if !self.armed.replace(false) || WORKER_OF.with(|w| w.get()) != self.pool {
            return;
        }
        if self.in_flight && !IN_FLIGHT.with(|f| f.replace(false)) {
            return; // a stop on this thread took the task out already
        }
        self.signal.sub(1);
    }
}

impl Drop for DecOnDrop<'_> {
    fn drop(&mut self) {
        self.fire();
    }
}
