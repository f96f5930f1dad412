//! Signals: exact counters, subscriptions and effects.

mod common;
use common::wait_until;
use para::{effect, Pool};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[test]
fn counters_are_exact_when_quiet() {
    let p = Pool::builder().concurrency(2).build().unwrap();
    let s = p.signals();
    assert_eq!(s.workers_count.get(), 2);
    let _ = p.map(|i: usize| i * 3, 0..123_457);
    let _ = p.reduce(|a, b| a + b, 0u64, vec![1u64; 1000]);
    assert_eq!(s.completed.get(), 123_457 + 1000);
    assert_eq!((s.queued.get(), s.inflight.get()), (0, 0));
    let clone = s.clone();
    p.dispose();
    assert_eq!(
        clone.workers_count.get()
            + clone.completed.get()
            + clone.queued.get()
            + clone.inflight.get(),
        0
    );
}

/// `completed` is striped per thread: more callers than stripes (some
/// fall back to the shared part), threads that exit and hand their stripe
/// to the next, a dispose in between; the count stays exact.
#[test]
fn completed_is_exact_across_many_short_lived_caller_threads() {
    let p = Arc::new(Pool::builder().concurrency(2).build().unwrap());
    let s = p.signals();
    let mut expected = 0;
    for wave in 0..3 {
        if wave == 2 {
            p.dispose();
            assert_eq!(s.completed.get(), 0);
            expected = 0;
        }
        let threads: Vec<_> = (0..80)
            .map(|t| {
                let p = Arc::clone(&p);
                std::thread::spawn(move || {
                    for k in 0..20 {
                        let n = 1 + (t * 7 + k) % 50;
                        let out = p.map(|x: &u32| x + 1, &vec![0u32; n]);
                        assert_eq!(out.len(), n);
                    }
                })
            })
            .collect();
        for h in threads {
            h.join().unwrap();
        }
        expected += (0..80)
            .flat_map(|t| (0..20).map(move |k| 1 + (t * 7 + k) % 50))
            .sum::<usize>();
        assert_eq!(s.completed.get(), expected, "wave {wave}");
    }
}

#[test]
fn subscriber_sees_the_final_value_and_unsubscribes_on_drop() {
    let p = Pool::builder().concurrency(2).build().unwrap();
    let s = p.signals();
    let last = Arc::new(AtomicUsize::new(0));
    let calls = Arc::new(AtomicUsize::new(0));
    let (l2, c2) = (Arc::clone(&last), Arc::clone(&calls));
    let sub = s.completed.subscribe(move |v| {
        l2.store(v, Ordering::SeqCst);
        c2.fetch_add(1, Ordering::SeqCst);
    });
    let _ = p.map(|i: usize| i, 0..50_000);
    wait_until("final completed value", || {
        last.load(Ordering::SeqCst) == 50_000
    });
    drop(sub);
    let before = calls.load(Ordering::SeqCst);
    let _ = p.map(|i: usize| i, 0..10);
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(
        calls.load(Ordering::SeqCst),
        before,
        "no calls after unsubscribing"
    );
}

#[test]
fn effect_runs_once_then_on_changes_and_never_on_a_worker() {
    let p = Pool::builder()
        .concurrency(2)
        .name("fxpool")
        .build()
        .unwrap();
    let s = p.signals();
    let seen = Arc::new(Mutex::new(Vec::<usize>::new()));
    let threads = Arc::new(Mutex::new(Vec::<String>::new()));
    let (seen2, threads2, s2) = (Arc::clone(&seen), Arc::clone(&threads), s.clone());
    let fx = effect(move || {
        seen2.lock().unwrap().push(s2.completed.get());
        threads2
            .lock()
            .unwrap()
            .push(std::thread::current().name().unwrap_or("?").to_string());
    });
    assert_eq!(*seen.lock().unwrap(), vec![0], "ran once at creation");
    let _ = p.map(|i: usize| i, 0..1000);
    wait_until("effect sees 1000", || {
        seen.lock().unwrap().last() == Some(&1000)
    });
    assert!(
        threads
            .lock()
            .unwrap()
            .iter()
            .all(|t| !t.starts_with("fxpool")),
        "{:?}",
        threads.lock().unwrap()
    );
    drop(fx);
    let n = seen.lock().unwrap().len();
    let _ = p.map(|i: usize| i, 0..10);
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(seen.lock().unwrap().len(), n, "stopped after drop");
}

#[test]
fn effect_watching_queued_sees_it_rise_and_return_to_zero() {
    let p = Pool::builder().concurrency(1).build().unwrap();
    let s = p.signals();
    let max = Arc::new(AtomicUsize::new(0));
    let last = Arc::new(AtomicUsize::new(usize::MAX));
    let (m2, l2, s2) = (Arc::clone(&max), Arc::clone(&last), s.clone());
    let _fx = effect(move || {
        let q = s2.queued.get();
        m2.fetch_max(q, Ordering::SeqCst);
        l2.store(q, Ordering::SeqCst);
    });
    let futs: Vec<_> = (0..50)
        .map(|_| p.dispatch_async::<u64, _>("spin_for", 200_000u64))
        .collect();
    for f in futs {
        futures::executor::block_on(f).unwrap();
    }
    wait_until("queued back to 0", || last.load(Ordering::SeqCst) == 0);
    assert!(max.load(Ordering::SeqCst) > 0, "the effect saw a backlog");
}

#[test]
fn panicking_subscriber_and_effect_harm_nothing_else() {
    let p = Pool::builder().concurrency(1).build().unwrap();
    let s = p.signals();
    let _bad_sub = s.completed.subscribe(|_| panic!("subscriber panics"));
    let s2 = s.clone();
    let _bad_fx = effect(move || {
        if s2.completed.get() > 0 {
            panic!("effect panics");
        }
    });
    let good = Arc::new(AtomicUsize::new(0));
    let g2 = Arc::clone(&good);
    let _good = s
        .completed
        .subscribe(move |v| g2.store(v, Ordering::SeqCst));
    let _ = p.map(|i: usize| i, 0..777);
    wait_until("the good subscriber", || good.load(Ordering::SeqCst) == 777);
    assert_eq!(p.map(|i: usize| i + 1, 0..3), vec![1, 2, 3]);
    let _ = p.map(|i: usize| i, 0..3);
    wait_until("still delivering", || good.load(Ordering::SeqCst) == 783);
}
