//! Live counters of a pool, with subscriptions and effects.
//!
//! A [`Signal`] is an atomic `usize` plus a list of watchers; only when
//! someone watches does a change go further than the counter, to the
//! process-wide notifier thread (`notifier.rs`), which calls subscribers
//! and re-runs effects (`effect.rs`), one at a time. `completed`, which
//! every call changes, is striped per thread (`stripes.rs`).
//!
//! The protocols (the dirty flag, the watch handshake, the stripes and the
//! asymmetric barrier under them), with why each ordering suffices, are in
//! `README.md` beside this file; the loom models in `loom_models.rs` check
//! them on the real code.

mod effect;
#[cfg(all(test, loom))]
mod loom_models;
mod notifier;
mod stripes;

pub use effect::{effect, Effect};

use crate::loom::{fence, lock, AtomicBool, AtomicUsize, Mutex, Ordering};
use effect::EffectInner;
use notifier::{notifier, Notice};
use std::fmt;
use std::sync::{Arc, Weak};
use stripes::{stripe_index, Stripe, STRIPES};

type SubscriberFn = dyn Fn(usize) + Send + Sync;

enum Watcher {
    Subscriber(Arc<SubscriberFn>, usize),
    Effect(Weak<EffectInner>),
}

/// What the handles of one signal share.
struct SignalInner {
    value: AtomicUsize,
    /// Per-thread parts of the value (`completed` only, where the
    /// asymmetric barrier works): the value is `value` plus their sum.
    stripes: Option<Box<[Stripe; STRIPES]>>,
    listening: AtomicBool,
    dirty: AtomicBool,
    watchers: Mutex<Vec<Watcher>>,
}

impl SignalInner {
    /// After a change: whether the caller must queue a notification (some
    /// watcher listens and none is pending). The caller has ordered its
    /// change before this `listening` load against a new watcher's
    /// handshake: [`SignalInner::after_rmw`] or the striped path's light
    /// barrier (README: the watch handshake).
    #[inline(always)]
    fn mark_dirty(&self) -> bool {
        self.listening.load(Ordering::Relaxed) && !self.dirty.swap(true, Ordering::SeqCst)
    }

    /// After a read-modify-write of `value`: [`SignalInner::mark_dirty`],
    /// behind the fence that pairs with [`effect::after_watch`]. The RMW
    /// alone would not do: a `SeqCst` RMW does not order a later `Relaxed`
    /// load against another thread's store (README: why a fence).
    #[inline(always)]
    fn after_rmw(&self) -> bool {
        fence(Ordering::SeqCst);
        self.mark_dirty()
    }

    /// Add `n` to the shared value; returns [`SignalInner::after_rmw`].
    #[inline(always)]
    fn add_shared(&self, n: usize) -> bool {
        self.value.fetch_add(n, Ordering::SeqCst);
        self.after_rmw()
    }

    /// Add `n` on stripe `i`, which the calling thread owns; returns
    /// [`SignalInner::mark_dirty`].
    #[inline(always)]
    fn add_on(&self, stripes: &[Stripe; STRIPES], i: usize, n: usize) -> bool {
        let s = &stripes[i].0;
        s.store(s.load(Ordering::Relaxed).wrapping_add(n), Ordering::Release);
        // Pairs with the heavy barrier of an effect that starts listening
        // and then re-reads the value (see `effect::after_watch`).
        crate::barrier::light();
        self.mark_dirty()
    }

    /// Start watching: add `w`, then raise `listening` (a new watcher's
    /// half of the watch handshake; an effect then runs
    /// [`effect::after_watch`] and re-reads the value).
    fn listen(&self, w: Watcher) {
        lock(&self.watchers).push(w);
        self.listening.store(true, Ordering::SeqCst);
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

/// One live counter: read it, or watch it with [`Signal::subscribe`] or an
/// [`effect`].
#[derive(Clone)]
pub struct Signal {
    inner: Arc<SignalInner>,
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signal({})", self.inner.current())
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
        let stripes = crate::barrier::available().then(stripes::new);
        Signal::with_stripes(stripes)
    }

    fn with_stripes(stripes: Option<Box<[Stripe; STRIPES]>>) -> Signal {
        Signal {
            inner: Arc::new(SignalInner {
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
        let v = self.inner.current();
        effect::track(self, v);
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
        self.inner.listen(Watcher::Subscriber(Arc::new(f), id));
        Subscription {
            signal: Arc::downgrade(&self.inner),
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
        if let Some(stripes) = &self.inner.stripes {
            if let Some(i) = stripe_index() {
                if self.inner.add_on(stripes, i, n) {
                    self.queue();
                }
                return;
            }
        }
        self.add_shared(n);
    }

    #[inline(never)]
    fn add_shared(&self, n: usize) {
        if self.inner.add_shared(n) {
            self.queue();
        }
    }

    #[cold]
    #[inline(never)]
    fn queue(&self) {
        notifier().push(Notice::Signal(Arc::clone(&self.inner)));
    }

    /// Subtract, saturating at 0 (a signal is never negative).
    pub(crate) fn sub(&self, n: usize) {
        debug_assert!(self.inner.stripes.is_none(), "striped signals only grow");
        if n == 0 {
            return;
        }
        let _ = self
            .inner
            .value
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| {
                Some(v.saturating_sub(n))
            });
        self.changed();
    }

    /// Set the value (exact when no thread changes it meanwhile).
    pub(crate) fn set(&self, v: usize) {
        let parts = self.inner.stripe_sum();
        let old = self
            .inner
            .value
            .swap(v.wrapping_sub(parts), Ordering::SeqCst);
        if old.wrapping_add(parts) != v {
            self.changed();
        }
    }

    /// After a read-modify-write of the shared value.
    #[inline]
    fn changed(&self) {
        if self.inner.after_rmw() {
            self.queue();
        }
    }

    fn is_striped(&self) -> bool {
        self.inner.stripes.is_some()
    }

    fn ptr_eq(&self, other: &Signal) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

/// Keeps a [`Signal::subscribe`] callback alive; drop it to unsubscribe.
#[must_use = "dropping the subscription unsubscribes at once"]
pub struct Subscription {
    signal: Weak<SignalInner>,
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
        if let Some(signal) = self.signal.upgrade() {
            let removed = {
                let mut w = lock(&signal.watchers);
                let pos = w
                    .iter()
                    .position(|x| matches!(x, Watcher::Subscriber(_, id) if *id == self.id));
                let removed = pos.map(|p| w.swap_remove(p));
                if w.is_empty() {
                    signal.listening.store(false, Ordering::SeqCst);
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
            .field("workers_count", &self.workers_count.inner.current())
            .field("queued", &self.queued.inner.current())
            .field("inflight", &self.inflight.inner.current())
            .field("completed", &self.completed.inner.current())
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
