//! The one low-level primitive under [`Semaphore`](super::Semaphore) and
//! [`Mutex`](super::Mutex): a counting semaphore whose waiters queue in an
//! intrusive FIFO list of nodes that live inside the waiting futures (or on
//! a blocked thread's stack), so waiting allocates nothing.
//!
//! # Implementation details
//!
//! `state` packs the free permits (`state >> SHIFT`) with three flags:
//! `CLOSED`, `WAITERS` (the list is non-empty) and `HANDOFF` (fair mode).
//! `head_deadline` publishes when the head waiter starts to starve (in
//! [`now`]'s nanoseconds; `NEVER` when the list is empty).
//!
//! - **Fast paths.** Acquiring is one compare-exchange on `state` that
//!   takes permits when enough are free, `CLOSED` is clear and `HANDOFF` is
//!   clear; if `WAITERS` is set it first checks `head_deadline` against the
//!   clock (below). Acquiring zero permits takes nothing and passes nobody:
//!   it succeeds at once in every mode, without changing `state` (it fails
//!   only once closed). Releasing is one `fetch_add` of the permits; only
//!   if the flags it returns show `WAITERS` does it go on to the list: an
//!   uncontended release never touches it. `add_permits` is a checked
//!   compare-exchange loop instead, so that an overflow panics before the
//!   count changes.
//! - **Barging mode** (default). A release with `WAITERS` set adds its
//!   permits to `state` under the list lock and wakes the head waiter, which
//!   retries. A newcomer may take the permits first (async-lock's speed
//!   under contention, no lock convoy).
//! - **Handoff mode.** Once the head has waited at least [`STARVATION`],
//!   `HANDOFF` is set under the list lock by whoever notices first: a
//!   release, or a newcomer about to take permits ahead of it. Newcomers'
//!   fast path then fails and they queue, and every free permit is assigned
//!   directly to waiters in list order (a node accumulates permits until it
//!   has all it asked for, so `acquire_many` is atomic and never starved by
//!   smaller requests). The mode ends as soon as the new head has not
//!   starved (or the list empties), so waiters that keep re-queueing do not
//!   lock the semaphore into a convoy.
//! - **Starvation noticed on acquire.** A newcomer whose compare-exchange
//!   would succeed while `WAITERS` is set reads `head_deadline`; if the
//!   clock has passed it, the newcomer does not take the permits but locks
//!   the list, re-checks the head's deadline there (the hint may name a head
//!   that has just left) and, if it holds, enters handoff mode, which hands
//!   the free permits to the head; then it retries under the lock, where
//!   `HANDOFF` makes it fail (or, if the starving waiters were all served,
//!   take what is left). A queued node that is not the head makes the same
//!   check under the lock before it takes permits. This is the *re-check*
//!   the loom model `loom_starving_head_is_not_passed` depends on: a waiter
//!   re-polled (or a newcomer arriving) between a release's RMW and that
//!   release's slow path finds the permits free and `HANDOFF` still clear,
//!   and only the deadline tells it that the head comes first.
//! - **Wakers** are taken out of nodes under the lock and woken (or
//!   dropped) after it is released, so a waker whose `wake` or `Drop`
//!   releases permits cannot deadlock.
//!
//! # Memory ordering
//! Permit transfers through `state` use `AcqRel` compare-exchanges, so the
//! holder that releases happens-before the next holder that acquires
//! (mutual exclusion for `Mutex` data). Everything in the list, and every
//! node field, is read and written under the list mutex only; the mutex
//! orders those accesses. Flags are changed under the list lock with RMWs
//! so the lock-free fast paths see them.
//!
//! A node's fields sit in the loom switch's `UnsafeCell` and are reached
//! only through [`Node::with`] and [`Node::read`] (and, for a neighbour's
//! link, one raw-place write in [`push_back`] and [`unlink`]), one closure
//! per access: under loom, an access that the list lock does not order
//! against another thread's, or one nested inside another access of the
//! same node, fails the model.
//!
//! `head_deadline` is written under the list lock whenever the head
//! changes, and read `Relaxed` by newcomers: it is a hint that decides
//! only whether to take the slow path, where the lock makes the check
//! exact. It is enough for the guarantee: if a head's enqueue
//! happens-before a newcomer's attempt and the head is still queued, every
//! store to `head_deadline` since that enqueue wrote the same head's
//! deadline (the head changes only by leaving), so by coherence the
//! newcomer reads it; and its compare-exchange succeeds only on the latest
//! `state`, which has `WAITERS` set while the head is queued, so it cannot
//! skip the check on a stale `state`. A newcomer truly concurrent with the
//! enqueue is, by definition, within the bound.

use crate::loom::{lock, thread, AtomicU64, AtomicUsize, Mutex, Ordering, UnsafeCell};
use std::marker::PhantomPinned;
use std::ptr;
use std::sync::OnceLock;
use std::task::Waker;
use std::time::{Duration, Instant};

const CLOSED: usize = 1;
const WAITERS: usize = 2;
const HANDOFF: usize = 4;
const SHIFT: usize = 3;
const FLAGS: usize = (1 << SHIFT) - 1;

/// The largest number of permits a semaphore can hold (tokio's bound as
/// well: the count shares a word with three flags).
pub(crate) const MAX_PERMITS: usize = usize::MAX >> SHIFT;

/// Retries of the fast path before queueing, and pause instructions
/// between them: about a microsecond in all (the
/// `mutex_2_threads_blocking` and `mutex_2_tasks_tokio` benchmarks chose
/// it; spinning longer only burns the core the holder may need).
#[cfg(not(loom))]
const SPIN_TRIES: u32 = 16;
#[cfg(loom)]
const SPIN_TRIES: u32 = 0;
const SPIN_PAUSES: u32 = 8;

/// How long the head waiter may lose permits to newcomers before they go
/// to it directly: API.md's bound on unfairness ("about 0.5 ms"), long
/// enough that short critical sections in a tight loop keep async-lock's
/// throughput.
const STARVATION: Duration = Duration::from_micros(500);

/// A deadline that never comes: no head, or a head that never starves.
const NEVER: u64 = u64::MAX;

/// The clock of the starvation deadlines: nanoseconds since its first use
/// in this process, so that a deadline fits in one atomic word (`u64`
/// nanoseconds last 584 years).
fn now() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    let nanos = EPOCH.get_or_init(Instant::now).elapsed().as_nanos();
    u64::try_from(nanos).unwrap_or(NEVER - 1)
}

/// A starvation bound in the clock's unit; `Duration::MAX` (and anything
/// past 584 years) is `NEVER`.
fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(NEVER)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TryAcquireError {
    Closed,
    NoPermits,
}

/// Why the lock-free path took no permits.
enum Miss {
    Closed,
    NoPermits,
    /// Enough permits are free, but the head waiter's deadline has passed:
    /// they are its, not the newcomer's.
    HeadStarving,
}

/// How a queued node stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NodeState {
    /// Not in the list.
    Idle,
    /// In the list, waiting.
    Queued,
    /// Removed by a release that assigned all its permits.
    Granted,
    /// Removed by `close`.
    Closed,
}

/// What wakes a waiter.
pub(crate) enum Wake {
    Task(Waker),
    Thread(thread::Thread),
}

impl Wake {
    fn wake(self) {
        match self {
            Wake::Task(w) => w.wake(),
            Wake::Thread(t) => t.unpark(),
        }
    }
}

struct NodeInner {
    prev: *mut Node,
    next: *mut Node,
    state: NodeState,
    /// Permits asked for.
    needed: usize,
    /// Permits assigned in handoff mode so far.
    assigned: usize,
    /// When this node starts to starve ([`now`]'s unit), set on enqueue.
    deadline: u64,
    waker: Option<Wake>,
}

/// A waiter: lives in an acquire future or on a blocked thread's stack, and
/// must not move while queued (futures are pinned; a blocked thread's frame
/// does not move).
pub(crate) struct Node {
    inner: UnsafeCell<NodeInner>,
    _pin: PhantomPinned,
}

// SAFETY: a node's fields are only accessed under the semaphore's list
// mutex (or by its owner while it is not queued, when no other thread can
// reach it), and the waker it holds is `Send + Sync`.
unsafe impl Send for Node {}
// SAFETY: as for `Send`.
unsafe impl Sync for Node {}

impl Node {
    /// Write access to a node's fields for the length of `f`.
    ///
    /// # Safety
    /// `node` points to a live node whose fields the caller may touch: it
    /// holds the list lock, or it owns the node and the node is not queued
    /// (no other thread can reach it then). `f` must not reach the same
    /// node again (through the list): the `&mut` it gets is the only
    /// reference to those fields while it runs.
    #[inline]
    unsafe fn with<R>(node: *const Node, f: impl FnOnce(&mut NodeInner) -> R) -> R {
        // SAFETY: `node` is live, so its `inner` may be borrowed shared (an
        // `UnsafeCell` allows writes through its pointer meanwhile); the
        // `&mut` made from that pointer is unique while `f` runs, as the
        // caller promises.
        unsafe { (*node).inner.with_mut(|p| f(&mut *p)) }
    }

    /// Read access to a node's fields for the length of `f`.
    ///
    /// # Safety
    /// As for [`Node::with`], except that `f` may run beside other shared
    /// reads of the same node (none happens: every access is under the lock).
    #[inline]
    unsafe fn read<R>(node: *const Node, f: impl FnOnce(&NodeInner) -> R) -> R {
        // SAFETY: as in `with`: no `&mut` to these fields lives while `f`
        // runs, so the shared reference is valid for its length.
        unsafe { (*node).inner.with(|p| f(&*p)) }
    }

    pub(crate) fn new(needed: usize) -> Node {
        Node {
            inner: UnsafeCell::new(NodeInner {
                prev: ptr::null_mut(),
                next: ptr::null_mut(),
                state: NodeState::Idle,
                needed,
                assigned: 0,
                deadline: NEVER,
                waker: None,
            }),
            _pin: PhantomPinned,
        }
    }
}

struct List {
    head: *mut Node,
    tail: *mut Node,
}

// SAFETY: the raw pointers are only followed under the mutex that owns the
// list, and point to nodes that unlink themselves before they go away.
unsafe impl Send for List {}

pub(crate) struct Batch {
    state: AtomicUsize,
    /// The head's deadline, published for the lock-free fast path (see the
    /// module's header); written under the list lock only.
    head_deadline: AtomicU64,
    list: Mutex<List>,
    /// The head's wait after which permits go to it directly, in [`now`]'s
    /// unit ([`STARVATION`]; tests fix it at zero or `NEVER` so that they
    /// do not depend on the clock).
    starvation: u64,
}

impl std::fmt::Debug for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.state.load(Ordering::Relaxed);
        f.debug_struct("Batch")
            .field("permits", &(s >> SHIFT))
            .field("closed", &(s & CLOSED != 0))
            .field("waiters", &(s & WAITERS != 0))
            .finish()
    }
}

/// What a poll of a waiting node found (not `std::task::Poll`: `Closed`
/// is an outcome of its own, and the callers map it onto theirs).
pub(crate) enum Polled {
    Ready,
    Closed,
    Pending,
}

impl Batch {
    pub(crate) fn new(permits: usize) -> Batch {
        assert!(
            permits <= MAX_PERMITS,
            "a semaphore holds at most MAX_PERMITS ({MAX_PERMITS}) permits, not {permits}"
        );
        Batch {
            state: AtomicUsize::new(permits << SHIFT),
            head_deadline: AtomicU64::new(NEVER),
            list: Mutex::new(List {
                head: ptr::null_mut(),
                tail: ptr::null_mut(),
            }),
            starvation: nanos(STARVATION),
        }
    }

    /// A batch whose head counts as starving after `starvation` (tests:
    /// zero for handoff mode at once, `Duration::MAX` for never).
    #[cfg(test)]
    pub(crate) fn with_starvation(permits: usize, starvation: Duration) -> Batch {
        Batch {
            starvation: nanos(starvation),
            ..Batch::new(permits)
        }
    }

    pub(crate) fn available(&self) -> usize {
        self.state.load(Ordering::Acquire) >> SHIFT
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.state.load(Ordering::Acquire) & CLOSED != 0
    }

    /// Take `n` permits if free, the semaphore is open, it is not in
    /// handoff mode and no starving head is owed them.
    #[inline]
    pub(crate) fn try_acquire(&self, n: usize) -> Result<(), TryAcquireError> {
        match self.take(n, true) {
            Ok(()) => Ok(()),
            Err(Miss::Closed) => Err(TryAcquireError::Closed),
            Err(Miss::NoPermits) => Err(TryAcquireError::NoPermits),
            Err(Miss::HeadStarving) => self.try_acquire_behind_head(n),
        }
    }

    /// The compare-exchange loop of every acquire. `newcomer`: the caller
    /// does not hold the list lock, so it checks the published head deadline
    /// before taking permits ahead of the queue; under the lock the callers
    /// have made the exact check themselves.
    #[inline]
    fn take(&self, n: usize, newcomer: bool) -> Result<(), Miss> {
        let mut s = self.state.load(Ordering::Relaxed);
        loop {
            if s & CLOSED != 0 {
                return Err(Miss::Closed);
            }
            if n == 0 {
                // Nothing to take and nobody to pass, in either mode.
                return Ok(());
            }
            if s & HANDOFF != 0 || (s >> SHIFT) < n {
                return Err(Miss::NoPermits);
            }
            if newcomer && s & WAITERS != 0 && self.head_deadline_passed() {
                return Err(Miss::HeadStarving);
            }
            match self.state.compare_exchange_weak(
                s,
                s - (n << SHIFT),
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Ok(()),
                Err(actual) => s = actual,
            }
        }
    }

    /// The lock-free hint: whether the published head deadline has passed.
    /// No clock read while no head can starve.
    #[inline]
    fn head_deadline_passed(&self) -> bool {
        let d = self.head_deadline.load(Ordering::Relaxed);
        d != NEVER && now() >= d
    }

    /// A newcomer found permits free but the head past its deadline: hand
    /// the permits to the head (if it still starves, checked under the lock)
    /// and retry there.
    #[cold]
    fn try_acquire_behind_head(&self, n: usize) -> Result<(), TryAcquireError> {
        let mut wake = Vec::new();
        let r = {
            let mut list = lock(&self.list);
            self.serve_starving_head(&mut list, &mut wake);
            self.take(n, false)
        };
        for w in wake {
            w.wake();
        }
        match r {
            Ok(()) => Ok(()),
            Err(Miss::Closed) => Err(TryAcquireError::Closed),
            Err(Miss::NoPermits | Miss::HeadStarving) => Err(TryAcquireError::NoPermits),
        }
    }

    /// Under the list lock: if the head has waited the bound and the
    /// semaphore is not yet in handoff mode, enter it, which hands the free
    /// permits to the queue in order.
    fn serve_starving_head(&self, list: &mut List, wake: &mut Vec<Wake>) {
        if self.state.load(Ordering::Acquire) & HANDOFF == 0 && self.head_starving(list) {
            self.distribute(list, 0, wake);
        }
    }

    /// The fast path, retried for a short while: a contended short critical
    /// section is usually released within a few hundred nanoseconds, much
    /// sooner than a park/unpark or a task wake-up round trip. Stops early
    /// when the semaphore closes or a starving waiter is owed the permits.
    #[cfg_attr(
        loom,
        allow(clippy::reversed_empty_ranges, reason = "no spin under loom")
    )]
    pub(crate) fn try_acquire_spin(&self, n: usize) -> Result<(), TryAcquireError> {
        let mut r = self.try_acquire(n);
        for _ in 0..SPIN_TRIES {
            match r {
                Err(TryAcquireError::NoPermits)
                    if self.state.load(Ordering::Relaxed) & HANDOFF == 0 =>
                {
                    for _ in 0..SPIN_PAUSES {
                        crate::loom::spin_hint();
                    }
                    r = self.try_acquire(n);
                }
                _ => break,
            }
        }
        r
    }

    /// Give back `n` permits that were taken from this batch.
    ///
    /// # Panics
    /// If the count would pass [`MAX_PERMITS`], which only `add_permits`
    /// past the bound while permits were held can bring about.
    #[inline]
    pub(crate) fn release(&self, n: usize) {
        if n == 0 {
            return;
        }
        // Merged permits can hold more than a semaphore (with `add_permits`
        // while permits were out): a shift past the count's bits would lose
        // them silently.
        assert!(
            n <= MAX_PERMITS,
            "semaphore permit count overflow: a permit of {n} permits is released"
        );
        // One RMW whatever happens; the returned flags say whether waiters
        // need the slow path. Permits added while waiters are queued are
        // handed on by `distribute`, which in handoff mode takes every free
        // permit from the counter (newcomers cannot take them meanwhile).
        let prev = self.state.fetch_add(n << SHIFT, Ordering::AcqRel);
        assert!(
            (prev >> SHIFT) + n <= MAX_PERMITS,
            "semaphore permit count overflow: more than MAX_PERMITS ({MAX_PERMITS}) permits"
        );
        if prev & WAITERS != 0 {
            self.release_slow();
        }
    }

    /// Add `n` new permits; waiters are served first.
    ///
    /// # Panics
    /// If the free permits would pass [`MAX_PERMITS`]; the count is left
    /// as it was.
    pub(crate) fn add(&self, n: usize) {
        if n == 0 {
            return;
        }
        let mut s = self.state.load(Ordering::Relaxed);
        loop {
            assert!(
                n <= MAX_PERMITS - (s >> SHIFT),
                "number of added permits ({n}) would overflow MAX_PERMITS ({MAX_PERMITS})"
            );
            match self.state.compare_exchange_weak(
                s,
                s + (n << SHIFT),
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(actual) => s = actual,
            }
        }
        if s & WAITERS != 0 {
            self.release_slow();
        }
    }

    /// Remove up to `n` free permits for good; returns how many.
    pub(crate) fn forget(&self, n: usize) -> usize {
        let mut s = self.state.load(Ordering::Relaxed);
        loop {
            let k = n.min(s >> SHIFT);
            if k == 0 {
                return 0;
            }
            match self.state.compare_exchange_weak(
                s,
                s - (k << SHIFT),
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => return k,
                Err(actual) => s = actual,
            }
        }
    }

    #[cold]
    fn release_slow(&self) {
        let mut wake = Vec::new();
        {
            let mut list = lock(&self.list);
            self.distribute(&mut list, 0, &mut wake);
        }
        for w in wake {
            w.wake();
        }
    }

    /// Under the list lock: hand `n` permits out. In handoff mode (or when
    /// the head has starved) they go to nodes in order; otherwise into the
    /// counter, and the head is woken to retry.
    fn distribute(&self, list: &mut List, mut n: usize, wake: &mut Vec<Wake>) {
        let s = self.state.load(Ordering::Acquire);
        let mut handoff = s & HANDOFF != 0;
        if !handoff && self.head_starving(list) {
            self.state.fetch_or(HANDOFF, Ordering::AcqRel);
            handoff = true;
        }
        if handoff {
            // Permits already free belong to the queue as well: in this mode
            // no newcomer may take them, so leaving them in the counter would
            // strand them (every holder may already have released).
            let prev = self.state.fetch_and(FLAGS, Ordering::AcqRel);
            n += prev >> SHIFT;
            while n > 0 && !list.head.is_null() {
                let node = list.head;
                let serve = |inner: &mut NodeInner| {
                    let give = n.min(inner.needed - inner.assigned);
                    inner.assigned += give;
                    n -= give;
                    if inner.assigned < inner.needed {
                        return false;
                    }
                    // SAFETY: `inner` is the head's, queued in `list`; lock
                    // held.
                    unsafe { unlink(list, inner) };
                    inner.state = NodeState::Granted;
                    if let Some(w) = inner.waker.take() {
                        wake.push(w);
                    }
                    true
                };
                // SAFETY: the head is a queued node and the list lock is
                // held; `serve` reaches no other field of it (`unlink`
                // writes its neighbours only).
                if !unsafe { Node::with(node, serve) } {
                    break;
                }
            }
        }
        if handoff && !self.head_starving(list) {
            // The starving waiters are served: back to barging, so that
            // waiters that keep re-queueing (two tasks ping-ponging a lock)
            // do not keep the semaphore in a lock convoy.
            self.state.fetch_and(!HANDOFF, Ordering::AcqRel);
            handoff = false;
        }
        if n > 0 {
            let prev = self.state.fetch_add(n << SHIFT, Ordering::AcqRel);
            assert!(
                (prev >> SHIFT) + n <= MAX_PERMITS,
                "semaphore permit count overflow: more than MAX_PERMITS ({MAX_PERMITS}) permits"
            );
        }
        if !handoff {
            self.wake_heads(list, wake);
        }
        self.sync_flags(list);
    }

    /// Whether the head waiter has passed its deadline (lock held: exact,
    /// read from the node itself rather than from the published copy).
    fn head_starving(&self, list: &List) -> bool {
        if list.head.is_null() {
            return false;
        }
        // SAFETY: `head` is a queued node; the caller holds the list lock
        // and no access of it is open.
        let deadline = unsafe { Node::read(list.head, |head| head.deadline) };
        deadline != NEVER && now() >= deadline
    }

    /// Barging mode: wake queued nodes, in order, as long as the free
    /// permits could satisfy them.
    fn wake_heads(&self, list: &mut List, wake: &mut Vec<Wake>) {
        let mut free = self.state.load(Ordering::Acquire) >> SHIFT;
        let mut node = list.head;
        while !node.is_null() {
            let visit = |inner: &mut NodeInner| {
                let want = inner.needed - inner.assigned;
                if want > free {
                    return None;
                }
                free -= want;
                if let Some(w) = inner.waker.take() {
                    wake.push(w);
                }
                Some(inner.next)
            };
            // SAFETY: queued node, list lock held; `visit` reaches no node.
            match unsafe { Node::with(node, visit) } {
                Some(next) => node = next,
                None => break,
            }
        }
    }

    /// Keep `WAITERS`, `HANDOFF` and the published head deadline in line
    /// with the list (lock held, no reference into the head held).
    fn sync_flags(&self, list: &List) {
        if list.head.is_null() {
            self.head_deadline.store(NEVER, Ordering::Relaxed);
            self.state.fetch_and(!(WAITERS | HANDOFF), Ordering::AcqRel);
        } else {
            // SAFETY: `head` is a queued node; lock held, no access of it
            // open.
            let deadline = unsafe { Node::read(list.head, |head| head.deadline) };
            self.head_deadline.store(deadline, Ordering::Relaxed);
            self.state.fetch_or(WAITERS, Ordering::AcqRel);
        }
    }

    /// Fail every waiter and every future acquire with `Closed`.
    pub(crate) fn close(&self) {
        let mut wake = Vec::new();
        {
            let mut list = lock(&self.list);
            self.state.fetch_or(CLOSED, Ordering::AcqRel);
            let mut returned = 0;
            while !list.head.is_null() {
                let node = list.head;
                let fail = |inner: &mut NodeInner| {
                    // SAFETY: `inner` is the head's, queued in `list`; lock
                    // held.
                    unsafe { unlink(&mut list, inner) };
                    inner.state = NodeState::Closed;
                    returned += std::mem::take(&mut inner.assigned);
                    if let Some(w) = inner.waker.take() {
                        wake.push(w);
                    }
                };
                // SAFETY: the head is a queued node, list lock held; `fail`
                // reaches no other field of it (`unlink` writes its
                // neighbours only).
                unsafe { Node::with(node, fail) };
            }
            if returned > 0 {
                self.state.fetch_add(returned << SHIFT, Ordering::AcqRel);
            }
            self.sync_flags(&list);
        }
        for w in wake {
            w.wake();
        }
    }

    /// Poll a node for its permits, queueing it on first need. `wake` is
    /// stored if the node must wait; the waker it replaces (or `wake`
    /// itself, if not needed) is dropped after the lock is released.
    ///
    /// # Safety
    /// `node` must stay at the same address until it is no longer queued:
    /// its owner calls [`Batch::cancel`] (or sees `Ready`/`Closed`) before
    /// moving or dropping it.
    pub(crate) unsafe fn poll(&self, node: *mut Node, wake: Wake) -> Polled {
        // Declared before the guard: dropped after it (outside the lock).
        let mut spare = Some(wake);
        let old;
        let mut woken = Vec::new();
        let out = {
            let mut list = lock(&self.list);
            let look = |inner: &mut NodeInner| match inner.state {
                NodeState::Granted => {
                    inner.state = NodeState::Idle;
                    Err(Polled::Ready)
                }
                NodeState::Closed => {
                    inner.state = NodeState::Idle;
                    Err(Polled::Closed)
                }
                // Out of the node while we poll, so that a handoff entered
                // below does not wake this very poll; replaced if we wait.
                NodeState::Idle | NodeState::Queued => Ok(inner.waker.take()),
            };
            // SAFETY: the node is ours (we are its owner) and other threads
            // only touch it under the lock we hold; this access ends before
            // `serve_starving_head` may reach the node through the list.
            match unsafe { Node::with(node, look) } {
                Ok(w) => old = w,
                Err(seen) => return seen,
            }
            // Announce a waiter *before* the last check: a lock-free release
            // either landed before this RMW (its permits are seen below) or
            // now finds WAITERS and takes the slow path, which needs our lock
            // and will wake us.
            self.state.fetch_or(WAITERS, Ordering::AcqRel);
            if list.head != node {
                // The re-check: permits may be free (a release between its
                // `fetch_add` and its slow path) with HANDOFF still clear,
                // yet owed to a head that has waited the bound.
                self.serve_starving_head(&mut list, &mut woken);
            }
            let settle = |inner: &mut NodeInner| {
                if inner.state == NodeState::Granted {
                    // The handoff just entered served this node too (it had
                    // been queued behind the head and enough permits were
                    // free).
                    inner.state = NodeState::Idle;
                    return Polled::Ready;
                }
                let want = inner.needed - inner.assigned;
                match self.take(want, false) {
                    Ok(()) => {
                        inner.assigned = 0;
                        if inner.state == NodeState::Queued {
                            // SAFETY: `inner` is `node`'s, queued in `list`;
                            // lock held.
                            unsafe { unlink(&mut list, inner) };
                            inner.state = NodeState::Idle;
                            // Permits left over may serve the next waiters
                            // (`node` has left the list: not among them).
                            self.wake_heads(&mut list, &mut woken);
                        }
                        self.sync_flags(&list);
                        Polled::Ready
                    }
                    Err(Miss::Closed) => {
                        if inner.state == NodeState::Queued {
                            // SAFETY: `inner` is `node`'s, queued in `list`;
                            // lock held.
                            unsafe { unlink(&mut list, inner) };
                        }
                        let back = std::mem::take(&mut inner.assigned);
                        if back > 0 {
                            self.state.fetch_add(back << SHIFT, Ordering::AcqRel);
                        }
                        inner.state = NodeState::Idle;
                        self.sync_flags(&list);
                        Polled::Closed
                    }
                    Err(Miss::NoPermits | Miss::HeadStarving) => {
                        if inner.state == NodeState::Idle {
                            inner.deadline = now().saturating_add(self.starvation);
                            // SAFETY: `inner` is `node`'s, in no list; the
                            // caller keeps the node in place while queued;
                            // lock held.
                            unsafe { push_back(&mut list, node, inner) };
                            inner.state = NodeState::Queued;
                            if list.head == node {
                                // A new head: publish its deadline.
                                self.head_deadline.store(inner.deadline, Ordering::Relaxed);
                            }
                        }
                        inner.waker = spare.take();
                        Polled::Pending
                    }
                }
            };
            // SAFETY: as above; `serve_starving_head`'s accesses have ended.
            // `settle` reaches other nodes only: neighbours in `unlink` and
            // `push_back`, and the list in `wake_heads` and `sync_flags`
            // once `node` has left it (they run only after its `unlink`, or
            // when it was never queued).
            unsafe { Node::with(node, settle) }
        };
        drop((spare, old));
        for w in woken {
            w.wake();
        }
        out
    }

    /// The owner gives up on a node: unlink it if queued, return permits
    /// assigned to it (or all of them if it was granted but not yet seen),
    /// and wake the next waiters if that frees enough.
    ///
    /// # Safety
    /// Called by the node's owner, before the node moves or is dropped.
    pub(crate) unsafe fn cancel(&self, node: *mut Node) {
        let mut wake = Vec::new();
        let old;
        {
            let mut list = lock(&self.list);
            let leave = |inner: &mut NodeInner| {
                let give_back = match inner.state {
                    NodeState::Queued => {
                        // SAFETY: `inner` is `node`'s, queued in `list`;
                        // lock held.
                        unsafe { unlink(&mut list, inner) };
                        std::mem::take(&mut inner.assigned)
                    }
                    NodeState::Granted => std::mem::replace(&mut inner.assigned, 0),
                    NodeState::Idle | NodeState::Closed => 0,
                };
                inner.state = NodeState::Idle;
                (give_back, inner.waker.take())
            };
            // SAFETY: our node; other threads touch it only under this lock;
            // `leave` reaches no other field of it (`unlink` writes its
            // neighbours only).
            let (give_back, waker) = unsafe { Node::with(node, leave) };
            old = waker;
            // Even with nothing to give back the head may have left: the
            // next one may now fit, may be starving (handoff mode begins),
            // or may not be (a handoff for the one that left ends).
            self.distribute(&mut list, give_back, &mut wake);
        }
        drop(old);
        for w in wake {
            w.wake();
        }
    }

    /// Block the calling thread until `n` permits are taken.
    pub(crate) fn acquire_blocking(&self, n: usize) -> Result<(), TryAcquireError> {
        match self.try_acquire_spin(n) {
            Ok(()) => return Ok(()),
            Err(TryAcquireError::Closed) => return Err(TryAcquireError::Closed),
            Err(TryAcquireError::NoPermits) => {}
        }
        let mut node = Node::new(n);
        let node: *mut Node = &mut node;
        loop {
            // SAFETY: `node` lives on this frame until the loop returns, and
            // every return path leaves it unqueued (Ready/Closed unlink it).
            match unsafe { self.poll(node, Wake::Thread(thread::current())) } {
                Polled::Ready => return Ok(()),
                Polled::Closed => return Err(TryAcquireError::Closed),
                Polled::Pending => thread::park(),
            }
        }
    }
}

/// # Safety
/// `node` is valid and not in any list, `inner` is its `NodeInner` (the
/// caller's only reference to it, from an open [`Node::with`]: taking a
/// second `&mut` here would invalidate the caller's under Stacked Borrows,
/// and loom fails a nested access), and the list's lock is held.
/// Neighbours are written through raw places, without references.
unsafe fn push_back(list: &mut List, node: *mut Node, inner: &mut NodeInner) {
    inner.prev = list.tail;
    inner.next = ptr::null_mut();
    if list.tail.is_null() {
        list.head = node;
    } else {
        // SAFETY: `tail` is a queued node other than `node` (so no access
        // of it is open); lock held.
        unsafe { (*list.tail).inner.with_mut(|tail| (*tail).next = node) };
    }
    list.tail = node;
}

/// # Safety
/// `inner` belongs to a node in `list` (the caller's only reference to it,
/// see [`push_back`]),
/// and the list's lock is held.
unsafe fn unlink(list: &mut List, inner: &mut NodeInner) {
    if inner.prev.is_null() {
        list.head = inner.next;
    } else {
        // SAFETY: neighbours of a queued node are other queued nodes, with
        // no access open; lock held.
        unsafe {
            (*inner.prev)
                .inner
                .with_mut(|prev| (*prev).next = inner.next)
        };
    }
    if inner.next.is_null() {
        list.tail = inner.prev;
    } else {
        // SAFETY: as above.
        unsafe {
            (*inner.next)
                .inner
                .with_mut(|next| (*next).prev = inner.prev)
        };
    }
    inner.prev = ptr::null_mut();
    inner.next = ptr::null_mut();
}
