//! Live counters of a pool, with subscriptions and effects.
//!
//! # Design
//! A [`Signal`] is an atomic `usize` plus a list of watchers. Changing it
//! costs one atomic RMW and one relaxed load of a `listening` flag (for
//! `completed`, which every call changes, a plain load and store on the
//! calling thread's own stripe instead; see "Stripes" below); only
//! when someone watches does the change go further: the signal marks itself
//! dirty and, if it was clean, queues itself on the process-wide notifier
//! thread (`para-signals`). That thread reads the latest value, calls the
//! subscribers with it and re-runs the effects that read the signal. All
//! callbacks run there, one at a time: never on a pool worker, never
//! overlapping; bursts of changes coalesce into one notification.
//!
//! # Memory ordering (why the final value is never missed)
//! A writer does `value.fetch_*` then `dirty.swap(true)`; the notifier does
//! `dirty.swap(false)` then `value.load`, all `SeqCst`. If the notifier's
//! swap reads the writer's `true`, it synchronises with the writer and its
//! load sees the new value. Otherwise the writer's swap comes later, reads
//! `false`, and queues the signal again. Either way a notification carrying
//! the latest value follows every change.
//!
//! # Stripes
//! `completed` is striped where [`barrier`](crate::barrier) works: each
//! thread adds to its own cache line with a plain store, then a compiler
//! fence, then the `listening` load. The value is the shared part plus all
//! stripes, so reads cost a pass over 64 lines and writes cost no locked
//! instruction. The store-to-load order that the RMW gave for free is
//! supplied by the heavy barrier on the rare side: an effect that starts
//! watching a striped signal runs it before re-reading the value. The
//! notifier clears `dirty` with a swap (an RMW), which joins the release
//! sequence of the writers' swaps and so sees every stripe store that came
//! before the last one. Each stripe has one writer (its thread, see
//! `stripe_index`), so its load-then-store loses nothing.
//!
//! Effects track what they read: while an effect runs, [`Signal::get`]
//! records `(signal, value)` in a thread-local list. After the run the effect
//! watches exactly those signals; if one of them already moved past the
//! value the run saw, the effect is queued again.

use crate::loom::{lock, AtomicBool, AtomicUsize, Mutex, Ordering};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, OnceLock, Weak};

type SubscriberFn = dyn Fn(usize) + Send + Sync;

enum Watcher {
    Subscriber(Arc<SubscriberFn>, usize),
    Effect(Weak<EffectInner>),
}

struct Cell {
    value: AtomicUsize,
    /// Per-thread parts of the value (`completed` only, where the
    /// asymmetric barrier works): the value is `value` plus their sum.
    stripes: Option<Box<[Stripe; STRIPES]>>,
    listening: AtomicBool,
    dirty: AtomicBool,
    watchers: Mutex<Vec<Watcher>>,
}

/// Stripes of a striped signal: enough for the threads that touch one pool
/// at once on big machines; a thread beyond them adds to the shared value.
const STRIPES: usize = 64;

/// One cache line per stripe, so owners never share a line.
#[repr(align(64))]
struct Stripe(AtomicUsize);

impl Cell {
    /// After a change: whether the caller must queue a notification (some
    /// watcher listens and none is pending).
    #[inline(always)]
    fn mark_dirty(&self) -> bool {
        self.listening.load(Ordering::Relaxed) && !self.dirty.swap(true, Ordering::SeqCst)
    }

    /// Add `n` on stripe `i`, which the calling thread owns; returns
    /// [`Cell::mark_dirty`].
    #[inline(always)]
    fn add_on(&self, stripes: &[Stripe; STRIPES], i: usize, n: usize) -> bool {
        let s = &stripes[i].0;
        s.store(s.load(Ordering::Relaxed).wrapping_add(n), Ordering::Release);
        // Pairs with the heavy barrier of an effect that starts listening
        // and then re-reads the value (see `run_effect`).
        crate::barrier::light();
        self.mark_dirty()
    }

    /// The notifier's side: clear `dirty` and read the value to deliver.
    fn take_dirty(&self) -> usize {
        // A swap, not a store: it reads the last writer's `true` and so
        // synchronises with every writer whose swap came before it (they
        // form one release sequence), stripe stores included.
        self.dirty.swap(false, Ordering::SeqCst);
        self.current()
    }

    /// The value: the shared part plus every stripe.
    fn current(&self) -> usize {
        self.value
            .load(Ordering::SeqCst)
            .wrapping_add(self.stripe_sum())
    }

    fn stripe_sum(&self) -> usize {
        self.stripes.as_deref().map_or(0, |st| {
            st.iter()
                .fold(0usize, |a, s| a.wrapping_add(s.0.load(Ordering::Acquire)))
        })
    }
}

/// This thread's stripe, if it has one: indices are handed out per thread
/// (the same in every striped signal) and handed back when it exits, so
/// each stripe has one writer at a time. The hand-back and the next claim
/// go through a mutex, which orders the old owner's last store before the
/// new owner's first load.
#[cfg(not(loom))]
#[inline(always)]
fn stripe_index() -> Option<usize> {
    let i = stripes::MINE.get();
    if i < STRIPES {
        Some(i)
    } else if i == stripes::UNCLAIMED {
        stripes::claim()
    } else {
        None
    }
}

#[cfg(not(loom))]
mod stripes {
    use super::STRIPES;
    use crate::loom::{lock, Mutex};
    use std::sync::atomic::{AtomicUsize, Ordering};

    pub(super) const UNCLAIMED: usize = usize::MAX;
    /// No stripe for this thread (all taken, or the thread is exiting).
    const NONE: usize = usize::MAX - 1;

    static NEXT: AtomicUsize = AtomicUsize::new(0);
    static FREE: Mutex<Vec<usize>> = Mutex::new(Vec::new());

    std::thread_local! {
        /// This thread's stripe: a const-initialised key without a
        /// destructor, so reading it is one thread-relative load.
        pub(super) static MINE: std::cell::Cell<usize> = const { std::cell::Cell::new(UNCLAIMED) };
        /// Hands the stripe back when the thread exits.
        static GUARD: Claim = const { Claim };
    }

    struct Claim;

    impl Drop for Claim {
        fn drop(&mut self) {
            // Later changes on this thread (other thread-local destructors)
            // go to the shared value; only then may another thread own it.
            let i = MINE.replace(NONE);
            if i < STRIPES {
                lock(&FREE).push(i);
            }
        }
    }

    #[cold]
    pub(super) fn claim() -> Option<usize> {
        // Touch the guard first: if its destructor can no longer be
        // registered (the thread is exiting), take no stripe.
        if GUARD.try_with(|_| ()).is_err() {
            MINE.set(NONE);
            return None;
        }
        let i = lock(&FREE)
            .pop()
            .unwrap_or_else(|| NEXT.fetch_add(1, Ordering::Relaxed));
        if i < STRIPES {
            MINE.set(i);
            Some(i)
        } else {
            MINE.set(NONE);
            None
        }
    }
}

/// Under loom, threads use the shared value; the stripe protocol has its
/// own models, with explicit stripe indices.
#[cfg(loom)]
fn stripe_index() -> Option<usize> {
    None
}

/// One live counter: read it, or watch it with [`Signal::subscribe`] or an
/// [`effect`].
#[derive(Clone)]
pub struct Signal {
    cell: Arc<Cell>,
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signal({})", self.cell.current())
    }
}

impl Default for Signal {
    fn default() -> Self {
        Signal::new()
    }
}

static NEXT_SUB: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);

impl Signal {
    pub(crate) fn new() -> Signal {
        Signal::with_stripes(None)
    }

    /// A signal that only grows (through [`Signal::add`]) and is changed
    /// from many threads: each thread adds to its own cache line with a
    /// plain store instead of a locked read-modify-write on a shared one.
    pub(crate) fn striped() -> Signal {
        let stripes = crate::barrier::available().then(|| {
            let all: Box<[Stripe]> = (0..STRIPES).map(|_| Stripe(AtomicUsize::new(0))).collect();
            all.try_into()
                .unwrap_or_else(|_| unreachable!("STRIPES stripes"))
        });
        Signal::with_stripes(stripes)
    }

    fn with_stripes(stripes: Option<Box<[Stripe; STRIPES]>>) -> Signal {
        Signal {
            cell: Arc::new(Cell {
                value: AtomicUsize::new(0),
                stripes,
                listening: AtomicBool::new(false),
                dirty: AtomicBool::new(false),
                watchers: Mutex::new(Vec::new()),
            }),
        }
    }

    /// The current value. Inside an [`effect`], also makes the effect
    /// watch this signal.
    pub fn get(&self) -> usize {
        let v = self.cell.current();
        TRACKING.with(|t| {
            if let Some(deps) = t.borrow_mut().as_mut() {
                deps.push((self.clone(), v));
            }
        });
        v
    }

    /// Call `f` with the new value after changes of this signal, on the
    /// notifier thread (never on a pool worker). Rapid changes may be
    /// coalesced into one call; the last call always carries the final
    /// value. `f` is not called for the value at the time of subscribing.
    /// A panic in `f` is caught and reported on stderr by the panic hook;
    /// later changes still call it. Drop the returned handle to
    /// unsubscribe.
    pub fn subscribe<F>(&self, f: F) -> Subscription
    where
        F: Fn(usize) + Send + Sync + 'static,
    {
        let id = NEXT_SUB.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        lock(&self.cell.watchers).push(Watcher::Subscriber(Arc::new(f), id));
        self.cell.listening.store(true, Ordering::SeqCst);
        Subscription {
            cell: Arc::downgrade(&self.cell),
            id,
        }
    }

    /// Add `n`. On a striped signal with a stripe for this thread, this
    /// is a load, a store and a flag check.
    #[inline]
    pub(crate) fn add(&self, n: usize) {
        if n == 0 {
            return;
        }
        if let Some(stripes) = &self.cell.stripes {
            if let Some(i) = stripe_index() {
                if self.cell.add_on(stripes, i, n) {
                    self.queue();
                }
                return;
            }
        }
        self.add_shared(n);
    }

    #[inline(never)]
    fn add_shared(&self, n: usize) {
        self.cell.value.fetch_add(n, Ordering::SeqCst);
        self.changed();
    }

    #[cold]
    #[inline(never)]
    fn queue(&self) {
        notifier().push(Item::Signal(Arc::clone(&self.cell)));
    }

    /// Subtract, saturating at 0 (a signal is never negative).
    pub(crate) fn sub(&self, n: usize) {
        debug_assert!(self.cell.stripes.is_none(), "striped signals only grow");
        if n == 0 {
            return;
        }
        let _ = self
            .cell
            .value
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| {
                Some(v.saturating_sub(n))
            });
        self.changed();
    }

    /// Set the value (exact when no thread changes it meanwhile).
    pub(crate) fn set(&self, v: usize) {
        let parts = self.cell.stripe_sum();
        let old = self
            .cell
            .value
            .swap(v.wrapping_sub(parts), Ordering::SeqCst);
        if old.wrapping_add(parts) != v {
            self.changed();
        }
    }

    #[inline]
    fn changed(&self) {
        if self.cell.mark_dirty() {
            self.queue();
        }
    }

    fn is_striped(&self) -> bool {
        self.cell.stripes.is_some()
    }

    fn ptr_eq(&self, other: &Signal) -> bool {
        Arc::ptr_eq(&self.cell, &other.cell)
    }
}

/// Keeps a [`Signal::subscribe`] callback alive; drop it to unsubscribe.
#[must_use = "dropping the subscription unsubscribes at once"]
pub struct Subscription {
    cell: Weak<Cell>,
    id: usize,
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .finish()
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(cell) = self.cell.upgrade() {
            let removed = {
                let mut w = lock(&cell.watchers);
                let pos = w
                    .iter()
                    .position(|x| matches!(x, Watcher::Subscriber(_, id) if *id == self.id));
                let removed = pos.map(|p| w.swap_remove(p));
                if w.is_empty() {
                    cell.listening.store(false, Ordering::SeqCst);
                }
                removed
            };
            // The callback (and what it owns) is dropped outside the lock.
            drop(removed);
        }
    }
}

/// The four live counters of a pool. Cloning is cheap: clones share the
/// same counters.
///
/// - `workers_count`: workers whose start-up finished; 0 after dispose.
/// - `queued`: run-requests waiting for an idle worker.
/// - `inflight`: run-requests running on workers.
/// - `completed`: items finished since the pool started (or was last
///   disposed), those run on the calling thread included: what a progress
///   bar reads.
///
/// `queued` and `inflight` are exact whenever the pool is quiet and never
/// negative; every signal reads 0 after dispose.
#[derive(Clone)]
pub struct Signals {
    /// Workers running.
    pub workers_count: Signal,
    /// Requests waiting for a worker.
    pub queued: Signal,
    /// Requests running on workers.
    pub inflight: Signal,
    /// Items finished.
    pub completed: Signal,
}

impl fmt::Debug for Signals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signals")
            .field("workers_count", &self.workers_count.cell.current())
            .field("queued", &self.queued.cell.current())
            .field("inflight", &self.inflight.cell.current())
            .field("completed", &self.completed.cell.current())
            .finish()
    }
}

impl Signals {
    pub(crate) fn new() -> Signals {
        Signals {
            workers_count: Signal::new(),
            queued: Signal::new(),
            inflight: Signal::new(),
            completed: Signal::striped(),
        }
    }
}

// ---------------------------------------------------------------- effects

std::thread_local! {
    static TRACKING: RefCell<Option<Vec<(Signal, usize)>>> = const { RefCell::new(None) };
    static ON_NOTIFIER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

struct EffectInner {
    f: Mutex<Box<dyn FnMut() + Send>>,
    deps: Mutex<Vec<Signal>>,
    queued: AtomicBool,
    alive: AtomicBool,
}

/// Keeps an [`effect`] running; drop it to stop the effect.
#[must_use = "dropping the effect stops it at once"]
pub struct Effect {
    inner: Arc<EffectInner>,
}

impl fmt::Debug for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Effect")
            .field("watching", &lock(&self.inner.deps).len())
            .finish()
    }
}

impl Drop for Effect {
    fn drop(&mut self) {
        self.inner.alive.store(false, Ordering::SeqCst);
        let deps = std::mem::take(&mut *lock(&self.inner.deps));
        for s in &deps {
            unwatch(s, &self.inner);
        }
    }
}

/// Run `f` once, then again whenever a [`Signal`] that `f` read on its last
/// run changes.
///
/// Runs happen on para's notifier thread: never on a pool worker, never two
/// at once. The first run has finished when `effect` returns (unless
/// `effect` is called from inside another effect or subscriber, where it is
/// queued instead). Bursts of changes may be coalesced, but after the last
/// change `f` runs with the final values. A panic in `f` is caught (the
/// panic hook reports it); the effect keeps the signals of its last
/// successful run and keeps working. Drop the returned handle to stop it.
///
/// ```
/// use std::sync::{Arc, atomic::{AtomicUsize, Ordering}};
/// let pool = para_runtime::Pool::builder().concurrency(1).build()?;
/// let s = pool.signals();
/// let seen = Arc::new(AtomicUsize::new(usize::MAX));
/// let seen2 = Arc::clone(&seen);
/// let fx = para_runtime::effect(move || seen2.store(s.workers_count.get(), Ordering::SeqCst));
/// assert_eq!(seen.load(Ordering::SeqCst), 1);
/// drop(fx);
/// # Ok::<(), para_runtime::BuildError>(())
/// ```
pub fn effect<F>(f: F) -> Effect
where
    F: FnMut() + Send + 'static,
{
    let inner = Arc::new(EffectInner {
        f: Mutex::new(Box::new(f)),
        deps: Mutex::new(Vec::new()),
        queued: AtomicBool::new(true),
        alive: AtomicBool::new(true),
    });
    if ON_NOTIFIER.with(std::cell::Cell::get) {
        notifier().push(Item::Effect(Arc::clone(&inner)));
    } else {
        let done = Arc::new((std::sync::Mutex::new(false), Condvar::new()));
        notifier().push(Item::First(Arc::clone(&inner), Arc::clone(&done)));
        let (m, cv) = &*done;
        let mut g = m.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        while !*g {
            g = cv
                .wait(g)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }
    Effect { inner }
}

fn unwatch(s: &Signal, e: &Arc<EffectInner>) {
    let mut w = lock(&s.cell.watchers);
    w.retain(|x| !matches!(x, Watcher::Effect(we) if std::ptr::eq(we.as_ptr(), Arc::as_ptr(e))));
    if w.is_empty() {
        s.cell.listening.store(false, Ordering::SeqCst);
    }
}

fn run_effect(e: &Arc<EffectInner>) {
    e.queued.store(false, Ordering::SeqCst);
    if !e.alive.load(Ordering::SeqCst) {
        return;
    }
    TRACKING.with(|t| *t.borrow_mut() = Some(Vec::new()));
    let ok = {
        let mut f = lock(&e.f);
        match catch_unwind(AssertUnwindSafe(&mut **f)) {
            Ok(()) => true,
            Err(p) => {
                // The payload is the effect's: its `Drop` may panic too.
                crate::unwind::drop_payload(p);
                false
            }
        }
    };
    let read = TRACKING.with(|t| t.borrow_mut().take()).unwrap_or_default();
    if !ok || !e.alive.load(Ordering::SeqCst) {
        return;
    }
    // Watch exactly what this run read.
    let mut new: Vec<Signal> = Vec::new();
    for (s, _) in &read {
        if !new.iter().any(|n| n.ptr_eq(s)) {
            new.push(s.clone());
        }
    }
    let old = std::mem::replace(&mut *lock(&e.deps), new.clone());
    for s in &old {
        if !new.iter().any(|n| n.ptr_eq(s)) {
            unwatch(s, e);
        }
    }
    let mut newly_striped = false;
    for s in &new {
        if !old.iter().any(|o| o.ptr_eq(s)) {
            lock(&s.cell.watchers).push(Watcher::Effect(Arc::downgrade(e)));
            s.cell.listening.store(true, Ordering::SeqCst);
            newly_striped |= s.is_striped();
        }
    }
    if newly_striped {
        // A striped writer orders its store before its read of `listening`
        // only against this barrier: after it, either the writer saw
        // `listening` (and queues a notification) or the re-check below
        // sees its store.
        crate::barrier::heavy();
    }
    // A change between the read and the watch would be missed: re-check.
    let stale = read.iter().any(|(s, v)| s.cell.current() != *v);
    if stale && !e.queued.swap(true, Ordering::SeqCst) {
        notifier().push(Item::Effect(Arc::clone(e)));
    }
}

// --------------------------------------------------------------- notifier

enum Item {
    Signal(Arc<Cell>),
    Effect(Arc<EffectInner>),
    First(Arc<EffectInner>, Arc<(std::sync::Mutex<bool>, Condvar)>),
}

struct Notifier {
    queue: std::sync::Mutex<VecDeque<Item>>,
    cv: Condvar,
}

fn notifier() -> &'static Notifier {
    static N: OnceLock<&'static Notifier> = OnceLock::new();
    N.get_or_init(|| {
        let n: &'static Notifier = Box::leak(Box::new(Notifier {
            queue: std::sync::Mutex::new(VecDeque::new()),
            cv: Condvar::new(),
        }));
        std::thread::Builder::new()
            .name("para-signals".into())
            .spawn(move || n.run())
            .expect("para: could not start the signal notifier thread");
        n
    })
}

impl Notifier {
    fn push(&self, item: Item) {
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push_back(item);
        self.cv.notify_one();
    }

    fn run(&self) {
        ON_NOTIFIER.with(|c| c.set(true));
        loop {
            let item = {
                let mut q = self
                    .queue
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                loop {
                    if let Some(i) = q.pop_front() {
                        break i;
                    }
                    q = self
                        .cv
                        .wait(q)
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                }
            };
            // User code runs contained inside (`run_effect`, `deliver`);
            // this catch keeps the notifier alive should a drop of the
            // user's values slip through, and drops the item itself
            // (possibly the last reference to a closure) contained.
            let ran = catch_unwind(AssertUnwindSafe(|| match item {
                Item::Signal(cell) => self.deliver(&cell),
                Item::Effect(e) => {
                    run_effect(&e);
                    crate::unwind::drop_caught(e);
                }
                Item::First(e, done) => {
                    run_effect(&e);
                    let (m, cv) = &*done;
                    *m.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = true;
                    cv.notify_all();
                    crate::unwind::drop_caught(e);
                }
            }));
            if let Err(p) = ran {
                crate::unwind::drop_payload(p);
            }
        }
    }

    fn deliver(&self, cell: &Arc<Cell>) {
        let v = cell.take_dirty();
        let (subs, effects): (Vec<Arc<SubscriberFn>>, Vec<Arc<EffectInner>>) = {
            let w = lock(&cell.watchers);
            let subs = w
                .iter()
                .filter_map(|x| match x {
                    Watcher::Subscriber(f, _) => Some(Arc::clone(f)),
                    Watcher::Effect(_) => None,
                })
                .collect();
            let effects = w
                .iter()
                .filter_map(|x| match x {
                    Watcher::Effect(e) => e.upgrade(),
                    Watcher::Subscriber(..) => None,
                })
                .collect();
            (subs, effects)
        };
        for f in subs {
            if let Err(p) = catch_unwind(AssertUnwindSafe(|| f(v))) {
                crate::unwind::drop_payload(p);
            }
            // Unsubscribed meanwhile, this is the last reference: the
            // closure's captures are the user's, and so is their `Drop`.
            crate::unwind::drop_caught(f);
        }
        for e in effects {
            if !e.queued.swap(true, Ordering::SeqCst) {
                run_effect(&e);
            }
            crate::unwind::drop_caught(e);
        }
    }
}

#[cfg(all(test, loom))]
mod loom_models {
    //! The stripe protocol under loom (run with the other models, see
    //! `loom_tests.rs`), at the level of [`Cell`]: the notifier thread and
    //! thread-local stripe claims are left out, stripes are given by index.
    use super::*;
    use crate::loom::thread;

    fn striped_cell() -> Arc<Cell> {
        Arc::clone(&Signal::striped().cell)
    }

    /// An effect starts watching while a thread adds: either the writer
    /// sees `listening` (and queues a notification) or the effect's
    /// re-check after the heavy barrier sees the new value.
    #[test]
    fn loom_striped_add_racing_a_new_watcher_is_never_missed() {
        loom::model(|| {
            let cell = striped_cell();
            let w = {
                let cell = Arc::clone(&cell);
                thread::spawn(move || {
                    let st = cell.stripes.as_deref().expect("striped");
                    cell.add_on(st, 0, 1)
                })
            };
            cell.listening.store(true, Ordering::SeqCst);
            crate::barrier::heavy();
            let seen = cell.current();
            let queued = w.join().unwrap();
            assert!(
                queued || seen == 1,
                "change missed: queued={queued} seen={seen}"
            );
        });
    }

    /// Two writers on their own stripes, a delivery racing them: unless a
    /// notification is still pending at the end, the delivery read the
    /// final value.
    #[test]
    fn loom_delivery_after_the_last_striped_change_sees_the_final_value() {
        loom::model(|| {
            let cell = striped_cell();
            cell.listening.store(true, Ordering::SeqCst);
            let writers: Vec<_> = [(0, 1), (1, 2)]
                .into_iter()
                .map(|(i, n)| {
                    let cell = Arc::clone(&cell);
                    thread::spawn(move || {
                        let st = cell.stripes.as_deref().expect("striped");
                        cell.add_on(st, i, n)
                    })
                })
                .collect();
            let delivered = cell.take_dirty();
            for w in writers {
                w.join().unwrap();
            }
            let pending = cell.dirty.load(Ordering::SeqCst);
            assert!(
                pending || delivered == 3,
                "final value lost: delivered {delivered}"
            );
            assert_eq!(cell.current(), 3);
        });
    }

    /// `set` (the reset on dispose) against a quiet signal is exact, and
    /// stripes keep counting from there.
    #[test]
    fn loom_striped_set_then_add_is_exact() {
        loom::model(|| {
            let s = Signal::striped();
            let st = s.cell.stripes.as_deref().expect("striped");
            let _ = s.cell.add_on(st, 3, 5);
            s.set(0);
            assert_eq!(s.cell.current(), 0);
            let t = {
                let cell = Arc::clone(&s.cell);
                thread::spawn(move || {
                    let st = cell.stripes.as_deref().expect("striped");
                    let _ = cell.add_on(st, 1, 2);
                })
            };
            let _ = s.cell.add_on(st, 3, 1);
            t.join().unwrap();
            assert_eq!(s.cell.current(), 3);
        });
    }
}
