//! Semaphore: FIFO, atomic acquire_many, close, cancellation, owned permits.

mod common;
use common::Task;
use futures::task::noop_waker;
use para::{AcquireError, Semaphore};
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

fn poll_once<F: Future>(f: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    let w = noop_waker();
    f.poll(&mut Context::from_waker(&w))
}

#[test]
fn fifo_order_on_a_single_thread_executor() {
    let sem = Arc::new(Semaphore::new(1));
    let order = Arc::new(StdMutex::new(Vec::new()));
    let mut pool = futures::executor::LocalPool::new();
    let spawner = pool.spawner();
    let first = sem.try_acquire().unwrap();
    for i in 0..10 {
        let (sem, order) = (Arc::clone(&sem), Arc::clone(&order));
        futures::task::LocalSpawnExt::spawn_local(&spawner, async move {
            let _p = sem.acquire().await.unwrap();
            order.lock().unwrap().push(i);
        })
        .unwrap();
    }
    pool.run_until_stalled();
    assert!(order.lock().unwrap().is_empty());
    drop(first);
    pool.run();
    assert_eq!(*order.lock().unwrap(), (0..10).collect::<Vec<_>>());
}

#[test]
fn at_most_n_holders_with_mixed_blocking_and_async_waiters() {
    let sem = Arc::new(Semaphore::new(3));
    let holders = Arc::new(AtomicUsize::new(0));
    let max = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::new();
    for t in 0..6 {
        let (sem, holders, max) = (Arc::clone(&sem), Arc::clone(&holders), Arc::clone(&max));
        handles.push(std::thread::spawn(move || {
            for _ in 0..300 {
                let enter = |h: &AtomicUsize| {
                    let now = h.fetch_add(1, Ordering::SeqCst) + 1;
                    max.fetch_max(now, Ordering::SeqCst);
                    std::hint::black_box((0..50).sum::<u32>());
                    h.fetch_sub(1, Ordering::SeqCst);
                };
                if t % 2 == 0 {
                    let _p = sem.acquire_blocking().unwrap();
                    enter(&holders);
                } else {
                    futures::executor::block_on(async {
                        let _p = sem.acquire().await.unwrap();
                        enter(&holders);
                    });
                }
            }
        }));
    }
    for h in handles {
        h.join().unwrap();
    }
    assert!(max.load(Ordering::SeqCst) <= 3);
    assert_eq!(sem.available_permits(), 3);
}

#[test]
fn acquire_many_is_atomic_and_not_starved_by_small_requests() {
    let sem = Arc::new(Semaphore::new(10));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let small: Vec<_> = (0..2)
        .map(|_| {
            let (sem, stop) = (Arc::clone(&sem), Arc::clone(&stop));
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let _p = sem.acquire_many_blocking(3).unwrap();
                    std::hint::black_box(0);
                }
            })
        })
        .collect();
    let t = Instant::now();
    for _ in 0..50 {
        let p = sem.acquire_many_blocking(8).unwrap();
        assert_eq!(p.num_permits(), 8);
        assert!(sem.available_permits() <= 2);
    }
    let took = t.elapsed();
    stop.store(true, Ordering::Relaxed);
    for h in small {
        h.join().unwrap();
    }
    assert!(
        took < Duration::from_secs(5),
        "acquire_many(8) starved: {took:?}"
    );
    assert_eq!(sem.available_permits(), 10);
}

#[test]
fn close_fails_pending_and_future_acquires_and_keeps_held_permits() {
    let sem = Semaphore::new(1);
    let held = sem.try_acquire().unwrap();
    let mut waiting = pin!(sem.acquire());
    assert!(poll_once(waiting.as_mut()).is_pending());
    sem.close();
    assert!(matches!(
        poll_once(waiting.as_mut()),
        Poll::Ready(Err(AcquireError::Closed))
    ));
    assert!(sem.try_acquire().is_none());
    assert_eq!(sem.acquire_blocking().unwrap_err(), AcquireError::Closed);
    assert!(sem.is_closed());
    drop(held);
    assert_eq!(sem.available_permits(), 1);
    assert_eq!(AcquireError::Closed.to_string(), "the semaphore is closed");
}

#[test]
fn dropped_waiters_lose_no_permit_and_wake_the_next() {
    let sem = Semaphore::new(2);
    let a = sem.try_acquire_many(2).unwrap();
    let mut big = Box::pin(sem.acquire_many(2));
    let mut next = Box::pin(sem.acquire());
    assert!(poll_once(big.as_mut()).is_pending());
    assert!(poll_once(next.as_mut()).is_pending());
    drop(a);
    // Cancel the head after permits came back: the next waiter gets in.
    drop(big);
    assert!(matches!(poll_once(next.as_mut()), Poll::Ready(Ok(_))));
    drop(next);
    assert_eq!(sem.available_permits(), 2);
    // Never polled, polled-and-dropped: nothing changes.
    drop(sem.acquire());
    let mut f = Box::pin(sem.acquire_many(2));
    assert!(matches!(poll_once(f.as_mut()), Poll::Ready(Ok(_))));
    drop(f);
    assert_eq!(sem.available_permits(), 2);
}

#[test]
fn add_permits_and_forget() {
    let sem = Semaphore::new(0);
    assert!(sem.try_acquire().is_none());
    sem.add_permits(3);
    let p = sem.try_acquire_many(2).unwrap();
    p.forget();
    assert_eq!(sem.available_permits(), 1);
}

#[test]
fn owned_permits_are_static() {
    let sem = Arc::new(Semaphore::new(1));
    let p = futures::executor::block_on(Arc::clone(&sem).acquire_owned()).unwrap();
    let h = std::thread::spawn(move || {
        assert_eq!(p.num_permits(), 1);
        drop(p);
    });
    h.join().unwrap();
    assert_eq!(sem.available_permits(), 1);
    let many = futures::executor::block_on(Arc::clone(&sem).acquire_many_owned(1)).unwrap();
    assert_eq!(sem.available_permits(), 0);
    drop(many);
}

#[test]
fn works_under_tokio() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let sem = Arc::new(Semaphore::new(2));
    let n = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let (sem, n) = (Arc::clone(&sem), Arc::clone(&n));
                tokio::spawn(async move {
                    let _p = sem.acquire().await.unwrap();
                    n.fetch_add(1, Ordering::SeqCst);
                    tokio::task::yield_now().await;
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    });
    assert_eq!(n.load(Ordering::SeqCst), 50);
    assert_eq!(sem.available_permits(), 2);
}

// ---------------------------------------------------------------------------
// The two behaviours of issue #13: zero-permit acquires never queue, and a
// starving head is noticed by newcomers (not only by releases). The bound
// is about 0.5 ms; the tests wait 2 ms past it.

/// Past the starvation bound, with margin for a loaded machine.
const PAST_THE_BOUND: Duration = Duration::from_millis(2);

fn ready<T, E: std::fmt::Debug>(p: Poll<Result<T, E>>) -> T {
    match p {
        Poll::Ready(Ok(v)) => v,
        Poll::Ready(Err(e)) => panic!("expected Ready(Ok), got Ready(Err({e:?}))"),
        Poll::Pending => panic!("expected Ready(Ok), got Pending"),
    }
}

#[test]
fn acquire_many_zero_under_handoff_with_a_queued_head_completes_at_once() {
    let sem = Semaphore::new(2);
    let (a, b) = (sem.try_acquire().unwrap(), sem.try_acquire().unwrap());
    let mut head = Task::new(sem.acquire_many(2));
    assert!(head.poll().is_pending());
    std::thread::sleep(PAST_THE_BOUND);
    drop(a); // handoff mode: the permit is assigned to the head
    assert_eq!(sem.available_permits(), 0);
    let mut zero = Task::new(sem.acquire_many(0));
    assert_eq!(ready(zero.poll()).num_permits(), 0);
    assert_eq!(sem.try_acquire_many(0).unwrap().num_permits(), 0);
    assert_eq!(sem.acquire_many_blocking(0).unwrap().num_permits(), 0);
    let arc = Arc::new(Semaphore::new(0));
    assert_eq!(
        Arc::clone(&arc)
            .try_acquire_many_owned(0)
            .unwrap()
            .num_permits(),
        0
    );
    let owned = futures::executor::block_on(Arc::clone(&arc).acquire_many_owned(0)).unwrap();
    assert_eq!(owned.num_permits(), 0);
    assert_eq!(
        Arc::clone(&arc)
            .acquire_many_blocking_owned(0)
            .unwrap()
            .num_permits(),
        0
    );
    drop(b);
    assert_eq!(ready(head.poll()).num_permits(), 2);
}

#[test]
fn acquire_many_zero_fails_only_once_closed() {
    let sem = Arc::new(Semaphore::new(0));
    sem.close();
    assert!(sem.try_acquire_many(0).is_none());
    assert_eq!(
        sem.acquire_many_blocking(0).unwrap_err(),
        AcquireError::Closed
    );
    let mut f = Task::new(sem.acquire_many(0));
    assert!(matches!(f.poll(), Poll::Ready(Err(AcquireError::Closed))));
    assert!(Arc::clone(&sem).try_acquire_many_owned(0).is_none());
}

#[test]
fn newcomer_try_acquire_fails_while_the_head_has_waited_past_the_bound() {
    let sem = Semaphore::new(3);
    let held = sem.try_acquire().unwrap();
    let mut head = Task::new(sem.acquire_many(3)); // 2 free, needs 3
    assert!(head.poll().is_pending());
    std::thread::sleep(PAST_THE_BOUND);
    assert!(
        sem.try_acquire().is_none(),
        "a newcomer took a permit ahead of a head that waited {PAST_THE_BOUND:?}"
    );
    assert_eq!(
        sem.available_permits(),
        0,
        "the free permits went to the head"
    );
    assert!(sem.try_acquire_many(2).is_none());
    // The other entry points keep off as well.
    let mut newcomer = Task::new(sem.acquire());
    assert!(newcomer.poll().is_pending());
    drop(held);
    assert!(head.is_woken());
    let p = ready(head.poll());
    assert_eq!(p.num_permits(), 3);
    assert!(newcomer.poll().is_pending());
    drop(p);
    assert!(ready(newcomer.poll()).num_permits() == 1);
    assert_eq!(sem.available_permits(), 3);
}

#[test]
fn blocking_newcomer_waits_behind_a_starving_head() {
    let sem = Arc::new(Semaphore::new(2));
    let held = sem.try_acquire().unwrap();
    let mut head = Task::new(sem.acquire_many(2));
    assert!(head.poll().is_pending());
    std::thread::sleep(PAST_THE_BOUND);
    let got = Arc::new(AtomicUsize::new(0));
    let (s2, g2) = (Arc::clone(&sem), Arc::clone(&got));
    let t = std::thread::spawn(move || {
        let _p = s2.acquire_blocking().unwrap();
        g2.store(1, Ordering::SeqCst);
    });
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(got.load(Ordering::SeqCst), 0, "blocking newcomer passed");
    drop(held);
    let p = ready(head.poll());
    assert_eq!(got.load(Ordering::SeqCst), 0);
    drop(p);
    t.join().unwrap();
    assert_eq!(got.load(Ordering::SeqCst), 1);
    assert_eq!(sem.available_permits(), 2);
}

#[test]
fn mutex_try_lock_fails_while_a_woken_head_has_waited_past_the_bound() {
    let m = para::Mutex::new(0);
    let g = m.try_lock().unwrap();
    let mut head = Task::new(m.lock());
    assert!(head.poll().is_pending());
    drop(g); // barging: the lock goes free and the head is woken
    std::thread::sleep(PAST_THE_BOUND);
    assert!(m.try_lock().is_none(), "try_lock passed the starving head");
    match head.poll() {
        Poll::Ready(mut g) => *g += 1,
        Poll::Pending => panic!("the head did not get the lock"),
    }
    assert_eq!(*m.try_lock().unwrap(), 1);
}

#[test]
fn cancelled_starving_acquire_many_gives_its_assigned_permits_back() {
    // tokio's `cancel_acquire_releases_permits`, with the head starving so
    // that permits are assigned to it as tokio assigns them at once.
    let sem = Semaphore::new(10);
    sem.try_acquire_many(4).unwrap().forget();
    assert_eq!(sem.available_permits(), 6);
    let mut big = Task::new(sem.acquire_many(8));
    assert!(big.poll().is_pending());
    std::thread::sleep(PAST_THE_BOUND);
    assert!(sem.try_acquire().is_none());
    assert_eq!(sem.available_permits(), 0);
    drop(big);
    assert_eq!(sem.available_permits(), 6);
    assert!(sem.try_acquire_many(6).is_some());
}

// ---------------------------------------------------------------------------
// tokio's tests/sync_semaphore.rs, tests/sync_semaphore_owned.rs and
// src/sync/tests/semaphore_batch.rs, translated (tokio's `try_*` return a
// `Result`, para's an `Option`; tokio's `blocking_*` are para's
// `*_blocking`).

#[test]
fn tokio_no_permits() {
    let sem = Semaphore::new(0);
    assert_eq!(sem.available_permits(), 0);
    assert!(sem.try_acquire().is_none());
}

#[test]
fn tokio_try_acquire() {
    let sem = Semaphore::new(1);
    {
        let p1 = sem.try_acquire();
        assert!(p1.is_some());
        assert!(sem.try_acquire().is_none());
    }
    assert!(sem.try_acquire().is_some());
}

#[test]
fn tokio_try_acquire_owned_and_many_owned() {
    let sem = Arc::new(Semaphore::new(1));
    {
        let p1 = Arc::clone(&sem).try_acquire_owned();
        assert!(p1.is_some());
        assert!(Arc::clone(&sem).try_acquire_owned().is_none());
    }
    assert!(Arc::clone(&sem).try_acquire_owned().is_some());

    let sem = Arc::new(Semaphore::new(42));
    {
        let p1 = Arc::clone(&sem).try_acquire_many_owned(42);
        assert!(p1.is_some());
        assert!(Arc::clone(&sem).try_acquire_owned().is_none());
    }
    let p3 = Arc::clone(&sem).try_acquire_many_owned(32).unwrap();
    let p4 = Arc::clone(&sem).try_acquire_many_owned(10).unwrap();
    assert!(Arc::clone(&sem).try_acquire_owned().is_none());
    assert_eq!(p3.num_permits() + p4.num_permits(), 42);
    assert!(Arc::ptr_eq(p3.semaphore(), &sem));
}

#[test]
fn tokio_acquire_and_add_permits_wake_a_spawned_waiter() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let sem = Arc::new(Semaphore::new(1));
        let p1 = sem.try_acquire().unwrap();
        let s2 = Arc::clone(&sem);
        let j = tokio::spawn(async move { s2.acquire().await.map(|_| ()) });
        tokio::task::yield_now().await;
        drop(p1);
        j.await.unwrap().unwrap();

        let sem = Arc::new(Semaphore::new(0));
        let s2 = Arc::clone(&sem);
        let j = tokio::spawn(async move { s2.acquire_owned().await.map(|_| ()) });
        tokio::task::yield_now().await;
        sem.add_permits(1);
        j.await.unwrap().unwrap();
        assert_eq!(sem.available_permits(), 1);
    });
}

#[test]
fn tokio_acquire_many_owned_then_more() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let sem = Arc::new(Semaphore::new(42));
        let permit32 = Arc::clone(&sem).try_acquire_many_owned(32).unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel();
        let s2 = Arc::clone(&sem);
        let j = tokio::spawn(async move {
            let _p10 = Arc::clone(&s2).acquire_many_owned(10).await.unwrap();
            tx.send(()).unwrap();
            let _p32 = s2.acquire_many_owned(32).await.unwrap();
        });
        rx.await.unwrap();
        drop(permit32);
        j.await.unwrap();
        assert_eq!(sem.available_permits(), 42);
    });
}

#[test]
fn tokio_add_permits_open_and_closed() {
    for closed in [false, true] {
        for size in 0..4 {
            for add in 0..4 {
                let sem = Semaphore::new(size);
                if closed {
                    sem.close();
                }
                sem.add_permits(add);
                assert_eq!(sem.available_permits(), size + add);
                assert_eq!(sem.is_closed(), closed);
            }
        }
    }
}

#[test]
fn tokio_forget_permit() {
    let sem = Arc::new(Semaphore::new(1));
    {
        let p = sem.try_acquire().unwrap();
        assert_eq!(sem.available_permits(), 0);
        p.forget();
        assert_eq!(sem.available_permits(), 0);
    }
    assert_eq!(sem.available_permits(), 0);
    assert!(sem.try_acquire().is_none());

    let sem = Arc::new(Semaphore::new(1));
    let p = Arc::clone(&sem).try_acquire_owned().unwrap();
    p.forget();
    assert_eq!(sem.available_permits(), 0);
    assert!(sem.try_acquire_owned().is_none());
}

#[test]
fn tokio_forget_permits_open_and_closed() {
    for closed in [false, true] {
        for size in 0..4 {
            for sub in 0..4 {
                let sem = Semaphore::new(size);
                if closed {
                    sem.close();
                }
                let removed = sem.forget_permits(sub);
                let expected = size.saturating_sub(sub);
                assert_eq!(sem.available_permits(), expected, "case {size}-{sub}");
                assert_eq!(removed, size - expected);
                assert_eq!(sem.is_closed(), closed);
            }
        }
    }
    let sem = Semaphore::new(10);
    assert_eq!(sem.forget_permits(4), 4);
    assert_eq!(sem.available_permits(), 6);
    assert_eq!(sem.forget_permits(10), 6);
    assert_eq!(sem.available_permits(), 0);
}

#[test]
fn tokio_update_permits_many_times() {
    let sem = Semaphore::new(5);
    let mut acquire = Task::new(sem.acquire_many(7));
    assert!(acquire.poll().is_pending());
    sem.add_permits(5);
    assert!(acquire.is_woken());
    let p = ready(acquire.poll());
    assert_eq!(sem.available_permits(), 3);
    assert_eq!(sem.forget_permits(3), 3);
    assert_eq!(sem.available_permits(), 0);
    drop(p);
    assert_eq!(sem.available_permits(), 7);
}

#[test]
fn tokio_merge() {
    let sem = Semaphore::new(3);
    {
        let mut p1 = sem.try_acquire().unwrap();
        assert_eq!(sem.available_permits(), 2);
        let p2 = sem.try_acquire_many(2).unwrap();
        assert_eq!(sem.available_permits(), 0);
        p1.merge(p2);
        assert_eq!(p1.num_permits(), 3);
        assert_eq!(sem.available_permits(), 0);
    }
    assert_eq!(sem.available_permits(), 3);

    let sem = Arc::new(Semaphore::new(3));
    {
        let mut p1 = Arc::clone(&sem).try_acquire_owned().unwrap();
        let p2 = Arc::clone(&sem).try_acquire_many_owned(2).unwrap();
        p1.merge(p2);
        assert_eq!((p1.num_permits(), sem.available_permits()), (3, 0));
    }
    assert_eq!(sem.available_permits(), 3);
}

#[test]
#[should_panic(expected = "merging permits from different semaphore instances")]
fn tokio_merge_unrelated_permits() {
    let (s1, s2) = (Semaphore::new(3), Semaphore::new(3));
    let mut p1 = s1.try_acquire().unwrap();
    p1.merge(s2.try_acquire().unwrap());
}

#[test]
#[should_panic(expected = "merging permits from different semaphore instances")]
fn tokio_merge_unrelated_owned_permits() {
    let (s1, s2) = (Arc::new(Semaphore::new(3)), Arc::new(Semaphore::new(3)));
    let mut p1 = s1.try_acquire_owned().unwrap();
    p1.merge(s2.try_acquire_owned().unwrap());
}

#[test]
fn tokio_merge_unrelated_permits_gives_both_back_after_the_panic() {
    let (s1, s2) = (Semaphore::new(3), Semaphore::new(3));
    let mut p1 = s1.try_acquire().unwrap();
    let p2 = s2.try_acquire().unwrap();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| p1.merge(p2)));
    assert!(r.is_err());
    assert_eq!(p1.num_permits(), 1);
    drop(p1);
    assert_eq!((s1.available_permits(), s2.available_permits()), (3, 3));
}

#[test]
fn tokio_split() {
    let sem = Semaphore::new(5);
    let mut p1 = sem.try_acquire_many(3).unwrap();
    assert_eq!(sem.available_permits(), 2);
    assert_eq!(p1.num_permits(), 3);
    let mut p2 = p1.split(1).unwrap();
    assert_eq!(sem.available_permits(), 2);
    assert_eq!((p1.num_permits(), p2.num_permits()), (2, 1));
    let p3 = p1.split(0).unwrap();
    assert_eq!(p3.num_permits(), 0);
    drop(p1);
    assert_eq!(sem.available_permits(), 4);
    let p4 = p2.split(1).unwrap();
    assert_eq!((p2.num_permits(), p4.num_permits()), (0, 1));
    assert!(p2.split(1).is_none());
    drop(p2);
    assert_eq!(sem.available_permits(), 4);
    drop(p3);
    assert_eq!(sem.available_permits(), 4);
    drop(p4);
    assert_eq!(sem.available_permits(), 5);
}

#[test]
fn tokio_split_owned() {
    let sem = Arc::new(Semaphore::new(5));
    let mut p1 = Arc::clone(&sem).try_acquire_many_owned(3).unwrap();
    let mut p2 = p1.split(1).unwrap();
    assert_eq!((p1.num_permits(), p2.num_permits()), (2, 1));
    let p3 = p1.split(0).unwrap();
    drop(p1);
    assert_eq!(sem.available_permits(), 4);
    let p4 = p2.split(1).unwrap();
    assert!(p2.split(1).is_none());
    drop((p2, p3));
    assert_eq!(sem.available_permits(), 4);
    drop(p4);
    assert_eq!(sem.available_permits(), 5);
}

#[test]
fn tokio_stress_test_owned_and_borrowed() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let sem = Arc::new(Semaphore::new(5));
    rt.block_on(async {
        let tasks: Vec<_> = (0..1000)
            .map(|i| {
                let sem = Arc::clone(&sem);
                tokio::spawn(async move {
                    if i % 2 == 0 {
                        let _p = sem.acquire().await.unwrap();
                        tokio::task::yield_now().await;
                    } else {
                        let _p = sem.acquire_owned().await.unwrap();
                        tokio::task::yield_now().await;
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    });
    // Exactly 5 permits are available again.
    let held: Vec<_> = (0..5).map(|_| sem.try_acquire().unwrap()).collect();
    assert!(sem.try_acquire().is_none());
    drop(held);
}

#[test]
fn tokio_max_permits() {
    let s = Semaphore::new(0);
    s.add_permits(Semaphore::MAX_PERMITS);
    assert_eq!(s.available_permits(), Semaphore::MAX_PERMITS);
    let _ = Semaphore::new(Semaphore::MAX_PERMITS);
    let s = Semaphore::new(Semaphore::MAX_PERMITS - 1);
    s.add_permits(1);
    assert_eq!(Semaphore::MAX_PERMITS, usize::MAX >> 3);
}

#[test]
#[should_panic(expected = "would overflow MAX_PERMITS")]
fn tokio_add_more_than_max_permits_at_once() {
    Semaphore::new(1).add_permits(Semaphore::MAX_PERMITS);
}

#[test]
#[should_panic(expected = "number of added permits (1) would overflow MAX_PERMITS")]
fn tokio_add_more_than_max_permits_one_by_one() {
    let s = Semaphore::new(Semaphore::MAX_PERMITS - 1);
    s.add_permits(1);
    s.add_permits(1);
}

#[test]
#[should_panic(expected = "at most MAX_PERMITS")]
fn tokio_new_panics_past_max_permits() {
    let _ = Semaphore::new(Semaphore::MAX_PERMITS + 1);
}

#[test]
#[should_panic(expected = "could never be satisfied")]
fn acquire_many_past_max_permits_panics() {
    drop(Semaphore::new(0).acquire_many(Semaphore::MAX_PERMITS + 1));
}

#[test]
fn tokio_blocking_acquire_forms() {
    let sem = Semaphore::new(1);
    let p = sem.acquire_blocking().unwrap();
    assert_eq!(sem.available_permits(), 0);
    drop(p);
    assert_eq!(sem.available_permits(), 1);

    let sem = Semaphore::new(5);
    let p = sem.acquire_many_blocking(3).unwrap();
    assert_eq!(sem.available_permits(), 2);
    drop(p);
    assert_eq!(sem.available_permits(), 5);

    let sem = Arc::new(Semaphore::new(1));
    let p = Arc::clone(&sem).acquire_blocking_owned().unwrap();
    assert_eq!(sem.available_permits(), 0);
    drop(p);
    assert_eq!(sem.available_permits(), 1);

    let sem = Arc::new(Semaphore::new(5));
    let p = Arc::clone(&sem).acquire_many_blocking_owned(3).unwrap();
    assert_eq!(sem.available_permits(), 2);
    drop(p);
    assert_eq!(sem.available_permits(), 5);
}

#[test]
fn tokio_blocking_acquire_waits_for_permit() {
    let sem = Arc::new(Semaphore::new(0));
    let s2 = Arc::clone(&sem);
    let h = std::thread::spawn(move || s2.acquire_blocking_owned().unwrap().num_permits());
    sem.add_permits(1);
    assert_eq!(h.join().unwrap(), 1);
    assert_eq!(sem.available_permits(), 1);
}

#[test]
fn tokio_blocking_acquire_closed() {
    let sem = Arc::new(Semaphore::new(1));
    sem.close();
    assert_eq!(sem.acquire_blocking().unwrap_err(), AcquireError::Closed);
    assert_eq!(
        sem.acquire_many_blocking(2).unwrap_err(),
        AcquireError::Closed
    );
    assert_eq!(
        Arc::clone(&sem).acquire_blocking_owned().unwrap_err(),
        AcquireError::Closed
    );
    assert_eq!(
        Arc::clone(&sem).acquire_many_blocking_owned(2).unwrap_err(),
        AcquireError::Closed
    );
    let owned = futures::executor::block_on(Arc::clone(&sem).acquire_owned());
    assert_eq!(owned.unwrap_err(), AcquireError::Closed);
}

#[test]
fn tokio_blocking_waiter_is_woken_by_close() {
    let sem = Arc::new(Semaphore::new(0));
    let s2 = Arc::clone(&sem);
    let h = std::thread::spawn(move || s2.acquire_many_blocking(2).map(|_| ()));
    std::thread::sleep(Duration::from_millis(10));
    sem.close();
    assert_eq!(h.join().unwrap(), Err(AcquireError::Closed));
}

#[test]
fn tokio_poll_acquire_available() {
    let s = Semaphore::new(100);
    ready(Task::new(s.acquire()).poll()).forget();
    assert_eq!(s.available_permits(), 99);
    ready(Task::new(s.acquire_many(5)).poll()).forget();
    assert_eq!(s.available_permits(), 94);
    s.try_acquire_many(5).unwrap().forget();
    assert_eq!(s.available_permits(), 89);
}

#[test]
fn tokio_poll_acquire_one_unavailable() {
    let s = Semaphore::new(1);
    ready(Task::new(s.acquire()).poll()).forget();
    assert_eq!(s.available_permits(), 0);
    let mut acquire_2 = Task::new(s.acquire());
    assert!(acquire_2.poll().is_pending());
    assert_eq!(s.available_permits(), 0);
    s.add_permits(1);
    assert!(acquire_2.is_woken());
    ready(acquire_2.poll()).forget();
    assert_eq!(s.available_permits(), 0);
    s.add_permits(1);
    assert_eq!(s.available_permits(), 1);
}

#[test]
fn tokio_poll_acquire_many_unavailable() {
    // In handoff mode (the head past the bound) para assigns permits to the
    // head as tokio always does; in barging mode `acquire_3` would have
    // taken 3 of the 4 free permits (a difference by design).
    let s = Semaphore::new(5);
    ready(Task::new(s.acquire()).poll()).forget();
    assert_eq!(s.available_permits(), 4);
    let mut acquire_2 = Task::new(s.acquire_many(5));
    assert!(acquire_2.poll().is_pending());
    std::thread::sleep(PAST_THE_BOUND);
    let mut acquire_3 = Task::new(s.acquire_many(3));
    assert!(acquire_3.poll().is_pending());
    assert_eq!(s.available_permits(), 0);
    s.add_permits(1);
    assert!(acquire_2.is_woken());
    let p2 = ready(acquire_2.poll());
    assert_eq!(p2.num_permits(), 5);
    assert!(!acquire_3.is_woken());
    s.add_permits(1);
    assert!(!acquire_3.is_woken());
    s.add_permits(2);
    assert!(acquire_3.is_woken());
    assert_eq!(ready(acquire_3.poll()).num_permits(), 3);
}

#[test]
fn tokio_try_acquire_unavailable() {
    let s = Semaphore::new(1);
    s.try_acquire().unwrap().forget();
    assert!(s.try_acquire().is_none());
    s.add_permits(1);
    assert_eq!(s.available_permits(), 1);
    s.try_acquire().unwrap().forget();
    s.add_permits(1);
    assert_eq!(s.available_permits(), 1);

    let s = Semaphore::new(5);
    s.try_acquire().unwrap().forget();
    assert_eq!(s.available_permits(), 4);
    assert!(s.try_acquire_many(5).is_none());
    s.add_permits(1);
    assert_eq!(s.available_permits(), 5);
    s.try_acquire_many(5).unwrap().forget();
    s.add_permits(1);
    assert_eq!(s.available_permits(), 1);
    s.add_permits(1);
    assert_eq!(s.available_permits(), 2);
}

#[test]
fn tokio_poll_acquire_one_zero_permits() {
    let s = Semaphore::new(0);
    let mut acquire = Task::new(s.acquire());
    assert!(acquire.poll().is_pending());
    s.add_permits(1);
    assert!(acquire.is_woken());
    drop(ready(acquire.poll()));
}

#[test]
fn tokio_close_semaphore_prevents_acquire() {
    let s = Semaphore::new(5);
    s.close();
    assert_eq!(s.available_permits(), 5);
    for _ in 0..2 {
        assert!(matches!(
            Task::new(s.acquire()).poll(),
            Poll::Ready(Err(AcquireError::Closed))
        ));
        assert_eq!(s.available_permits(), 5);
    }
}

#[test]
fn tokio_close_wakes_waiters_with_err() {
    let s = Semaphore::new(0);
    let mut acquire = Task::new(s.acquire());
    assert!(acquire.poll().is_pending());
    s.close();
    assert!(acquire.is_woken());
    assert!(matches!(
        acquire.poll(),
        Poll::Ready(Err(AcquireError::Closed))
    ));

    let s = Semaphore::new(2);
    ready(Task::new(s.acquire()).poll()).forget();
    ready(Task::new(s.acquire()).poll()).forget();
    let mut acquire3 = Task::new(s.acquire());
    let mut acquire4 = Task::new(s.acquire_many(2));
    assert!(acquire3.poll().is_pending());
    assert!(acquire4.poll().is_pending());
    s.close();
    assert!(acquire3.is_woken());
    assert!(acquire4.is_woken());
    assert!(matches!(
        acquire3.poll(),
        Poll::Ready(Err(AcquireError::Closed))
    ));
    assert!(matches!(
        acquire4.poll(),
        Poll::Ready(Err(AcquireError::Closed))
    ));
    assert_eq!(s.available_permits(), 0);
    s.add_permits(1);
    assert_eq!(s.available_permits(), 1);
    assert!(matches!(
        Task::new(s.acquire()).poll(),
        Poll::Ready(Err(AcquireError::Closed))
    ));
    s.add_permits(1);
    assert_eq!(s.available_permits(), 2);
}

#[test]
fn close_gives_back_permits_assigned_to_a_starving_waiter() {
    let s = Semaphore::new(3);
    let held = s.try_acquire().unwrap();
    let mut big = Task::new(s.acquire_many(3));
    assert!(big.poll().is_pending());
    std::thread::sleep(PAST_THE_BOUND);
    assert!(s.try_acquire().is_none()); // the 2 free now belong to `big`
    assert_eq!(s.available_permits(), 0);
    s.close();
    assert_eq!(s.available_permits(), 2);
    assert!(matches!(big.poll(), Poll::Ready(Err(AcquireError::Closed))));
    drop(held);
    assert_eq!(s.available_permits(), 3);
}

#[test]
fn tokio_release_permits_at_drop_of_a_replaced_waker() {
    // A waker that owns a permit: replacing it on a re-poll drops it, which
    // releases the permit; the semaphore must not deadlock on its own lock.
    struct ReleaseOnDrop(#[allow(dead_code)] Option<para::OwnedSemaphorePermit>);
    impl futures::task::ArcWake for ReleaseOnDrop {
        fn wake_by_ref(_: &Arc<Self>) {}
    }
    let sem = Arc::new(Semaphore::new(1));
    let mut fut = Box::pin(async {
        let _permit = sem.acquire().await.unwrap();
    });
    for _ in 0..=1 {
        let waker = futures::task::waker(Arc::new(ReleaseOnDrop(
            Arc::clone(&sem).try_acquire_owned(),
        )));
        let mut cx = Context::from_waker(&waker);
        assert!(fut.as_mut().poll(&mut cx).is_pending());
    }
}

// ---------------------------------------------------------------------------
// async-lock's tests/semaphore.rs, translated (async-lock's `acquire_arc`
// is para's `acquire_owned`; its `acquire` cannot fail, para's returns
// `Err` once closed).

#[test]
fn async_lock_try_acquire() {
    let s = Semaphore::new(2);
    let g1 = s.try_acquire().unwrap();
    let _g2 = s.try_acquire().unwrap();
    assert!(s.try_acquire().is_none());
    drop(g1);
    assert!(s.try_acquire().is_some());
}

#[test]
fn async_lock_stress() {
    const THREADS: usize = 16;
    const COUNT: usize = 1000;
    let s = Arc::new(Semaphore::new(5));
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let s = Arc::clone(&s);
            std::thread::spawn(move || {
                futures::executor::block_on(async {
                    for _ in 0..COUNT {
                        drop(s.acquire().await.unwrap());
                    }
                })
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let held: Vec<_> = (0..5).map(|_| s.try_acquire().unwrap()).collect();
    assert!(s.try_acquire().is_none());
    drop(held);
    assert_eq!(s.available_permits(), 5);
}

#[test]
fn async_lock_as_mutex_and_multi_resource() {
    let s = Arc::new(Semaphore::new(1));
    let s2 = Arc::clone(&s);
    let t = std::thread::spawn(move || {
        futures::executor::block_on(async { drop(s2.acquire().await.unwrap()) })
    });
    futures::executor::block_on(async { drop(s.acquire().await.unwrap()) });
    t.join().unwrap();

    // Two permits, two holders at once: each waits for the other while
    // holding its own.
    let s = Arc::new(Semaphore::new(2));
    let s2 = Arc::clone(&s);
    let (tx1, rx1) = std::sync::mpsc::channel();
    let (tx2, rx2) = std::sync::mpsc::channel();
    let t = std::thread::spawn(move || {
        futures::executor::block_on(async {
            let _g = s2.acquire().await.unwrap();
            rx2.recv().unwrap();
            tx1.send(()).unwrap();
        })
    });
    futures::executor::block_on(async {
        let _g = s.acquire().await.unwrap();
        tx2.send(()).unwrap();
        rx1.recv().unwrap();
    });
    t.join().unwrap();
}

#[test]
fn async_lock_owned_future_keeps_the_semaphore_alive() {
    let fut = {
        let s = Arc::new(Semaphore::new(2));
        s.acquire_owned()
    };
    let p = futures::executor::block_on(fut).unwrap();
    assert_eq!(p.num_permits(), 1);
    assert_eq!(p.semaphore().available_permits(), 1);
}

#[test]
fn async_lock_yields_when_contended() {
    let s = Semaphore::new(1);
    let held = s.try_acquire().unwrap();
    let mut f = Task::new(s.acquire());
    assert!(f.poll().is_pending());
    drop(held);
    assert!(f.is_woken());
    drop(ready(f.poll()));

    let s = Arc::new(Semaphore::new(1));
    let held = Arc::clone(&s).try_acquire_owned().unwrap();
    let mut f = Task::new(Arc::clone(&s).acquire_owned());
    assert!(f.poll().is_pending());
    drop(held);
    assert!(f.is_woken());
    drop(ready(f.poll()));
}

#[test]
fn async_lock_smoke_blocking() {
    let s = Semaphore::new(2);
    let g1 = s.acquire_blocking().unwrap();
    let _g2 = s.acquire_blocking().unwrap();
    assert!(s.try_acquire().is_none());
    drop(g1);
    assert!(s.try_acquire().is_some());

    let s = Arc::new(Semaphore::new(2));
    let g1 = Arc::clone(&s).acquire_blocking_owned().unwrap();
    let _g2 = Arc::clone(&s).acquire_blocking_owned().unwrap();
    assert!(s.try_acquire().is_none());
    drop(g1);
    assert!(s.try_acquire().is_some());
}

#[test]
fn async_lock_available_permits() {
    let s = Semaphore::new(2);
    assert_eq!(s.available_permits(), 2);
    let g = s.try_acquire().unwrap();
    assert_eq!(s.available_permits(), 1);
    drop(g);
    assert_eq!(s.available_permits(), 2);
}

#[test]
fn async_lock_add_permits_serves_50_waiting_threads() {
    let counter = Arc::new(AtomicUsize::new(0));
    let s = Arc::new(Semaphore::new(0));
    let threads: Vec<_> = (0..50)
        .map(|_| {
            let (s, counter) = (Arc::clone(&s), Arc::clone(&counter));
            std::thread::spawn(move || {
                futures::executor::block_on(async {
                    s.acquire().await.unwrap().forget();
                    counter.fetch_add(1, Ordering::SeqCst);
                })
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(10));
    assert_eq!(counter.load(Ordering::SeqCst), 0);
    s.add_permits(50);
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(counter.load(Ordering::SeqCst), 50);
    assert_eq!(s.available_permits(), 0);
}

#[test]
fn async_lock_add_permits_serves_the_first_waiter_only() {
    let s = Semaphore::new(0);
    let mut acq = Task::new(s.acquire());
    let mut acq_2 = Task::new(s.acquire());
    assert!(acq.poll().is_pending());
    assert!(acq_2.poll().is_pending());
    s.add_permits(1);
    assert!(acq.is_woken());
    assert!(!acq_2.is_woken());
    ready(acq.poll()).forget();
    assert!(acq_2.poll().is_pending());
}
