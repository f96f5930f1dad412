//! loom models of the runtime's atomic protocols. Run with
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test -p para-runtime --release --lib loom`.

use crate::dispatch::{DispatchError, Erased, Reply};
use crate::loom::{thread, AtomicBool, AtomicUsize, Ordering};
use crate::pool::Job;
use crate::sync::{Mutex, Semaphore, SemaphorePermit};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};
use std::time::Duration;

/// A waker that records wake-ups in a loom atomic and can run an action on
/// wake and on drop.
struct Flag {
    woken: AtomicUsize,
    on_wake: Box<dyn Fn() + Send + Sync>,
    on_drop: Box<dyn Fn() + Send + Sync>,
}

impl Drop for Flag {
    fn drop(&mut self) {
        (self.on_drop)();
    }
}

fn flag_waker(flag: Arc<Flag>) -> Waker {
    fn clone(p: *const ()) -> RawWaker {
        // SAFETY: `p` came from `Arc::into_raw` of an `Arc<Flag>`.
        unsafe { Arc::increment_strong_count(p as *const Flag) };
        RawWaker::new(p, &VTABLE)
    }
    fn wake(p: *const ()) {
        // SAFETY: consumes the reference this waker owned.
        let f = unsafe { Arc::from_raw(p as *const Flag) };
        f.woken.fetch_add(1, Ordering::SeqCst);
        (f.on_wake)();
    }
    fn wake_by_ref(p: *const ()) {
        // SAFETY: borrowed reference, still owned by the waker.
        let f = unsafe { &*(p as *const Flag) };
        f.woken.fetch_add(1, Ordering::SeqCst);
        (f.on_wake)();
    }
    fn drop(p: *const ()) {
        // SAFETY: releases the reference this waker owned.
        unsafe { Arc::decrement_strong_count(p as *const Flag) };
    }
    static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop);
    // SAFETY: the vtable functions uphold the `RawWaker` contract for an
    // `Arc<Flag>` pointer.
    unsafe { Waker::from_raw(RawWaker::new(Arc::into_raw(flag) as *const (), &VTABLE)) }
}

fn flag() -> Arc<Flag> {
    Arc::new(Flag {
        woken: AtomicUsize::new(0),
        on_wake: Box::new(|| {}),
        on_drop: Box::new(|| {}),
    })
}

/// The two modes of the semaphore, each model runs in both: barging (the
/// head never counts as starving) and handoff (it always does).
const MODES: [Duration; 2] = [Duration::MAX, Duration::ZERO];

fn sem(permits: usize, mode: Duration) -> Arc<Semaphore> {
    Arc::new(Semaphore::with_starvation(permits, mode))
}

fn poll<F: Future + Unpin>(f: &mut F, w: &Waker) -> Poll<F::Output> {
    Pin::new(f).poll(&mut Context::from_waker(w))
}

#[test]
fn loom_at_most_n_holders_and_all_permits_back() {
    for mode in MODES {
        loom::model(move || at_most_n_holders(mode));
    }
}

fn at_most_n_holders(mode: Duration) {
    {
        let sem = sem(10, mode);
        let held = Arc::new(AtomicUsize::new(0));
        let (s2, h2) = (Arc::clone(&sem), Arc::clone(&held));
        let t = thread::spawn(move || {
            let p = s2.acquire_many_blocking(8).unwrap();
            assert!(h2.fetch_add(8, Ordering::SeqCst) + 8 <= 10);
            h2.fetch_sub(8, Ordering::SeqCst);
            drop(p);
        });
        for n in [4, 10] {
            let p = sem.acquire_many_blocking(n).unwrap();
            assert!(held.fetch_add(n, Ordering::SeqCst) + n <= 10);
            held.fetch_sub(n, Ordering::SeqCst);
            drop(p);
        }
        t.join().unwrap();
        assert_eq!(sem.available_permits(), 10);
    }
}

fn dropped_future_model(polls: usize, close: bool) {
    for mode in MODES {
        loom::model(move || dropped_future(polls, close, mode));
    }
}

fn dropped_future(polls: usize, close: bool, mode: Duration) {
    {
        let sem = sem(1, mode);
        let held = sem.try_acquire_many(1).unwrap();
        held.forget();
        let s2 = Arc::clone(&sem);
        let t = thread::spawn(move || {
            if close {
                s2.close();
            }
            s2.add_permits(1);
        });
        let w = flag_waker(flag());
        let mut fut = Box::pin(sem.acquire());
        for _ in 0..polls {
            if let Poll::Ready(r) = fut.as_mut().poll(&mut Context::from_waker(&w)) {
                drop(r);
                break;
            }
        }
        drop(fut);
        t.join().unwrap();
        assert_eq!(sem.available_permits(), 1, "no permit leaked");
        if !close {
            assert!(sem.try_acquire().is_some());
        }
    }
}

#[test]
fn loom_future_dropped_unpolled() {
    dropped_future_model(0, false);
}

#[test]
fn loom_future_dropped_after_one_poll_racing_release() {
    dropped_future_model(1, false);
}

#[test]
fn loom_future_dropped_after_two_polls_racing_release() {
    dropped_future_model(2, false);
}

#[test]
fn loom_future_dropped_racing_close() {
    dropped_future_model(1, true);
}

#[test]
fn loom_mutex_lock_future_dropped_then_try_lock() {
    loom::model(|| {
        let m = Arc::new(Mutex::new(0u32));
        let g = m.try_lock().unwrap();
        std::mem::forget(g);
        let w = flag_waker(flag());
        let mut fut = Box::pin(m.lock());
        let pending = fut.as_mut().poll(&mut Context::from_waker(&w)).is_pending();
        assert!(pending);
        let m2 = Arc::clone(&m);
        // Release the forgotten guard's permit from another thread.
        let t = thread::spawn(move || m2.force_release_for_tests());
        drop(fut);
        t.join().unwrap();
        assert!(m.try_lock().is_some());
    });
}

#[test]
fn loom_cancelling_the_head_wakes_the_next() {
    for mode in MODES {
        loom::model(move || cancelling_the_head(mode));
    }
}

fn cancelling_the_head(mode: Duration) {
    {
        let sem = sem(1, mode);
        sem.try_acquire().unwrap().forget();
        let (fa, fb) = (flag(), flag());
        let (wa, wb) = (flag_waker(Arc::clone(&fa)), flag_waker(Arc::clone(&fb)));
        let mut a = Box::pin(sem.acquire());
        let mut b = Box::pin(sem.acquire());
        assert!(a.as_mut().poll(&mut Context::from_waker(&wa)).is_pending());
        assert!(b.as_mut().poll(&mut Context::from_waker(&wb)).is_pending());
        let s2 = Arc::clone(&sem);
        let t = thread::spawn(move || s2.add_permits(1));
        drop(a);
        t.join().unwrap();
        // The permit went to b: it was woken, or it is ready when polled.
        match b.as_mut().poll(&mut Context::from_waker(&wb)) {
            Poll::Ready(Ok(p)) => drop(p),
            other => panic!("b not served: {:?}", other.map(|r| r.map(|_| ()))),
        }
        drop(b);
        assert_eq!(sem.available_permits(), 1);
    }
}

#[test]
fn loom_repoll_with_new_waker_wakes_only_the_latest() {
    for mode in MODES {
        loom::model(move || repoll(mode));
    }
}

fn repoll(mode: Duration) {
    {
        let sem = sem(1, mode);
        sem.try_acquire().unwrap().forget();
        let (f1, f2) = (flag(), flag());
        let (w1, w2) = (flag_waker(Arc::clone(&f1)), flag_waker(Arc::clone(&f2)));
        let mut fut = Box::pin(sem.acquire());
        assert!(poll(&mut fut, &w1).is_pending());
        assert!(poll(&mut fut, &w2).is_pending());
        let s2 = Arc::clone(&sem);
        let t = thread::spawn(move || s2.add_permits(1));
        t.join().unwrap();
        assert_eq!(f1.woken.load(Ordering::SeqCst), 0);
        assert_eq!(f2.woken.load(Ordering::SeqCst), 1);
        assert!(matches!(poll(&mut fut, &w2), Poll::Ready(Ok(_))));
    }
}

#[test]
fn loom_waker_that_releases_on_wake_or_drop_does_not_deadlock() {
    for mode in MODES {
        loom::model(move || waker_releases(mode));
    }
}

fn waker_releases(mode: Duration) {
    {
        let sem = sem(1, mode);
        sem.try_acquire().unwrap().forget();
        let (s_wake, s_drop) = (Arc::clone(&sem), Arc::clone(&sem));
        let f = Arc::new(Flag {
            woken: AtomicUsize::new(0),
            on_wake: Box::new(move || s_wake.add_permits(1)),
            on_drop: Box::new(move || s_drop.add_permits(1)),
        });
        let w = flag_waker(f);
        let mut a = Box::pin(sem.acquire_many(1));
        assert!(poll(&mut a, &w).is_pending());
        drop(w);
        let s2 = Arc::clone(&sem);
        let t = thread::spawn(move || s2.add_permits(1));
        t.join().unwrap();
        drop(a);
        // 1 from the thread, 1 from wake, 1 from the Flag's drop.
        assert_eq!(sem.available_permits(), 3);
    }
}

/// Starvation noticed on acquire (handoff mode from the first waiter on):
/// while a release runs, a queued waiter that is re-polled, or a newcomer,
/// finds the released permit free with `HANDOFF` still clear in some
/// interleavings; neither may take it ahead of the head. The first case
/// fails without the re-check of the head's deadline in `Batch::poll`, the
/// second without the fast path's check of the published deadline.
#[test]
fn loom_starving_head_is_not_passed() {
    for repoll in [true, false] {
        loom::model(move || starving_head(repoll));
    }
}

fn starving_head(repoll: bool) {
    let sem = sem(1, Duration::ZERO);
    sem.try_acquire().unwrap().forget();
    let (fh, fn_) = (flag(), flag());
    let (wh, wn) = (flag_waker(Arc::clone(&fh)), flag_waker(Arc::clone(&fn_)));
    let mut head = Box::pin(sem.acquire());
    let mut next = Box::pin(sem.acquire());
    assert!(poll(&mut head, &wh).is_pending());
    if repoll {
        assert!(poll(&mut next, &wn).is_pending());
        let s2 = Arc::clone(&sem);
        let t = thread::spawn(move || s2.add_permits(1));
        assert!(
            poll(&mut next, &wn).is_pending(),
            "a re-polled waiter passed the starving head"
        );
        t.join().unwrap();
    } else {
        // The newcomer on the spawned thread: loom's DPOR compares an
        // operation only with the last dependent access, so with the roles
        // swapped the release's own load hides the race between the
        // newcomer's load and the release's compare-exchange.
        let s2 = Arc::clone(&sem);
        let t = thread::spawn(move || s2.try_acquire().map(SemaphorePermit::forget).is_none());
        sem.add_permits(1);
        assert!(t.join().unwrap(), "a newcomer passed the starving head");
    }
    let p = match poll(&mut head, &wh) {
        Poll::Ready(Ok(p)) => p,
        _ => panic!("the head was not served"),
    };
    if repoll {
        assert!(poll(&mut next, &wn).is_pending());
    }
    drop(p);
    assert!(matches!(poll(&mut next, &wn), Poll::Ready(Ok(_))));
    drop((head, next));
    assert_eq!(sem.available_permits(), 1);
}

/// `acquire_many(0)` and the other zero-permit forms complete at once in
/// both modes, even with a head queued and a release (or a close) racing.
#[test]
fn loom_zero_permits_complete_at_once_beside_a_queued_head() {
    for mode in MODES {
        for close in [false, true] {
            loom::model(move || zero_permits(mode, close));
        }
    }
}

fn zero_permits(mode: Duration, close: bool) {
    let sem = sem(1, mode);
    sem.try_acquire().unwrap().forget();
    let w = flag_waker(flag());
    let mut head = Box::pin(sem.acquire());
    assert!(poll(&mut head, &w).is_pending());
    let s2 = Arc::clone(&sem);
    let t = thread::spawn(move || {
        if close {
            s2.close();
        }
        s2.add_permits(1);
    });
    let mut zero = Box::pin(sem.acquire_many(0));
    match poll(&mut zero, &w) {
        Poll::Ready(Ok(p)) => assert_eq!(p.num_permits(), 0),
        Poll::Ready(Err(_)) => assert!(close, "failed without a close"),
        Poll::Pending => panic!("acquire_many(0) queued"),
    }
    let z = sem.try_acquire_many(0);
    assert!(z.is_some() || close);
    drop(z);
    let z = sem.acquire_many_blocking(0);
    assert!(z.is_ok() || close);
    drop(z);
    t.join().unwrap();
    match poll(&mut head, &w) {
        Poll::Ready(Ok(p)) => assert!(!close, "{p:?} after close"),
        Poll::Ready(Err(_)) => assert!(close),
        Poll::Pending => panic!("the head was not served"),
    }
    drop(head);
    assert_eq!(sem.available_permits(), 1);
}

/// A newcomer's slow path (the head's published deadline has passed)
/// racing the head's cancellation: no permit is lost, and once the
/// cancellation is seen the newcomer is not turned away by a head that is
/// gone.
#[test]
fn loom_newcomer_racing_a_cancelled_starving_head() {
    loom::model(|| {
        let sem = sem(2, Duration::ZERO);
        let held = sem.try_acquire().unwrap();
        let w = flag_waker(flag());
        let mut head = Box::pin(Arc::clone(&sem).acquire_many_owned(2));
        assert!(head
            .as_mut()
            .poll(&mut Context::from_waker(&w))
            .is_pending());
        let gone = Arc::new(AtomicBool::new(false));
        let g2 = Arc::clone(&gone);
        let t = thread::spawn(move || {
            drop(head);
            g2.store(true, Ordering::SeqCst);
        });
        let seen_gone = gone.load(Ordering::SeqCst);
        let p = sem.try_acquire();
        if seen_gone {
            assert!(p.is_some(), "turned away by a head that had left");
        }
        drop(p);
        t.join().unwrap();
        drop(held);
        assert_eq!(sem.available_permits(), 2, "no permit lost");
        assert!(sem.try_acquire_many(2).is_some());
    });
}

#[test]
fn loom_parallel_call_runs_each_chunk_once_and_owner_waits() {
    loom::model(|| {
        let runs: Arc<[AtomicUsize; 3]> = Arc::new([
            AtomicUsize::new(0),
            AtomicUsize::new(0),
            AtomicUsize::new(0),
        ]);
        let r2 = Arc::clone(&runs);
        let body = move |i: usize| {
            r2[i].fetch_add(1, Ordering::SeqCst);
            1
        };
        // SAFETY: `job.wait()` below returns before `body` goes out of scope.
        let job = Arc::new(unsafe { Job::new(3, &body) });
        let helper_job = Arc::clone(&job);
        let counted = Arc::new(AtomicUsize::new(0));
        let c2 = Arc::clone(&counted);
        let helper_last = Arc::new(AtomicUsize::new(0));
        let helper_chunks = Arc::new(AtomicUsize::new(0));
        let (hl, hc) = (Arc::clone(&helper_last), Arc::clone(&helper_chunks));
        let t = thread::spawn(move || {
            helper_job.work(
                &|n| {
                    c2.fetch_add(n, Ordering::SeqCst);
                    hc.fetch_add(1, Ordering::SeqCst);
                },
                &|| {
                    hl.fetch_add(1, Ordering::SeqCst);
                },
            )
        });
        job.work(
            &|n| {
                counted.fetch_add(n, Ordering::SeqCst);
            },
            &|| {},
        );
        job.wait();
        // A helper that ran a chunk finished its bookkeeping (`last`, where
        // a worker decrements `inflight`) before the owner could return.
        let expected_last = usize::from(helper_chunks.load(Ordering::SeqCst) > 0);
        assert_eq!(helper_last.load(Ordering::SeqCst), expected_last);
        for r in runs.iter() {
            assert_eq!(r.load(Ordering::SeqCst), 1);
        }
        assert_eq!(counted.load(Ordering::SeqCst), 3);
        t.join().unwrap();
    });
}

#[test]
fn loom_parallel_call_panic_is_kept_and_owner_still_waits() {
    loom::model(|| {
        let done = Arc::new(AtomicBool::new(false));
        let d2 = Arc::clone(&done);
        let body = move |i: usize| {
            if i == 0 {
                panic!("chunk 0");
            }
            d2.store(true, Ordering::SeqCst);
            1
        };
        // SAFETY: `wait` is reached before `body` goes out of scope.
        let job = Arc::new(unsafe { Job::new(2, &body) });
        let helper_job = Arc::clone(&job);
        let t = thread::spawn(move || helper_job.work(&|_| {}, &|| {}));
        job.work(&|_| {}, &|| {});
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job.wait()));
        assert_eq!(*r.unwrap_err().downcast_ref::<&str>().unwrap(), "chunk 0");
        t.join().unwrap();
    });
}

/// A panic payload whose `Drop` panics, counting its drops in a loom
/// atomic.
struct DropBomb(Arc<AtomicUsize>);

impl Drop for DropBomb {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
        panic!("payload dropped");
    }
}

/// The job protocol's invariant (see `pool::job`): the owner never leaves
/// `wait` while a chunk runs, and a losing payload whose `Drop` panics is
/// dropped, contained, before the owner can return. Both chunks panic
/// with such payloads; whichever threads ran them, exactly one payload
/// reaches the owner and every other one has been dropped once.
#[test]
fn loom_owner_never_leaves_while_a_chunk_runs() {
    loom::model(|| {
        let inside = Arc::new(AtomicUsize::new(0));
        let thrown = Arc::new(AtomicUsize::new(0));
        let drops = Arc::new(AtomicUsize::new(0));
        let (i2, t2, d2) = (Arc::clone(&inside), Arc::clone(&thrown), Arc::clone(&drops));
        let body = move |_: usize| -> usize {
            i2.fetch_add(1, Ordering::SeqCst);
            thread::yield_now();
            i2.fetch_sub(1, Ordering::SeqCst);
            t2.fetch_add(1, Ordering::SeqCst);
            std::panic::panic_any(DropBomb(Arc::clone(&d2)))
        };
        // SAFETY: `wait_quiet` is reached before `body` goes out of scope.
        let job = Arc::new(unsafe { Job::new(2, &body) });
        let helper_job = Arc::clone(&job);
        let t = thread::spawn(move || helper_job.work(&|_| {}, &|| {}));
        job.work(&|_| {}, &|| {});
        let winner = job.wait_quiet();
        assert_eq!(
            inside.load(Ordering::SeqCst),
            0,
            "a chunk ran past the owner"
        );
        let thrown = thrown.load(Ordering::SeqCst);
        assert!((1..=2).contains(&thrown));
        assert_eq!(
            drops.load(Ordering::SeqCst),
            thrown - 1,
            "a loser was not dropped"
        );
        let winner = winner.expect("a chunk panicked");
        assert!(winner.is::<DropBomb>());
        // The winner's own drop panics too; contain it as para's caller
        // would have to.
        crate::unwind::drop_payload(winner);
        assert_eq!(drops.load(Ordering::SeqCst), thrown);
        t.join().unwrap();
    });
}

/// The mutex's data under loom's cell checking: two threads increment the
/// value through their guards, so each access must be ordered after the
/// previous holder's by the permit's hand-over (the `AcqRel` of `take` and
/// `release`). Fails ("Causality violation" on the mutex's cell) with those
/// two orderings weakened to `Relaxed`.
#[test]
fn loom_mutex_data_is_handed_over_with_the_permit() {
    loom::model(|| {
        let m = Arc::new(Mutex::new(0u32));
        let m2 = Arc::clone(&m);
        let t = thread::spawn(move || *m2.lock_blocking() += 1);
        *m.lock_blocking() += 1;
        t.join().unwrap();
        assert_eq!(*m.lock_blocking(), 2);
    });
}

// ------------------------------------------------------------- dispatch

/// A kernel's result that counts its drops and notes whether one happened
/// on the worker.
struct Answer {
    drops: Arc<AtomicUsize>,
    on_worker: Arc<AtomicBool>,
    worker: thread::ThreadId,
}

impl Drop for Answer {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
        if thread::current().id() == self.worker {
            self.on_worker.store(true, Ordering::SeqCst);
        }
    }
}

fn answer_of(r: Result<Erased, DispatchError>) -> u32 {
    *r.expect("the kernel answered")
        .downcast::<u32>()
        .expect("a u32 answer")
}

/// The worker's side of a dispatch request (`DispatchRequest::run`): start
/// unless cancelled, run the kernel, complete with its result. Returns
/// whether it ran.
fn run_request(reply: &Reply, kernel: impl FnOnce() -> Erased) -> bool {
    if !reply.start() {
        return false;
    }
    reply.complete(Ok(kernel()));
    true
}

/// A blocking `dispatch`: the caller parks (no spins under loom) while a
/// worker completes the reply. No lost wake-up (loom reports a deadlock
/// otherwise) and the result is taken once. Fails with "deadlock" if
/// `Reply::complete` unparks the waiter before it sets `done`: the waiter
/// spends the unpark on a check that still sees `false`, then parks for
/// good.
#[test]
fn loom_dispatch_blocking_waiter_is_woken_with_the_result() {
    loom::model(|| {
        let reply = Reply::new(Some(thread::current()));
        let r2 = Arc::clone(&reply);
        let worker = thread::spawn(move || assert!(run_request(&r2, || Box::new(7u32))));
        assert_eq!(answer_of(reply.wait(0)), 7);
        worker.join().unwrap();
        assert!(!reply.holds_result());
    });
}

/// `dispatch_async`'s poll racing the completion: a poll that returns
/// `Pending` has left a waker that the completion wakes, and the next poll
/// is ready; the result is taken exactly once. Fails ("pending, never
/// woken") if `Reply::poll` unlocks between its look at the result and
/// storing the waker.
#[test]
fn loom_dispatch_future_polled_racing_completion_is_woken() {
    loom::model(|| {
        let reply = Reply::new(None);
        let r2 = Arc::clone(&reply);
        let worker = thread::spawn(move || assert!(run_request(&r2, || Box::new(7u32))));
        let f = flag();
        let w = flag_waker(Arc::clone(&f));
        let first = reply.poll(&Context::from_waker(&w));
        worker.join().unwrap();
        let value = match first {
            Poll::Ready(r) => {
                assert!(
                    reply.poll(&Context::from_waker(&w)).is_pending(),
                    "taken twice"
                );
                r
            }
            Poll::Pending => {
                assert_eq!(f.woken.load(Ordering::SeqCst), 1, "pending, never woken");
                match reply.poll(&Context::from_waker(&w)) {
                    Poll::Ready(r) => r,
                    Poll::Pending => panic!("woken, but not ready"),
                }
            }
        };
        assert_eq!(answer_of(value), 7);
    });
}

/// A `dispatch_async` future dropped (after `polls` polls) while a worker
/// runs the request: a cancel that finds the request unstarted keeps it
/// from running (the real drop then takes it off the queue); a result is
/// dropped exactly once, on the worker exactly when it never reached the
/// future (the drop came before the completion); and none is left in the
/// reply for its last `Arc` to drop on whichever thread that is. Fails ("a
/// result left in the reply") if `Reply::cancel` does not take an unread
/// result.
fn dispatch_future_dropped(polls: usize) {
    loom::model(move || {
        let drops = Arc::new(AtomicUsize::new(0));
        let on_worker = Arc::new(AtomicBool::new(false));
        let reply = Reply::new(None);
        let (r2, d2, o2) = (
            Arc::clone(&reply),
            Arc::clone(&drops),
            Arc::clone(&on_worker),
        );
        let worker = thread::spawn(move || {
            run_request(&r2, move || {
                Box::new(Answer {
                    drops: d2,
                    on_worker: o2,
                    worker: thread::current().id(),
                })
            })
        });
        let w = flag_waker(flag());
        let mut ready = None;
        for _ in 0..polls {
            if let Poll::Ready(r) = reply.poll(&Context::from_waker(&w)) {
                ready = Some(r);
                break;
            }
        }
        // The future's drop: one still waiting cancels; a ready one is done.
        let (reached_future, cancelled_unstarted) = match ready {
            Some(r) => {
                drop(r);
                (true, false)
            }
            None => {
                let (started, unread, waker) = reply.cancel();
                drop(waker);
                let reached = unread.is_some();
                drop(unread);
                (reached, !started)
            }
        };
        let ran = worker.join().unwrap();
        assert!(!reply.holds_result(), "a result left in the reply");
        assert!(
            !(cancelled_unstarted && ran),
            "ran after a cancel found it unstarted"
        );
        assert_eq!(
            drops.load(Ordering::SeqCst),
            usize::from(ran),
            "dropped once"
        );
        assert_eq!(
            on_worker.load(Ordering::SeqCst),
            ran && !reached_future,
            "dropped on the worker only when it never reached the future"
        );
    });
}

#[test]
fn loom_dispatch_future_dropped_unpolled_racing_completion() {
    dispatch_future_dropped(0);
}

#[test]
fn loom_dispatch_future_dropped_after_a_poll_racing_completion() {
    dispatch_future_dropped(1);
}

// The pool's sleep protocol is modelled on the real `Queue` beside it
// (`pool/queue.rs`, `loom_models`).
