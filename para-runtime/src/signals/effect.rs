//! Effects: closures re-run on the notifier thread when a signal they read
//! changes. A run records what it reads; afterwards the effect watches
//! exactly those signals, and re-checks them in case one moved meanwhile
//! (README: the watch handshake).

use super::notifier::{notifier, FirstRun, Notice};
use super::{Signal, Watcher};
use crate::loom::{fence, lock, AtomicBool, Mutex, Ordering};
use std::cell::RefCell;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

std::thread_local! {
    static TRACKING: RefCell<Option<Vec<(Signal, usize)>>> = const { RefCell::new(None) };
    pub(super) static ON_NOTIFIER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Inside an effect's run, record that it read `v` from `s`.
pub(super) fn track(s: &Signal, v: usize) {
    TRACKING.with(|t| {
        if let Some(deps) = t.borrow_mut().as_mut() {
            deps.push((s.clone(), v));
        }
    });
}

pub(super) struct EffectInner {
    f: Mutex<Box<dyn FnMut() + Send>>,
    deps: Mutex<Vec<Signal>>,
    pub(super) queued: AtomicBool,
    alive: AtomicBool,
}

impl EffectInner {
    pub(super) fn new(f: Box<dyn FnMut() + Send>) -> Arc<EffectInner> {
        Arc::new(EffectInner {
            f: Mutex::new(f),
            deps: Mutex::new(Vec::new()),
            queued: AtomicBool::new(true),
            alive: AtomicBool::new(true),
        })
    }
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
    let inner = EffectInner::new(Box::new(f));
    if ON_NOTIFIER.with(std::cell::Cell::get) {
        notifier().push(Notice::Effect(Arc::clone(&inner)));
    } else {
        let first = Arc::new(FirstRun::new());
        notifier().push(Notice::First(Arc::clone(&inner), Arc::clone(&first)));
        first.wait();
    }
    Effect { inner }
}

fn unwatch(s: &Signal, e: &Arc<EffectInner>) {
    let mut w = lock(&s.inner.watchers);
    w.retain(|x| !matches!(x, Watcher::Effect(we) if std::ptr::eq(we.as_ptr(), Arc::as_ptr(e))));
    if w.is_empty() {
        s.inner.listening.store(false, Ordering::SeqCst);
    }
}

/// The new watcher's half of the watch handshake, between raising
/// `listening` on newly watched signals and re-reading them: a fence that
/// pairs with the fence of a writer's [`SignalInner::after_rmw`], and, if
/// one of them is striped, the heavy barrier that pairs with a striped
/// writer's light one. Afterwards every writer either saw `listening` (and
/// queues a notification) or its change is visible to the re-read.
///
/// [`SignalInner::after_rmw`]: super::SignalInner::after_rmw
pub(super) fn after_watch(striped: bool) {
    fence(Ordering::SeqCst);
    if striped {
        crate::barrier::heavy();
    }
}

pub(super) fn run_effect(e: &Arc<EffectInner>) {
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
    let mut newly_watched = false;
    let mut newly_striped = false;
    for s in &new {
        if !old.iter().any(|o| o.ptr_eq(s)) {
            s.inner.listen(Watcher::Effect(Arc::downgrade(e)));
            newly_watched = true;
            newly_striped |= s.is_striped();
        }
    }
    if newly_watched {
        after_watch(newly_striped);
    }
    // A change between the read and the watch would be missed: re-check.
    let stale = read.iter().any(|(s, v)| s.inner.current() != *v);
    if stale && !e.queued.swap(true, Ordering::SeqCst) {
        notifier().push(Notice::Effect(Arc::clone(e)));
    }
}
