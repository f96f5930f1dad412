//! A parallel call's shared state: chunks claimed by index from an atomic
//! counter by the caller and by any helping worker.
//!
//! # Protocol
//! - `next.fetch_add(1)` hands out chunk indices; each index below `chunks`
//!   goes to exactly one thread (RMW atomicity), which *must* then bump
//!   `done`, whether it ran the chunk or skipped it because the call was
//!   stopped by a panic.
//! - The owner (the calling thread) returns only once `done == chunks`.
//!   Only a thread holding an index below `chunks` dereferences `body`, so
//!   once the owner sees the count complete, no thread touches the borrowed
//!   closure, input or output again: the call's borrows end with it, even
//!   though late helpers may still hold the `Arc<Job>` (they find the
//!   counter exhausted and leave).
//! - A panic in a chunk is caught, stored (first one wins), and sets `stop`;
//!   later claims skip their chunk. The owner catches its own panics the
//!   same way, so it never unwinds while helpers still borrow its frame, and
//!   re-raises the stored payload after the wait. A losing payload is
//!   dropped under `catch_unwind` too ([`crate::unwind::drop_payload`]):
//!   its `Drop` is user code and may panic.
//!
//! # Invariant
//! **A call never returns or unwinds while any thread is inside one of its
//! chunks, and every payload, result and drop of user code runs where a
//! panic from it is caught.** The first half is `done == chunks` before
//! the owner leaves [`Job::wait_quiet`], with every increment of `done` made
//! after the chunk's last access to `body`; the second is that nothing
//! between a claim and its `done` increment can unwind: the chunk and the
//! payload's drop run under `catch_unwind`, the rest is para's own
//! bookkeeping (counters, a mutex that ignores poison). The owner's side
//! holds an [`AbortOnUnwind`](crate::unwind::AbortOnUnwind) guard from
//! publishing the job to the end of `wait`, so even a bug there aborts
//! rather than freeing a frame that a helper still writes. The loom model
//! `loom_owner_never_leaves_while_a_chunk_runs` checks both halves with
//! two panicking chunks whose payloads panic when dropped.
//!
//! # Memory ordering
//! `done.fetch_add` is `AcqRel` and the owner's load of `done` is `Acquire`:
//! all the increments form one release sequence, so an owner that reads
//! `chunks` has synchronised with every chunk's writes (outputs, the panic
//! slot). `next` is `Relaxed`: it only partitions indices. `stop` is a hint
//! (`Relaxed`): a chunk that misses it just runs. The owner parks until the
//! last finisher unparks it; `unpark` before `park` leaves a token, so the
//! wake-up cannot be lost, and the owner re-checks `done` after every wake.

use crate::loom::{thread, AtomicBool, AtomicUsize, Mutex, Ordering};
use crate::unwind::Payload;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A chunk runner: runs chunk `i` and returns how many items it finished.
pub(crate) type Body<'a> = dyn Fn(usize) -> usize + Sync + 'a;

pub(crate) struct Job {
    next: AtomicUsize,
    done: AtomicUsize,
    chunks: usize,
    stop: AtomicBool,
    panic: Mutex<Option<Payload>>,
    owner: thread::Thread,
    /// Helpers that picked this job off the queue.
    pub(crate) started: AtomicUsize,
    /// The caller's chunk runner, its lifetime erased; see the protocol.
    body: *const Body<'static>,
}

// SAFETY: `body` points to a `Sync` closure and is dereferenced only by
// threads holding an unfinished chunk, while the owner keeps it alive (see
// the module's protocol); every other field is a thread-safe primitive.
unsafe impl Send for Job {}
// SAFETY: as for `Send`: shared access only reads `body` under the protocol.
unsafe impl Sync for Job {}

impl Job {
    /// # Safety
    /// The caller must not let `body` die before [`Job::wait_quiet`]
    /// returned (what `Shared::run_parallel` in `pool/drive.rs` does).
    pub(crate) unsafe fn new(chunks: usize, body: &Body<'_>) -> Job {
        let body: *const Body<'_> = body;
        Job {
            next: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            chunks,
            stop: AtomicBool::new(false),
            panic: Mutex::new(None),
            owner: thread::current(),
            started: AtomicUsize::new(0),
            // SAFETY: only the lifetime changes (same fat-pointer layout);
            // the protocol keeps every dereference inside the real lifetime.
            body: unsafe { std::mem::transmute::<*const Body<'_>, *const Body<'static>>(body) },
        }
    }

    /// Claim and run chunks until none is left. `count` is told how many
    /// items each finished chunk held; `last` runs before this thread
    /// publishes its last chunk (so a helper's bookkeeping is done before
    /// the owner can return), and not at all if it claimed no chunk.
    pub(crate) fn work(&self, count: &dyn Fn(usize), last: &dyn Fn()) {
        let mut i = self.next.fetch_add(1, Ordering::Relaxed);
        if i >= self.chunks {
            return;
        }
        loop {
            if !self.stop.load(Ordering::Relaxed) {
                // SAFETY: `i < chunks` and `done` has not yet counted chunk
                // `i`, so the owner is still waiting and `body` is alive.
                let body = unsafe { &*self.body };
                match catch_unwind(AssertUnwindSafe(|| body(i))) {
                    Ok(items) => count(items),
                    Err(payload) => {
                        self.stop.store(true, Ordering::Relaxed);
                        let loser = {
                            let mut slot = crate::loom::lock(&self.panic);
                            match *slot {
                                None => {
                                    *slot = Some(payload);
                                    None
                                }
                                Some(_) => Some(payload),
                            }
                        };
                        // Outside the lock, and contained: the payload's
                        // `Drop` is user code.
                        if let Some(p) = loser {
                            crate::unwind::drop_payload(p);
                        }
                    }
                }
            }
            // Claim the next chunk before publishing this one: a thread
            // that has no next chunk runs `last` first.
            let next = self.next.fetch_add(1, Ordering::Relaxed);
            if next >= self.chunks {
                last();
            }
            if self.done.fetch_add(1, Ordering::AcqRel) + 1 == self.chunks {
                self.owner.unpark();
            }
            if next >= self.chunks {
                return;
            }
            i = next;
        }
    }

    /// Owner only: wait until every chunk is done, then re-raise a kernel's
    /// panic if there was one (the loom models' shorthand).
    #[cfg(all(test, loom))]
    pub(crate) fn wait(&self) {
        if let Some(p) = self.wait_quiet() {
            std::panic::resume_unwind(p);
        }
    }

    /// Owner only: wait until every chunk is done; the first panic of a
    /// chunk, if any, is handed back rather than re-raised.
    pub(crate) fn wait_quiet(&self) -> Option<Payload> {
        let mut spins = 0u32;
        while self.done.load(Ordering::Acquire) != self.chunks {
            if spins < SPIN_WAIT {
                spins += 1;
                crate::loom::spin_hint();
            } else {
                thread::park();
            }
        }
        crate::loom::lock(&self.panic).take()
    }
}

/// Spins of the owner before it parks: helpers usually finish within a few
/// microseconds of the owner when chunks are balanced.
#[cfg(not(loom))]
const SPIN_WAIT: u32 = 2_000;
#[cfg(loom)]
const SPIN_WAIT: u32 = 0;
