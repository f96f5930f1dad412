//! An async call's shared state: chunks that only the pool's threads run,
//! a result the future picks up, and a cancellation that needs no wait.
//!
//! A blocking call's [`Job`](super::Job) borrows its caller's frame, which
//! waits; an async call has no frame that waits, so its [`AsyncJob`] owns
//! everything (the input, the closures, the output) behind an `Arc`, and
//! the thread that finishes its last chunk finishes the call.
//!
//! # Protocol
//! - `next.fetch_add(1)` hands out chunk indices; each index below `chunks`
//!   goes to exactly one thread, which then bumps `done` whether it ran
//!   the chunk or skipped it (`stop` set by a panic or a cancellation); a
//!   skip is counted in `skipped` before the bump.
//! - The thread whose bump brings `done` to `chunks` is the *finisher*
//!   ([`AsyncJob::finish`]): no other thread touches the content any more
//!   (every access of a chunk comes before its bump), so it takes the
//!   content out, builds the answer (or the panic) — only if no chunk was
//!   skipped, since a skipped chunk left its outputs unwritten, and a skip
//!   without a panic means the future is being dropped — and, under the state's
//!   lock, either stores it and takes the waker, or, if the future is gone,
//!   keeps it to drop. It wakes after unlocking.
//! - The future's poll ([`AsyncJob::poll`]) takes the answer or stores its
//!   waker in one critical section, so a finish comes either before it (the
//!   answer is there) or after (it finds the waker): no lost wake-up.
//! - The future's drop ([`AsyncJob::cancel`]) sets `stop`, takes every
//!   index not handed out yet with one `swap` of `next` (so no chunk starts
//!   after it, except one whose thread passed its `stop` check already),
//!   marks the state cancelled and takes an answer that arrived unread,
//!   then counts the indices it took as skipped and done. If that count is the last,
//!   the future's drop is the finisher and drops the content itself;
//!   otherwise the thread of the last running chunk does, once that chunk
//!   is over. Either way the content is dropped once, after the last chunk.
//!
//! # Memory ordering
//! `done` is bumped with `AcqRel`: its increments form one release
//! sequence, so the finisher (whose bump read `chunks - 1`) has
//! synchronised with every chunk's writes before it takes the content.
//! `next` is `Relaxed` (it only partitions indices), `stop` a hint. The
//! state lives under its mutex; wakers are woken and dropped outside it.
//!
//! The loom models at the end of this file run this code: a poll racing
//! the finish is woken, a drop racing running chunks drops the content
//! once and after them, a panic reaches the future.

use crate::loom::{lock, AtomicBool, AtomicU64, AtomicUsize, Mutex, Ordering, UnsafeCell};
use crate::unwind::Payload;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::task::{Context, Poll, Waker};
#[cfg(not(loom))]
use std::time::Instant;

/// Nanoseconds of async chunks a thread runs between two yields of its
/// core (see [`courtesy_yield`]).
#[cfg(not(loom))]
const YIELD_EVERY_NS: u64 = 100_000;

#[cfg(not(loom))]
std::thread_local! {
    /// Async chunk time this thread ran since it last yielded.
    static SINCE_YIELD: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// After an async chunk of `ns`: yield the core once every
/// [`YIELD_EVERY_NS`] of chunks. An async call's caller is a runtime whose
/// threads sleep while the pool's threads fill the cores; a runtime thread
/// woken by a timer or an I/O event otherwise waits for the scheduler's
/// next preemption (milliseconds). In the `service` bench the ping's p99
/// lateness under `map_async` was 0.7 to 1.9 ms with these yields and 0.8
/// to 2.6 ms without (over 2 ms in 4 runs of 13), and the requests served
/// did not measurably change with a yield every 500 µs or none.
#[cfg(not(loom))]
fn courtesy_yield(ns: u64) {
    SINCE_YIELD.with(|s| {
        let t = s.get() + ns;
        if t >= YIELD_EVERY_NS {
            s.set(0);
            std::thread::yield_now();
        } else {
            s.set(t);
        }
    });
}

/// What an async call computes: its chunks, then its answer.
pub(super) trait Content: Send + Sync + 'static {
    /// The answer (`Vec<U>` for a map, the folded value for a reduction).
    type Output: Send + 'static;
    /// Run chunk `i` (below the job's chunk count); the items it finished.
    fn run(&self, i: usize) -> usize;
    /// The answer, once every chunk ran without a panic; runs on the
    /// finisher (a worker), under `catch_unwind`.
    fn finish(self) -> Self::Output;
}

/// What a worker sees of an async call: chunks to claim.
pub(crate) trait AsyncWork: Send + Sync {
    /// Claim and run chunks until none is left, or until `hand_on` ends
    /// this thread's turn. `count` is told the items of each finished
    /// chunk; `last` runs before this thread publishes its last chunk, and
    /// not at all if it claimed none. `hand_on` is asked after each chunk
    /// while chunks are left to claim; `true` means it put this call back
    /// on the queue behind the tasks waiting there (see the pool's
    /// `# Turns`), so this thread publishes the chunk it ran (after `last`)
    /// and returns.
    fn work(&self, count: &dyn Fn(usize), last: &dyn Fn(), hand_on: &dyn Fn() -> bool);

    /// Run every chunk left on this thread, counting nothing and handing
    /// nothing on (a call that no worker will serve).
    fn run_rest(&self) {
        self.work(&|_| {}, &|| {}, &|| false);
    }
}

/// What the future sees of an async call.
pub(super) trait Handle<T>: Send + Sync {
    /// The answer (or the panic), or `Pending` with `cx`'s waker stored.
    fn poll(&self, cx: &Context<'_>) -> Poll<Result<T, Payload>>;
    /// The future's drop; hands back an answer that arrived unread.
    fn cancel(&self) -> Option<Result<T, Payload>>;
    /// Run chunks on this thread (a future polled on one of the pool's
    /// own workers, which must not wait on chunks it could run).
    fn help(&self, count: &dyn Fn(usize));
}

/// How a finished call went, for the pool's bookkeeping (calibration and
/// taking leftover requests off the queue): called by the finisher before
/// it wakes the future, with the job's address, the thread-time spent in
/// chunks, the items finished, and whether the call succeeded.
pub(super) type Hook = Box<dyn Fn(usize, u64, usize, bool) + Send + Sync>;

struct State<T> {
    waker: Option<Waker>,
    result: Option<Result<T, Payload>>,
    cancelled: bool,
}

/// An async call's shared state (see the module's `# Protocol`).
pub(super) struct AsyncJob<C: Content> {
    next: AtomicUsize,
    done: AtomicUsize,
    chunks: usize,
    stop: AtomicBool,
    panic: Mutex<Option<Payload>>,
    state: Mutex<State<C::Output>>,
    /// `Some` until the finisher takes it.
    content: UnsafeCell<Option<C>>,
    /// Chunks that did not run (skipped after `stop`, or taken by a
    /// cancellation), counted before their `done` bump.
    skipped: AtomicUsize,
    busy_ns: AtomicU64,
    items: AtomicUsize,
    hook: Option<Hook>,
}

// SAFETY: `content` is shared by reference between the threads that hold
// an unfinished chunk (`C: Sync`), and taken by value only by the one
// finisher, after every chunk's access (the protocol), on whatever thread
// that is (`C: Send`); every other field is a thread-safe primitive or a
// mutex over `Send` data.
unsafe impl<C: Content> Sync for AsyncJob<C> {}
// SAFETY: as for `Sync`: the content moves to the finisher's thread.
unsafe impl<C: Content> Send for AsyncJob<C> {}

impl<C: Content> AsyncJob<C> {
    /// A call of `chunks` chunks (at least 1) over `content`.
    pub(super) fn new(content: C, chunks: usize, hook: Option<Hook>) -> Self {
        assert!(chunks > 0, "para: an async call has at least one chunk");
        AsyncJob {
            next: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            chunks,
            stop: AtomicBool::new(false),
            panic: Mutex::new(None),
            state: Mutex::new(State {
                waker: None,
                result: None,
                cancelled: false,
            }),
            content: UnsafeCell::new(Some(content)),
            skipped: AtomicUsize::new(0),
            busy_ns: AtomicU64::new(0),
            items: AtomicUsize::new(0),
            hook,
        }
    }

    /// Identity, for taking the call's requests back off the queue.
    pub(super) fn id(&self) -> usize {
        self as *const Self as usize
    }

    /// Run chunk `i`, which this thread holds, unless the call stopped
    /// (then it counts as skipped).
    fn run_chunk(&self, i: usize, count: &dyn Fn(usize)) {
        if self.stop.load(Ordering::Relaxed) {
            self.skipped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        #[cfg(not(loom))]
        let t0 = Instant::now();
        let ran = catch_unwind(AssertUnwindSafe(|| {
            self.content.with(|c| {
                // SAFETY: this thread holds chunk `i`, not yet counted in
                // `done`, so the finisher has not taken the content, and
                // nothing writes it until then.
                let c = unsafe { &*c };
                c.as_ref()
                    .expect("content present while a chunk runs")
                    .run(i)
            })
        }));
        match ran {
            Ok(items) => {
                #[cfg(not(loom))]
                {
                    let ns = u64::try_from(t0.elapsed().as_nanos()).unwrap_or(u64::MAX);
                    self.busy_ns.fetch_add(ns, Ordering::Relaxed);
                    courtesy_yield(ns);
                }
                self.items.fetch_add(items, Ordering::Relaxed);
                count(items);
            }
            Err(payload) => {
                self.stop.store(true, Ordering::Relaxed);
                let loser = {
                    let mut slot = lock(&self.panic);
                    if slot.is_none() {
                        *slot = Some(payload);
                        None
                    } else {
                        Some(payload)
                    }
                };
                if let Some(p) = loser {
                    crate::unwind::drop_payload(p);
                }
            }
        }
    }

    /// Count `n` chunks as done; the bump that completes the count makes
    /// this thread the finisher.
    fn count_done(&self, n: usize) {
        if self.done.fetch_add(n, Ordering::AcqRel) + n == self.chunks {
            self.finish();
        }
    }

    /// The finisher: take the content out, build the answer, publish it
    /// (or drop everything, if the future is gone), wake the future.
    fn finish(&self) {
        // SAFETY: `done == chunks` (this thread's bump completed it, and
        // synchronised with every other bump): no chunk accesses the
        // content any more, and only this thread finishes.
        let content = self.content.with_mut(|c| unsafe { (*c).take() });
        let panic = lock(&self.panic).take();
        // Ordered by `done`: every skip was counted before its bump.
        let skipped = self.skipped.load(Ordering::Relaxed);
        let cancelled = lock(&self.state).cancelled;
        let result = if cancelled || (panic.is_none() && skipped > 0) {
            // Nobody waits for an answer (a skip without a panic is a
            // cancellation under way): drop everything.
            crate::unwind::drop_caught(content);
            if let Some(p) = panic {
                crate::unwind::drop_payload(p);
            }
            None
        } else if let Some(p) = panic {
            crate::unwind::drop_caught(content);
            Some(Err(p))
        } else {
            // Every chunk ran: every output is written.
            Some(catch_unwind(AssertUnwindSafe(|| {
                content.expect("content present until the finish").finish()
            })))
        };
        if let Some(hook) = &self.hook {
            let ok = matches!(result, Some(Ok(_)));
            let busy = self.busy_ns.load(Ordering::Relaxed);
            let items = self.items.load(Ordering::Relaxed);
            if let Err(p) = catch_unwind(AssertUnwindSafe(|| hook(self.id(), busy, items, ok))) {
                crate::unwind::drop_payload(p);
            }
        }
        let (waker, unwanted) = {
            let mut s = lock(&self.state);
            if s.cancelled {
                (None, result)
            } else {
                s.result = result;
                (s.waker.take(), None)
            }
        };
        if let Some(r) = unwanted {
            crate::unwind::drop_caught(r);
        }
        if let Some(w) = waker {
            if let Err(p) = catch_unwind(AssertUnwindSafe(|| w.wake())) {
                crate::unwind::drop_payload(p);
            }
        }
    }
}

impl<C: Content> AsyncWork for AsyncJob<C> {
    fn work(&self, count: &dyn Fn(usize), last: &dyn Fn(), hand_on: &dyn Fn() -> bool) {
        let mut i = self.next.fetch_add(1, Ordering::Relaxed);
        if i >= self.chunks {
            return;
        }
        loop {
            self.run_chunk(i, count);
            // The call goes back on the queue before this chunk is
            // published, so a finish that this bump may still bring (the
            // rest claimed and run meanwhile) takes it back off (the
            // finish's hook).
            if self.next.load(Ordering::Relaxed) < self.chunks && hand_on() {
                last();
                self.count_done(1);
                return;
            }
            // Claim the next chunk before publishing this one: a thread
            // with no next chunk runs `last` before its last bump.
            let next = self.next.fetch_add(1, Ordering::Relaxed);
            if next >= self.chunks {
                last();
            }
            self.count_done(1);
            if next >= self.chunks {
                return;
            }
            i = next;
        }
    }
}

impl<C: Content> Handle<C::Output> for AsyncJob<C> {
    fn poll(&self, cx: &Context<'_>) -> Poll<Result<C::Output, Payload>> {
        let mut s = lock(&self.state);
        if let Some(r) = s.result.take() {
            return Poll::Ready(r);
        }
        let replace = s.waker.as_ref().is_none_or(|w| !w.will_wake(cx.waker()));
        let old = if replace {
            s.waker.replace(cx.waker().clone())
        } else {
            None
        };
        drop(s);
        drop(old); // outside the lock
        Poll::Pending
    }

    fn cancel(&self) -> Option<Result<C::Output, Payload>> {
        self.stop.store(true, Ordering::Relaxed);
        let handed_out = self.next.swap(self.chunks, Ordering::Relaxed);
        let unclaimed = self.chunks.saturating_sub(handed_out);
        let (result, waker) = {
            let mut s = lock(&self.state);
            s.cancelled = true;
            (s.result.take(), s.waker.take())
        };
        // The executor's waker is dropped here, on the future's thread.
        drop(waker);
        if unclaimed > 0 {
            self.skipped.fetch_add(unclaimed, Ordering::Relaxed);
            self.count_done(unclaimed);
        }
        result
    }

    fn help(&self, count: &dyn Fn(usize)) {
        self.work(count, &|| {}, &|| false);
    }
}

/// loom models of the protocol (run with the other models, see
/// `loom_tests.rs`): a content of two chunks whose runs are checked
/// against its drop through loom's `UnsafeCell` and an atomic.
#[cfg(all(test, loom))]
mod loom_models {
    use super::*;
    use crate::loom::thread;
    use std::sync::Arc;
    use std::task::{RawWaker, RawWakerVTable};

    /// Two chunks that each write their own cell; `finish` sums them.
    /// Dropping it counts 1 in `drops`, or 100 if a chunk still runs (a
    /// panic would be contained by the finisher, so it is counted).
    struct Two {
        cells: [UnsafeCell<usize>; 2],
        running: Arc<AtomicUsize>,
        drops: Arc<AtomicUsize>,
        boom: bool,
    }

    // SAFETY: each cell is written by the one thread holding its chunk
    // and read by `finish`, after every chunk (the protocol under test;
    // loom checks the accesses).
    unsafe impl Sync for Two {}

    impl Drop for Two {
        fn drop(&mut self) {
            let running = self.running.load(Ordering::SeqCst);
            self.drops
                .fetch_add(if running == 0 { 1 } else { 100 }, Ordering::SeqCst);
        }
    }

    impl Content for Two {
        type Output = usize;
        fn run(&self, i: usize) -> usize {
            self.running.fetch_add(1, Ordering::SeqCst);
            // SAFETY: chunk `i` is held by this thread only.
            self.cells[i].with_mut(|p| unsafe { *p = i + 1 });
            self.running.fetch_sub(1, Ordering::SeqCst);
            if self.boom && i == 1 {
                panic!("chunk 1");
            }
            1
        }
        fn finish(self) -> usize {
            // SAFETY: every chunk is done (the protocol).
            self.cells.iter().map(|c| c.with(|p| unsafe { *p })).sum()
        }
    }

    fn job(boom: bool) -> (Arc<AsyncJob<Two>>, Arc<AtomicUsize>) {
        let drops = Arc::new(AtomicUsize::new(0));
        let two = Two {
            cells: [UnsafeCell::new(0), UnsafeCell::new(0)],
            running: Arc::new(AtomicUsize::new(0)),
            drops: Arc::clone(&drops),
            boom,
        };
        (Arc::new(AsyncJob::new(two, 2, None)), drops)
    }

    fn helper(j: &Arc<AsyncJob<Two>>) -> thread::JoinHandle<()> {
        let j = Arc::clone(j);
        thread::spawn(move || j.run_rest())
    }

    /// The answer of a future whose `first` poll came before its helpers
    /// were joined: that poll's, or, if it was pending, the next poll's,
    /// which must follow exactly one wake-up of `w` (counted in `woken`).
    fn answer(
        j: &AsyncJob<Two>,
        first: Poll<Result<usize, Payload>>,
        woken: &AtomicUsize,
        w: &Waker,
    ) -> Option<usize> {
        match first {
            Poll::Ready(r) => r.ok(),
            Poll::Pending => {
                assert_eq!(woken.load(Ordering::SeqCst), 1, "the future was not woken");
                match j.poll(&Context::from_waker(w)) {
                    Poll::Ready(r) => r.ok(),
                    Poll::Pending => panic!("woken, but no answer"),
                }
            }
        }
    }

    /// A waker counting its wake-ups in a loom atomic.
    fn counting_waker(count: Arc<AtomicUsize>) -> Waker {
        fn clone(p: *const ()) -> RawWaker {
            // SAFETY: `p` came from `Arc::into_raw` of an `Arc<AtomicUsize>`.
            unsafe { Arc::increment_strong_count(p as *const AtomicUsize) };
            RawWaker::new(p, &VTABLE)
        }
        fn wake(p: *const ()) {
            wake_by_ref(p);
            drop_it(p);
        }
        fn wake_by_ref(p: *const ()) {
            // SAFETY: a reference the waker still owns.
            unsafe { &*(p as *const AtomicUsize) }.fetch_add(1, Ordering::SeqCst);
        }
        fn drop_it(p: *const ()) {
            // SAFETY: releases the reference this waker owned.
            unsafe { Arc::decrement_strong_count(p as *const AtomicUsize) };
        }
        static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_it);
        // SAFETY: the vtable upholds the `RawWaker` contract for this pointer.
        unsafe { Waker::from_raw(RawWaker::new(Arc::into_raw(count) as *const (), &VTABLE)) }
    }

    /// Two helpers run the chunks while the future polls: it gets the
    /// answer, either at once or after a wake-up. Fails with a lost
    /// wake-up (the final re-poll never happens, the assertion on `woken`
    /// fails) if `finish` takes the waker before it stores the answer, or
    /// if `poll` stores its waker in a critical section of its own.
    #[test]
    fn loom_async_poll_racing_the_finish_is_woken() {
        loom::model(|| {
            let (j, drops) = job(false);
            let hs = [helper(&j), helper(&j)];
            let woken = Arc::new(AtomicUsize::new(0));
            let w = counting_waker(Arc::clone(&woken));
            let first = j.poll(&Context::from_waker(&w));
            for h in hs {
                h.join().unwrap();
            }
            let got = answer(&j, first, &woken, &w);
            assert_eq!(got, Some(3));
            assert_eq!(drops.load(Ordering::SeqCst), 1);
        });
    }

    /// The future is dropped while two helpers run: the content is
    /// dropped exactly once, never while a chunk runs (`Two`'s drop
    /// counts it, and loom's cell tracking fails a drop unordered with a
    /// chunk's write), whichever thread finishes; nothing is left behind.
    #[test]
    fn loom_async_drop_racing_running_chunks_drops_the_content_once_after_them() {
        loom::model(|| {
            let (j, drops) = job(false);
            let hs = [helper(&j), helper(&j)];
            let answer = j.cancel();
            for h in hs {
                h.join().unwrap();
            }
            // An answer that arrived before the drop comes back to it, and
            // only a whole one (fails with `Some(1)` if the finisher builds
            // an answer while a cancellation skipped a chunk).
            if let Some(r) = answer {
                assert_eq!(r.ok(), Some(3));
            }
            assert_eq!(drops.load(Ordering::SeqCst), 1);
            assert!(lock(&j.state).result.is_none(), "an answer left in the job");
            assert_eq!(j.done.load(Ordering::SeqCst), 2);
        });
    }

    /// A drop before any helper ran: the future's drop finishes the call
    /// itself, and a helper arriving later finds nothing to run.
    #[test]
    fn loom_async_drop_before_any_chunk_runs_none() {
        loom::model(|| {
            let (j, drops) = job(false);
            assert!(j.cancel().is_none());
            assert_eq!(drops.load(Ordering::SeqCst), 1);
            let h = helper(&j);
            h.join().unwrap();
            assert_eq!(
                j.items.load(Ordering::SeqCst),
                0,
                "a chunk ran after the drop"
            );
        });
    }

    /// A panicking chunk: the future gets the panic, the content is
    /// dropped once.
    #[test]
    fn loom_async_panic_reaches_the_future() {
        loom::model(|| {
            let (j, drops) = job(true);
            let hs = [helper(&j), helper(&j)];
            for h in hs {
                h.join().unwrap();
            }
            let w = counting_waker(Arc::new(AtomicUsize::new(0)));
            match j.poll(&Context::from_waker(&w)) {
                Poll::Ready(Err(p)) => assert_eq!(p.downcast_ref::<&str>(), Some(&"chunk 1")),
                _ => panic!("the panic did not reach the future"),
            }
            assert_eq!(drops.load(Ordering::SeqCst), 1);
        });
    }
    /// A thread that ends its turn whenever it can (its hand-over always
    /// succeeds) against a helper that runs on, and a poll; then the
    /// call's entry that the turn put back is served (a late helper).
    /// Every chunk runs once, each thread that ran one runs `last` once
    /// before its last bump, the future gets the whole answer, and the
    /// content is dropped once. Fails if the turn's end publishes its chunk
    /// without `last`, or ends the turn with no chunk left to hand out.
    #[test]
    fn loom_async_a_turn_ended_between_chunks_loses_nothing() {
        loom::model(|| {
            let (j, drops) = job(false);
            let turns = Arc::new(AtomicUsize::new(0));
            let turner = {
                let (j, turns) = (Arc::clone(&j), Arc::clone(&turns));
                thread::spawn(move || {
                    let (ran, lasts) = (AtomicUsize::new(0), AtomicUsize::new(0));
                    j.work(
                        &|_| {
                            ran.fetch_add(1, Ordering::SeqCst);
                        },
                        &|| {
                            lasts.fetch_add(1, Ordering::SeqCst);
                        },
                        &|| {
                            turns.fetch_add(1, Ordering::SeqCst);
                            true
                        },
                    );
                    let (ran, lasts) = (ran.load(Ordering::SeqCst), lasts.load(Ordering::SeqCst));
                    assert_eq!(
                        lasts,
                        usize::from(ran > 0),
                        "ran {ran} chunks, `last` {lasts} times"
                    );
                    ran
                })
            };
            let h = helper(&j);
            let woken = Arc::new(AtomicUsize::new(0));
            let w = counting_waker(Arc::clone(&woken));
            let first = j.poll(&Context::from_waker(&w));
            let ran = turner.join().unwrap();
            h.join().unwrap();
            let turns = turns.load(Ordering::SeqCst);
            assert!(turns <= ran, "a turn ended with no chunk run");
            if turns > 0 {
                j.run_rest();
            }
            let got = answer(&j, first, &woken, &w);
            assert_eq!(got, Some(3));
            assert_eq!(drops.load(Ordering::SeqCst), 1);
            assert_eq!(j.done.load(Ordering::SeqCst), 2);
        });
    }
}
