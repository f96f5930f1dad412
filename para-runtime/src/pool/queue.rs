//! The pool's queue of run-requests, and how idle workers wait on it.
//!
//! # Sleep protocol
//! The tasks, the count of sleeping workers (`sleepers`), the shutdown flag
//! and the generation counter live under one mutex, [`Queue::state`]. A
//! worker that finds the queue empty re-checks it *under the lock*, then
//! increments `sleepers` and waits on the condition variable, which
//! releases the lock atomically. A pusher pushes under the same lock and
//! reads `sleepers` before unlocking; it notifies after unlocking. So
//! either the worker saw the task (it pushed first), or the pusher saw the
//! sleeper (it waited first): no wake-up is lost. A stop sets `shutdown`
//! and bumps the generation under the lock, then notifies every sleeper,
//! which re-checks both before waiting again.
//!
//! The loom models at the end of this file (`loom_queue_*`) run this very
//! code, and report a deadlock when the re-check of the queue or of
//! `shutdown` under the lock is removed, or when a push reads `sleepers`
//! in a critical section of its own.
//!
//! Outside the lock, `pending` mirrors the queue length for workers that
//! spin, and `asleep` mirrors `sleepers` for the driver's
//! [`hot`](crate::calibrate::rules::hot) check. Both are hints: `pending`
//! is raised with `Release` after a push and read with `Acquire` before a
//! locked pop, but a spinner that misses an update only falls back to the
//! locked check, and a stale `asleep` costs one call some speed.
//!
//! Workers spin for about [`SPIN_NS`](crate::chunk::SPIN_NS) after their
//! last task before sleeping, so back-to-back calls skip the futex
//! wake-up; an idle pool spends no CPU after that.
//!
//! # The spare thread
//! Besides its workers, a pool has one *spare* thread, which takes only the
//! tasks that no calling thread works on: an async call's chunks, and the
//! help requests of a call made on one of the pool's own threads (a kernel
//! that calls the pool). A blocking caller is one more thread on its own
//! call, which is why the default pool has cores − 1 workers; the spare
//! stands in for it where there is none, so an async call, or a call
//! nested in a dispatched kernel, gets as many threads as a blocking call.
//! Each such entry is marked `spare` on the queue; the spare pops the
//! first marked entry and sleeps on a condition variable of its own
//! (`spare_cv`, counted in `spare_sleepers`), under the same lock and with
//! the same re-check as the workers: a push of a marked entry reads
//! `spare_sleepers` in its critical section and notifies after it.
//! `spare_pending` is its `pending` hint, for marked entries only.
//!
//! An async call's thread ends its turn with [`Queue::hand_on`] (see
//! `async_calls.rs`, `# Turns`): the call's entry goes to the back, marked,
//! and the first entry this thread may take comes off, in one critical
//! section; the counts do not change, and nobody needs waking (the thread
//! that ends its turn takes the task it is handed).
//!
//! # Generations
//! Every stop bumps `generation`: a worker serves only the generation it
//! was started for, so a worker that outlives a stop (it was inside a
//! kernel that disposed its own pool) never serves the restarted pool.

use super::{AsyncWork, Job};
use crate::loom::{lock, AtomicBool, AtomicUsize, Condvar, Mutex, MutexGuard, Ordering};
use crate::signals::Signal;
use std::collections::VecDeque;
use std::sync::Arc;
#[cfg(not(loom))]
use std::time::{Duration, Instant};

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
    /// Help an async call with its chunks.
    Async(Arc<dyn AsyncWork>),
}

/// A queued task, and whether the spare thread may take it (see the
/// module's `# The spare thread`).
struct Entry {
    task: Task,
    spare: bool,
}

/// What the queue's lock guards.
struct State {
    tasks: VecDeque<Entry>,
    sleepers: usize,
    spare_sleepers: usize,
    shutdown: bool,
    generation: u64,
}

/// The shared queue: tasks under one lock, a condition variable for the
/// workers that sleep, and two lock-free hints (see the module's
/// `# Sleep protocol`). `queued` counts are passed in by the pool: they
/// change under the lock, so a worker's decrement (after its pop, which
/// takes the lock) can never come before the push's increment.
pub(crate) struct Queue {
    state: Mutex<State>,
    cv: Condvar,
    spare_cv: Condvar,
    pending: AtomicUsize,
    spare_pending: AtomicUsize,
    asleep: AtomicUsize,
}

impl Queue {
    pub(crate) fn new() -> Self {
        Queue {
            state: Mutex::new(State {
                tasks: VecDeque::new(),
                sleepers: 0,
                spare_sleepers: 0,
                shutdown: false,
                generation: 0,
            }),
            cv: Condvar::new(),
            spare_cv: Condvar::new(),
            pending: AtomicUsize::new(0),
            spare_pending: AtomicUsize::new(0),
            asleep: AtomicUsize::new(0),
        }
    }

    /// The `pending` hint of the entries a worker (`spare`: the spare
    /// thread) may take.
    fn hint(&self, spare: bool) -> &AtomicUsize {
        if spare {
            &self.spare_pending
        } else {
            &self.pending
        }
    }

    /// Workers asleep on the queue (a hint).
    pub(crate) fn asleep(&self) -> usize {
        self.asleep.load(Ordering::Relaxed)
    }

    /// Open the queue for a new generation of workers; the generation they
    /// serve.
    pub(crate) fn open(&self) -> u64 {
        let mut q = lock(&self.state);
        q.shutdown = false;
        q.generation
    }

    /// Shut down: end the generation and take every queued task back (each
    /// uncounted from `queued`). Wake the sleepers afterwards with
    /// [`Queue::wake_all`].
    pub(crate) fn close(&self, queued: &Signal) -> Vec<Task> {
        let mut q = lock(&self.state);
        q.shutdown = true;
        q.generation += 1;
        self.pending.store(0, Ordering::Relaxed);
        self.spare_pending.store(0, Ordering::Relaxed);
        queued.sub(q.tasks.len());
        q.tasks.drain(..).map(|e| e.task).collect()
    }

    /// Wake every sleeping worker and the spare (after [`Queue::close`]).
    pub(crate) fn wake_all(&self) {
        self.cv.notify_all();
        self.spare_cv.notify_all();
    }

    /// Push `n` help requests for `job`; returns how many were pushed (0
    /// once shut down). `nested`: the call was made on one of the pool's
    /// own threads, so the spare may help too.
    pub(crate) fn push_help(
        &self,
        job: &Arc<Job>,
        n: usize,
        nested: bool,
        queued: &Signal,
    ) -> usize {
        self.push_many(|| Task::Help(Arc::clone(job)), n, nested, queued)
    }

    /// Push `n` requests to help async call `work` (the spare may take
    /// them); returns how many were pushed (0 once shut down).
    pub(crate) fn push_async(&self, work: &Arc<dyn AsyncWork>, n: usize, queued: &Signal) -> usize {
        self.push_many(|| Task::Async(Arc::clone(work)), n, true, queued)
    }

    /// Push `n` tasks made by `task`, marked `spare` or not; wake as many
    /// sleeping workers, and the spare if they are marked and it sleeps.
    fn push_many(&self, task: impl Fn() -> Task, n: usize, spare: bool, queued: &Signal) -> usize {
        if n == 0 {
            return 0;
        }
        let (sleepers, spare_sleepers) = {
            let mut q = lock(&self.state);
            if q.shutdown {
                return 0;
            }
            for _ in 0..n {
                q.tasks.push_back(Entry {
                    task: task(),
                    spare,
                });
            }
            self.pending.fetch_add(n, Ordering::Release);
            if spare {
                self.spare_pending.fetch_add(n, Ordering::Release);
            }
            queued.add(n);
            (q.sleepers, if spare { q.spare_sleepers } else { 0 })
        };
        for _ in 0..n.min(sleepers) {
            self.cv.notify_one();
        }
        if spare_sleepers > 0 {
            self.spare_cv.notify_one();
        }
        n
    }

    /// End a turn of async call `work` (see the pool's `# Turns`): if a
    /// task that this thread (`spare`: the spare) may take is waiting,
    /// queue `work` behind everything and hand back the first such task,
    /// in one critical section; `None` (and nothing queued) if none waits,
    /// or once generation `generation` has ended. The counts do not change:
    /// one task in, one out.
    pub(crate) fn hand_on(
        &self,
        work: &Arc<dyn AsyncWork>,
        generation: u64,
        spare: bool,
    ) -> Option<Task> {
        if self.hint(spare).load(Ordering::Relaxed) == 0 {
            return None;
        }
        let mut q = lock(&self.state);
        if q.shutdown || q.generation != generation {
            return None;
        }
        let next = self.pop(&mut q, spare)?;
        q.tasks.push_back(Entry {
            task: Task::Async(Arc::clone(work)),
            spare: true,
        });
        self.pending.fetch_add(1, Ordering::Relaxed);
        self.spare_pending.fetch_add(1, Ordering::Relaxed);
        Some(next)
    }

    /// Push one request; hands it back if the queue is shut down. `Ok(true)`
    /// when all `workers` were asleep, so one had to be woken for it.
    pub(crate) fn push_request(
        &self,
        r: Box<dyn Request>,
        workers: usize,
        queued: &Signal,
    ) -> Result<bool, Box<dyn Request>> {
        let sleepers = {
            let mut q = lock(&self.state);
            if q.shutdown {
                return Err(r);
            }
            q.tasks.push_back(Entry {
                task: Task::Request(r),
                spare: false,
            });
            self.pending.fetch_add(1, Ordering::Release);
            queued.add(1);
            q.sleepers
        };
        // Every worker asleep: wake one. (Some worker awake and spinning
        // takes the request without a wake-up.)
        let woke = sleepers >= workers;
        if sleepers > 0 {
            self.cv.notify_one();
        }
        Ok(woke)
    }

    /// Take the queued tasks that `pred` picks back off the queue. They are
    /// dropped after the lock is released and the counters are exact: a
    /// request owns the user's arguments, whose `Drop` may panic or call
    /// back into the pool (which would lock the queue again).
    pub(crate) fn remove(&self, pred: impl Fn(&Task) -> bool, queued: &Signal) {
        let removed: Vec<Task> = {
            let mut q = lock(&self.state);
            let mut removed = Vec::new();
            let mut spare = 0;
            let mut kept = std::collections::VecDeque::with_capacity(q.tasks.len());
            for e in q.tasks.drain(..) {
                if pred(&e.task) {
                    spare += usize::from(e.spare);
                    removed.push(e.task);
                } else {
                    kept.push_back(e);
                }
            }
            q.tasks = kept;
            self.pending.fetch_sub(removed.len(), Ordering::Relaxed);
            self.spare_pending.fetch_sub(spare, Ordering::Relaxed);
            queued.sub(removed.len());
            removed
        };
        for t in removed {
            crate::unwind::drop_caught(t);
        }
    }

    /// Take the first task a worker (`spare`: the spare thread) may run,
    /// under the lock.
    fn pop(&self, q: &mut State, spare: bool) -> Option<Task> {
        let at = if spare {
            q.tasks.iter().position(|e| e.spare)?
        } else {
            0
        };
        let e = q.tasks.remove(at)?;
        self.pending.fetch_sub(1, Ordering::Relaxed);
        if e.spare {
            self.spare_pending.fetch_sub(1, Ordering::Relaxed);
        }
        Some(e.task)
    }

    fn try_pop(&self, generation: u64, spare: bool) -> Option<Task> {
        let mut q = lock(&self.state);
        if q.generation != generation {
            return None;
        }
        self.pop(&mut q, spare)
    }

    /// The next task for a worker of `generation` (`spare`: for the spare
    /// thread, which takes only marked tasks), or `None` at shutdown (or
    /// once that generation has ended): take one if queued, else spin for
    /// up to [`SPIN_NS`](crate::chunk::SPIN_NS) while the pool is
    /// `running`, else sleep. The caller uncounts the task from `queued`.
    pub(crate) fn next_task(
        &self,
        generation: u64,
        running: &AtomicBool,
        spare: bool,
    ) -> Option<Task> {
        let hint = self.hint(spare);
        if hint.load(Ordering::Acquire) > 0 {
            if let Some(t) = self.try_pop(generation, spare) {
                return Some(t);
            }
        }
        #[cfg(not(loom))]
        {
            let start = Instant::now();
            let mut spins = 0u32;
            while hint.load(Ordering::Acquire) == 0 && running.load(Ordering::Relaxed) {
                crate::loom::spin_hint();
                spins = spins.wrapping_add(1);
                if spins.is_multiple_of(64)
                    && start.elapsed() > Duration::from_nanos(crate::chunk::SPIN_NS)
                {
                    break;
                }
            }
        }
        #[cfg(loom)]
        let _ = running;
        let mut q = lock(&self.state);
        loop {
            if q.shutdown || q.generation != generation {
                return None;
            }
            if let Some(t) = self.pop(&mut q, spare) {
                return Some(t);
            }
            q = if spare {
                self.sleep_spare(q)
            } else {
                self.sleep(q)
            };
        }
    }

    /// The spare's [`Queue::sleep`]: on `spare_cv`, counted in
    /// `spare_sleepers`.
    fn sleep_spare<'a>(&self, mut q: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        q.spare_sleepers += 1;
        q = crate::loom::wait(&self.spare_cv, q);
        q.spare_sleepers -= 1;
        q
    }

    /// Wait on the condition variable, counted in `sleepers` (and
    /// `asleep`) while waiting; the lock is released during the wait and
    /// held again on return.
    fn sleep<'a>(&self, mut q: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        q.sleepers += 1;
        self.asleep.store(q.sleepers, Ordering::Relaxed);
        q = self
            .cv
            .wait(q)
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        q.sleepers -= 1;
        self.asleep.store(q.sleepers, Ordering::Relaxed);
        q
    }
}

/// loom models of the sleep protocol on the real [`Queue`] (the module's
/// `# Sleep protocol`): a task is a [`Request`] that does nothing, and
/// `queued` a real [`Signal`], counted down by the worker after its pop as
/// `worker.rs` does. Run with the other models (`loom_tests.rs`).
#[cfg(all(test, loom))]
mod loom_models {
    use super::*;
    use crate::loom::thread;

    struct Req(usize);

    impl Request for Req {
        fn run(self: Box<Self>, _: &dyn Fn()) {}
        fn cancel(self: Box<Self>) {}
        fn id(&self) -> usize {
            self.0
        }
    }

    fn push(q: &Queue, id: usize, workers: usize, queued: &Signal) -> bool {
        q.push_request(Box::new(Req(id)), workers, queued).is_ok()
    }

    /// A worker of generation 0: its tasks' ids, taking at most `most`.
    fn worker(q: &Arc<Queue>, queued: &Signal, most: usize) -> thread::JoinHandle<Vec<usize>> {
        serve(q, queued, most, false)
    }

    /// A worker (`spare`: the spare thread) of generation 0: its tasks'
    /// ids (an async task's is 0), taking at most `most`.
    fn serve(
        q: &Arc<Queue>,
        queued: &Signal,
        most: usize,
        spare: bool,
    ) -> thread::JoinHandle<Vec<usize>> {
        let (q, queued) = (Arc::clone(q), queued.clone());
        thread::spawn(move || {
            let running = AtomicBool::new(true);
            let mut ran = Vec::new();
            while ran.len() < most {
                let Some(t) = q.next_task(0, &running, spare) else {
                    break;
                };
                queued.sub(1);
                match t {
                    Task::Request(r) => ran.push(r.id()),
                    Task::Async(_) => ran.push(0),
                    Task::Help(_) => unreachable!("no help requests here"),
                }
            }
            ran
        })
    }

    struct Nop;
    impl AsyncWork for Nop {
        fn work(&self, _: &dyn Fn(usize), _: &dyn Fn(), _: &dyn Fn() -> bool) {}
    }

    /// The spare going to sleep against an async push: it gets the task
    /// (loom reports a deadlock if it sleeps for good). Fails with
    /// "deadlock" if a push of a marked task does not read
    /// `spare_sleepers` in its critical section, or if the spare sleeps
    /// before re-checking for marked tasks under the lock.
    #[test]
    fn loom_queue_async_push_racing_the_spare_going_to_sleep() {
        loom::model(|| {
            let (q, queued) = (Arc::new(Queue::new()), Signal::new());
            let spare = serve(&q, &queued, 1, true);
            let work: Arc<dyn AsyncWork> = Arc::new(Nop);
            assert_eq!(q.push_async(&work, 1, &queued), 1);
            assert_eq!(spare.join().unwrap(), [0]);
            assert_eq!(queued.get(), 0);
        });
    }

    /// A request queued ahead of an async task: the spare skips the
    /// request and takes the async task; a worker takes the request.
    #[test]
    fn loom_queue_the_spare_takes_only_marked_tasks() {
        loom::model(|| {
            let (q, queued) = (Arc::new(Queue::new()), Signal::new());
            assert!(push(&q, 7, 1, &queued));
            let work: Arc<dyn AsyncWork> = Arc::new(Nop);
            assert_eq!(q.push_async(&work, 1, &queued), 1);
            let spare = serve(&q, &queued, 1, true);
            assert_eq!(spare.join().unwrap(), [0]);
            let w = worker(&q, &queued, 1);
            assert_eq!(w.join().unwrap(), [7]);
            assert_eq!(queued.get(), 0);
        });
    }

    /// A worker that finds the queue empty and goes to sleep, against a
    /// push: the worker gets the task whichever comes first (loom reports
    /// a deadlock if it sleeps for good). Fails with "deadlock" if
    /// `next_task` sleeps before re-checking the queue under the lock (the
    /// push came first, saw no sleeper and notified nobody), or if
    /// `push_request` reads `sleepers` in a critical section of its own
    /// before the push.
    #[test]
    fn loom_queue_push_racing_a_worker_going_to_sleep() {
        loom::model(|| {
            let (q, queued) = (Arc::new(Queue::new()), Signal::new());
            let w = worker(&q, &queued, 1);
            assert!(push(&q, 7, 1, &queued));
            assert_eq!(w.join().unwrap(), [7]);
            assert_eq!(queued.get(), 0);
        });
    }

    /// Two workers going to sleep, two pushes: each task is taken once,
    /// and nobody sleeps for good (each push wakes at most one).
    #[test]
    fn loom_queue_two_pushes_wake_two_workers() {
        loom::model(|| {
            let (q, queued) = (Arc::new(Queue::new()), Signal::new());
            let workers = [worker(&q, &queued, 1), worker(&q, &queued, 1)];
            assert!(push(&q, 1, 2, &queued));
            assert!(push(&q, 2, 2, &queued));
            let mut got: Vec<usize> = workers
                .into_iter()
                .flat_map(|w| w.join().unwrap())
                .collect();
            got.sort_unstable();
            assert_eq!(got, [1, 2]);
        });
    }

    /// A stop racing a worker going to sleep: the worker ends, and the
    /// task pushed before the stop comes back from `close` unless the
    /// worker took it, so it is run or handed back exactly once and
    /// `queued` ends at 0. Fails with "deadlock" if `next_task` sleeps
    /// before re-checking `shutdown` under the lock.
    #[test]
    fn loom_queue_stop_racing_a_worker_going_to_sleep() {
        loom::model(|| {
            let (q, queued) = (Arc::new(Queue::new()), Signal::new());
            let w = worker(&q, &queued, usize::MAX);
            assert!(push(&q, 7, 1, &queued));
            let back = q.close(&queued);
            q.wake_all();
            let ran = w.join().unwrap();
            assert_eq!(ran.len() + back.len(), 1, "ran {ran:?}");
            assert_eq!(queued.get(), 0);
            assert!(!push(&q, 8, 1, &queued), "a push after the stop");
        });
    }
    /// A turn's end racing a stop and a restart (`Queue::hand_on` of a
    /// generation-0 thread against `close`, `open` and a new push): the
    /// hand-over happens before the stop (the thread gets the request, the
    /// call's entry comes back from `close`) or not at all (`close` takes
    /// the request); the new generation's task is never handed to the old
    /// thread. No task is lost or seen twice, and the counts stay exact.
    /// Fails if `hand_on` does not check the generation under the lock.
    #[test]
    fn loom_queue_a_hand_over_racing_a_stop_and_a_restart() {
        loom::model(|| {
            let (q, queued) = (Arc::new(Queue::new()), Signal::new());
            assert!(push(&q, 7, 1, &queued));
            let t = {
                let q = Arc::clone(&q);
                thread::spawn(move || {
                    let work: Arc<dyn AsyncWork> = Arc::new(Nop);
                    match q.hand_on(&work, 0, false) {
                        Some(Task::Request(r)) => Some(r.id()),
                        Some(_) => panic!("handed a task that was never queued"),
                        None => None,
                    }
                })
            };
            let back: Vec<usize> = q
                .close(&queued)
                .into_iter()
                .map(|t| match t {
                    Task::Request(r) => r.id(),
                    Task::Async(_) => 0,
                    Task::Help(_) => unreachable!("no help requests here"),
                })
                .collect();
            assert_eq!(q.open(), 1);
            assert!(push(&q, 8, 1, &queued));
            match t.join().unwrap() {
                Some(7) => assert_eq!(back, [0], "the call's entry was not queued"),
                None => assert_eq!(back, [7]),
                Some(other) => panic!("the old generation was handed request {other}"),
            }
            assert_eq!(queued.get(), 1, "only the new request is counted");
            assert_eq!(q.pending.load(Ordering::SeqCst), 1);
            assert_eq!(q.spare_pending.load(Ordering::SeqCst), 0);
        });
    }

    /// A turn's end with nothing waiting hands over nothing and queues
    /// nothing; with a marked task waiting, the spare gets it, and its own
    /// call goes to the back, marked.
    #[test]
    fn loom_queue_a_hand_over_takes_only_what_the_thread_may_run() {
        loom::model(|| {
            let (q, queued) = (Queue::new(), Signal::new());
            let work: Arc<dyn AsyncWork> = Arc::new(Nop);
            assert!(q.hand_on(&work, 0, false).is_none());
            assert!(push(&q, 7, 1, &queued));
            assert!(
                q.hand_on(&work, 0, true).is_none(),
                "the spare took a request"
            );
            assert_eq!(q.push_async(&work, 1, &queued), 1);
            assert!(matches!(q.hand_on(&work, 0, true), Some(Task::Async(_))));
            assert_eq!(q.spare_pending.load(Ordering::SeqCst), 1);
            assert!(matches!(q.hand_on(&work, 0, false), Some(Task::Request(_))));
            assert_eq!(q.pending.load(Ordering::SeqCst), 2);
            assert_eq!(q.spare_pending.load(Ordering::SeqCst), 2);
            assert_eq!(queued.get(), 2, "a hand-over moved the count");
        });
    }
}
