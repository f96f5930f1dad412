//! Live counters of a pool, with subscriptions and effects.
//!
//! # Design
//! A [`Signal`] is an atomic `usize` plus a list of watchers. Changing it
//! costs one atomic RMW and one relaxed load of a `listening` flag; only
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
    listening: AtomicBool,
    dirty: AtomicBool,
    watchers: Mutex<Vec<Watcher>>,
}

/// One live counter: read it, or watch it with [`Signal::subscribe`] or an
/// [`effect`].
#[derive(Clone)]
pub struct Signal {
    cell: Arc<Cell>,
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signal({})", self.cell.value.load(Ordering::Relaxed))
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
        Signal {
            cell: Arc::new(Cell {
                value: AtomicUsize::new(0),
                listening: AtomicBool::new(false),
                dirty: AtomicBool::new(false),
                watchers: Mutex::new(Vec::new()),
            }),
        }
    }

    /// The current value. Inside an [`effect`], also makes the effect
    /// watch this signal.
    pub fn get(&self) -> usize {
        let v = self.cell.value.load(Ordering::SeqCst);
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

    pub(crate) fn add(&self, n: usize) {
        if n == 0 {
            return;
        }
        self.cell.value.fetch_add(n, Ordering::SeqCst);
        self.changed();
    }

    /// Subtract, saturating at 0 (a signal is never negative).
    pub(crate) fn sub(&self, n: usize) {
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

    pub(crate) fn set(&self, v: usize) {
        if self.cell.value.swap(v, Ordering::SeqCst) != v {
            self.changed();
        }
    }

    #[inline]
    fn changed(&self) {
        if self.cell.listening.load(Ordering::Relaxed)
            && !self.cell.dirty.swap(true, Ordering::SeqCst)
        {
            notifier().push(Item::Signal(Arc::clone(&self.cell)));
        }
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
#[derive(Clone, Default)]
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
            .field(
                "workers_count",
                &self.workers_count.cell.value.load(Ordering::Relaxed),
            )
            .field("queued", &self.queued.cell.value.load(Ordering::Relaxed))
            .field(
                "inflight",
                &self.inflight.cell.value.load(Ordering::Relaxed),
            )
            .field(
                "completed",
                &self.completed.cell.value.load(Ordering::Relaxed),
            )
            .finish()
    }
}

impl Signals {
    pub(crate) fn new() -> Signals {
        Signals::default()
    }

    pub(crate) fn reset(&self) {
        self.workers_count.set(0);
        self.queued.set(0);
        self.inflight.set(0);
        self.completed.set(0);
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
        catch_unwind(AssertUnwindSafe(&mut **f)).is_ok()
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
    for s in &new {
        if !old.iter().any(|o| o.ptr_eq(s)) {
            lock(&s.cell.watchers).push(Watcher::Effect(Arc::downgrade(e)));
            s.cell.listening.store(true, Ordering::SeqCst);
        }
    }
    // A change between the read and the watch would be missed: re-check.
    let stale = read
        .iter()
        .any(|(s, v)| s.cell.value.load(Ordering::SeqCst) != *v);
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
            match item {
                Item::Signal(cell) => self.deliver(&cell),
                Item::Effect(e) => run_effect(&e),
                Item::First(e, done) => {
                    run_effect(&e);
                    let (m, cv) = &*done;
                    *m.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = true;
                    cv.notify_all();
                }
            }
        }
    }

    fn deliver(&self, cell: &Arc<Cell>) {
        cell.dirty.store(false, Ordering::SeqCst);
        let v = cell.value.load(Ordering::SeqCst);
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
            let _ = catch_unwind(AssertUnwindSafe(|| f(v)));
        }
        for e in effects {
            if !e.queued.swap(true, Ordering::SeqCst) {
                run_effect(&e);
            }
        }
    }
}
