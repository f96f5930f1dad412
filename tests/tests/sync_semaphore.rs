//! Semaphore: FIFO, atomic acquire_many, close, cancellation, owned permits.

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
