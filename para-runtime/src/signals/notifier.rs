//! The process-wide notifier thread (`para-signals`): a queue of notices
//! under a mutex, a condition variable for the thread to sleep on, and the
//! first-run handshake of [`effect`](super::effect()) (README: the
//! notifier).

use super::effect::{run_effect, EffectInner, ON_NOTIFIER};
use super::{SignalInner, SubscriberFn, Watcher};
use crate::loom::{lock, wait, Condvar, Mutex, Ordering};
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, OnceLock};

/// Work for the notifier thread.
pub(super) enum Notice {
    /// A signal changed while watched: deliver its value.
    Signal(Arc<SignalInner>),
    /// Re-run an effect.
    Effect(Arc<EffectInner>),
    /// An effect's first run; [`FirstRun::finish`] tells the thread that
    /// created it.
    First(Arc<EffectInner>, Arc<FirstRun>),
}

/// Tells the thread that called [`effect`](super::effect()) that the first
/// run is over.
pub(super) struct FirstRun {
    ran: Mutex<bool>,
    cv: Condvar,
}

impl FirstRun {
    pub(super) fn new() -> FirstRun {
        FirstRun {
            ran: Mutex::new(false),
            cv: Condvar::new(),
        }
    }

    /// Block until [`FirstRun::finish`]. The flag is re-checked under the
    /// lock before every wait: a finish before the first wait (or a
    /// spurious wake-up) is not lost.
    pub(super) fn wait(&self) {
        let mut ran = lock(&self.ran);
        while !*ran {
            ran = wait(&self.cv, ran);
        }
    }

    /// Set the flag under the lock, then wake the waiter.
    pub(super) fn finish(&self) {
        *lock(&self.ran) = true;
        self.cv.notify_all();
    }
}

pub(super) struct Notifier {
    queue: Mutex<VecDeque<Notice>>,
    cv: Condvar,
}

pub(super) fn notifier() -> &'static Notifier {
    static N: OnceLock<&'static Notifier> = OnceLock::new();
    N.get_or_init(|| {
        let n: &'static Notifier = Box::leak(Box::new(Notifier::new()));
        std::thread::Builder::new()
            .name("para-signals".into())
            .spawn(move || n.run())
            .expect("para: could not start the signal notifier thread");
        n
    })
}

impl Notifier {
    pub(super) fn new() -> Notifier {
        Notifier {
            queue: Mutex::new(VecDeque::new()),
            cv: Condvar::new(),
        }
    }

    /// Queue a notice and wake the thread (it may be waiting, or about to
    /// re-check the queue under the lock this push held).
    pub(super) fn push(&self, notice: Notice) {
        lock(&self.queue).push_back(notice);
        self.cv.notify_one();
    }

    /// The next notice, waiting for one: the queue is checked under the
    /// lock before every wait, so a push that came first is taken.
    pub(super) fn next(&self) -> Notice {
        let mut q = lock(&self.queue);
        loop {
            if let Some(n) = q.pop_front() {
                return n;
            }
            q = wait(&self.cv, q);
        }
    }

    fn run(&self) {
        ON_NOTIFIER.with(|c| c.set(true));
        loop {
            let notice = self.next();
            self.handle(notice);
        }
    }

    /// Act on one notice.
    pub(super) fn handle(&self, notice: Notice) {
        // User code runs contained inside (`run_effect`, `deliver`);
        // this catch keeps the notifier alive should a drop of the
        // user's values slip through, and drops the notice itself
        // (possibly the last reference to a closure) contained.
        let ran = catch_unwind(AssertUnwindSafe(|| match notice {
            Notice::Signal(signal) => self.deliver(&signal),
            Notice::Effect(e) => {
                run_effect(&e);
                crate::unwind::drop_caught(e);
            }
            Notice::First(e, first) => {
                run_effect(&e);
                first.finish();
                crate::unwind::drop_caught(e);
            }
        }));
        if let Err(p) = ran {
            crate::unwind::drop_payload(p);
        }
    }

    fn deliver(&self, signal: &Arc<SignalInner>) {
        let v = signal.take_dirty();
        let (subs, effects): (Vec<Arc<SubscriberFn>>, Vec<Arc<EffectInner>>) = {
            let w = lock(&signal.watchers);
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
