//! The signal protocols under loom (run with the other models, see
//! `loom_tests.rs`), at the level of [`SignalInner`] and the notifier's
//! parts: the process-wide notifier thread and thread-local stripe claims
//! are left out, stripes are given by index.

use super::effect::{after_watch, EffectInner};
use super::notifier::{FirstRun, Notice, Notifier};
use super::*;
use crate::loom::thread;

fn striped_signal() -> Arc<SignalInner> {
    Arc::clone(&Signal::striped().inner)
}

/// A watcher that does nothing: the models look at `listening` and the
/// value, not at deliveries.
fn quiet_subscriber() -> Watcher {
    Watcher::Subscriber(Arc::new(|_| {}), 0)
}

/// An effect starts watching while a thread adds on its stripe: either the
/// writer sees `listening` (and queues a notification) or the effect's
/// re-check after the heavy barrier sees the new value.
#[test]
fn loom_striped_add_racing_a_new_watcher_is_never_missed() {
    loom::model(|| {
        let signal = striped_signal();
        let w = {
            let signal = Arc::clone(&signal);
            thread::spawn(move || {
                let st = signal.stripes.as_deref().expect("striped");
                signal.add_on(st, 0, 1)
            })
        };
        signal.listen(quiet_subscriber());
        after_watch(true);
        let seen = signal.current();
        let queued = w.join().unwrap();
        assert!(
            queued || seen == 1,
            "change missed: queued={queued} seen={seen}"
        );
    });
}

/// The same race on a signal without stripes, whose writers change the
/// shared value with a read-modify-write: either the writer sees
/// `listening` or the re-check sees its change. This is the order the
/// `SeqCst` RMW was once trusted to give a later `Relaxed` load; it fails
/// ("change missed: queued=false seen=0") without the fence of
/// `SignalInner::after_rmw`, and without the one of `after_watch` (README:
/// why a fence).
#[test]
fn loom_shared_add_racing_a_new_watcher_is_never_missed() {
    loom::model(|| {
        let signal = Arc::clone(&Signal::new().inner);
        let w = {
            let signal = Arc::clone(&signal);
            thread::spawn(move || signal.add_shared(1))
        };
        signal.listen(quiet_subscriber());
        after_watch(false);
        let seen = signal.current();
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
        let signal = striped_signal();
        signal.listening.store(true, Ordering::SeqCst);
        let writers: Vec<_> = [(0, 1), (1, 2)]
            .into_iter()
            .map(|(i, n)| {
                let signal = Arc::clone(&signal);
                thread::spawn(move || {
                    let st = signal.stripes.as_deref().expect("striped");
                    signal.add_on(st, i, n)
                })
            })
            .collect();
        let delivered = signal.take_dirty();
        for w in writers {
            w.join().unwrap();
        }
        let pending = signal.dirty.load(Ordering::SeqCst);
        assert!(
            pending || delivered == 3,
            "final value lost: delivered {delivered}"
        );
        assert_eq!(signal.current(), 3);
    });
}

/// `set` (the reset on dispose) against a quiet signal is exact, and
/// stripes keep counting from there.
#[test]
fn loom_striped_set_then_add_is_exact() {
    loom::model(|| {
        let s = Signal::striped();
        let st = s.inner.stripes.as_deref().expect("striped");
        let _ = s.inner.add_on(st, 3, 5);
        s.set(0);
        assert_eq!(s.inner.current(), 0);
        let t = {
            let signal = Arc::clone(&s.inner);
            thread::spawn(move || {
                let st = signal.stripes.as_deref().expect("striped");
                let _ = signal.add_on(st, 1, 2);
            })
        };
        let _ = s.inner.add_on(st, 3, 1);
        t.join().unwrap();
        assert_eq!(s.inner.current(), 3);
    });
}

/// The notifier's queue and the first-run handshake of `effect`, on the
/// real `Notifier` and `FirstRun` (a local notifier, its thread handling
/// one notice): a notice pushed before the thread first looks, or while it
/// waits, is taken; the creating thread returns once the first run is over,
/// and never hangs. Fails (loom reports a deadlock) if `FirstRun::wait`
/// waits without checking the flag first, or `Notifier::next` without
/// checking the queue.
#[test]
fn loom_effect_first_run_is_never_lost() {
    loom::model(|| {
        let n = Arc::new(Notifier::new());
        let runs = Arc::new(AtomicUsize::new(0));
        let r2 = Arc::clone(&runs);
        let e = EffectInner::new(Box::new(move || {
            r2.fetch_add(1, Ordering::SeqCst);
        }));
        let t = {
            let n = Arc::clone(&n);
            thread::spawn(move || {
                let notice = n.next();
                n.handle(notice);
            })
        };
        let first = Arc::new(FirstRun::new());
        n.push(Notice::First(e, Arc::clone(&first)));
        first.wait();
        assert_eq!(
            runs.load(Ordering::SeqCst),
            1,
            "returned before the first run"
        );
        t.join().unwrap();
    });
}
