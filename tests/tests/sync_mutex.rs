//! Mutex: exclusion, fairness bound, cancellation, owned guards.

mod common;
use common::Task;
use futures::task::noop_waker;
use para::Mutex;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

#[test]
fn counter_under_contention_is_exact() {
    let m = Arc::new(Mutex::new(0u64));
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let m = Arc::clone(&m);
            std::thread::spawn(move || {
                for _ in 0..5000 {
                    if t % 2 == 0 {
                        *m.lock_blocking() += 1;
                    } else {
                        futures::executor::block_on(async { *m.lock().await += 1 });
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(*m.try_lock().unwrap(), 20_000);
}

#[test]
fn waiter_gets_the_lock_within_a_few_ms_against_a_tight_relock_loop() {
    let m = Arc::new(Mutex::new(()));
    let stop = Arc::new(AtomicBool::new(false));
    let (m2, stop2) = (Arc::clone(&m), Arc::clone(&stop));
    let hog = std::thread::spawn(move || {
        while !stop2.load(Ordering::Relaxed) {
            let _g = m2.lock_blocking();
            std::hint::black_box(0);
        }
    });
    std::thread::sleep(Duration::from_millis(5));
    let mut worst = Duration::ZERO;
    for _ in 0..50 {
        let t = Instant::now();
        let g = m.lock_blocking();
        worst = worst.max(t.elapsed());
        drop(g);
        std::thread::sleep(Duration::from_micros(200));
    }
    stop.store(true, Ordering::Relaxed);
    hog.join().unwrap();
    // 0.5 ms of barging, then direct hand-off; generous for a shared CI box.
    assert!(worst < Duration::from_millis(50), "worst wait {worst:?}");
}

#[test]
fn cancelled_lock_future_passes_the_lock_on() {
    let m = Mutex::new(1);
    let w = noop_waker();
    let mut cx = Context::from_waker(&w);
    let g = m.try_lock().unwrap();
    let mut a = Box::pin(m.lock());
    let mut b = Box::pin(m.lock());
    assert!(a.as_mut().poll(&mut cx).is_pending());
    assert!(b.as_mut().poll(&mut cx).is_pending());
    drop(g);
    drop(a);
    match b.as_mut().poll(&mut cx) {
        Poll::Ready(mut g) => *g += 1,
        Poll::Pending => panic!("the lock was lost"),
    }
    drop(b);
    assert_eq!(*m.try_lock().unwrap(), 2);
    assert!(format!("{m:?}").contains('2'));
}

#[test]
fn owned_guard_and_into_inner() {
    let m = Arc::new(Mutex::new(vec![1]));
    let mut g = futures::executor::block_on(Arc::clone(&m).lock_owned());
    g.push(2);
    let h = std::thread::spawn(move || {
        g.push(3);
    });
    h.join().unwrap();
    let m = Arc::try_unwrap(m).unwrap();
    assert_eq!(m.into_inner(), vec![1, 2, 3]);
    let mut m = Mutex::new(5);
    *m.get_mut() += 1;
    assert_eq!(*m.lock_blocking(), 6);
}

#[test]
fn two_tasks_on_a_two_worker_tokio_runtime() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let m = Arc::new(Mutex::new(0u32));
    rt.block_on(async {
        let tasks: Vec<_> = (0..2)
            .map(|_| {
                let m = Arc::clone(&m);
                tokio::spawn(async move {
                    for _ in 0..10_000 {
                        *m.lock().await += 1;
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    });
    assert_eq!(*m.lock_blocking(), 20_000);
}

fn ready<T>(p: Poll<T>) -> T {
    match p {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("expected Ready, got Pending"),
    }
}

#[test]
fn owned_forms_try_lock_owned_and_lock_blocking_owned() {
    let m = Arc::new(Mutex::new(0));
    let g = Arc::clone(&m).try_lock_owned().unwrap();
    assert!(Arc::ptr_eq(para::OwnedMutexGuard::mutex(&g), &m));
    assert!(Arc::clone(&m).try_lock_owned().is_none());
    assert!(m.try_lock().is_none());
    let m2 = Arc::clone(&m);
    let t = std::thread::spawn(move || {
        let mut g = m2.lock_blocking_owned();
        *g += 1;
    });
    std::thread::sleep(Duration::from_millis(10));
    drop(g);
    t.join().unwrap();
    assert_eq!(*m.try_lock().unwrap(), 1);
    let g = m.lock_blocking();
    assert!(std::ptr::eq(para::MutexGuard::mutex(&g), &*m));
}

#[test]
fn owned_guard_keeps_the_mutex_alive() {
    let g = {
        let m = Arc::new(Mutex::new(String::from("kept")));
        Arc::clone(&m).lock_blocking_owned()
    };
    assert_eq!(&*g, "kept");
    let m = Arc::clone(para::OwnedMutexGuard::mutex(&g));
    drop(g);
    assert_eq!(Arc::strong_count(&m), 1);
    assert_eq!(Arc::try_unwrap(m).unwrap().into_inner(), "kept");
}

// ---------------------------------------------------------------------------
// tokio's tests/sync_mutex.rs and tests/sync_mutex_owned.rs, translated
// (`try_lock` returns an `Option`).

#[test]
fn tokio_straight_execution() {
    let l = Mutex::new(100);
    for (seen, next) in [(100, 99), (99, 98), (98, 98)] {
        let mut t = Task::new(l.lock());
        let mut g = ready(t.poll());
        assert_eq!(*g, seen);
        *g = next;
    }
    let l = Arc::new(Mutex::new(100));
    for (seen, next) in [(100, 99), (99, 98), (98, 98)] {
        let mut t = Task::new(Arc::clone(&l).lock_owned());
        let mut g = ready(t.poll());
        assert_eq!(*g, seen);
        *g = next;
    }
}

#[test]
fn tokio_readiness() {
    let l = Mutex::new(100);
    let mut t1 = Task::new(l.lock());
    let mut t2 = Task::new(l.lock());
    let g = ready(t1.poll());
    assert!(t2.poll().is_pending());
    drop(g);
    assert!(t2.is_woken());
    assert_eq!(*ready(t2.poll()), 100);

    let l = Arc::new(Mutex::new(100));
    let mut t1 = Task::new(Arc::clone(&l).lock_owned());
    let mut t2 = Task::new(Arc::clone(&l).lock_owned());
    let g = ready(t1.poll());
    assert!(t2.poll().is_pending());
    drop(g);
    assert!(t2.is_woken());
    assert_eq!(*ready(t2.poll()), 100);
}

#[test]
fn tokio_aborted_futures_leave_the_mutex_unlocked() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    rt.block_on(async {
        use tokio::time::timeout;
        let ms = Duration::from_millis(1);
        // Aborted while holding the lock.
        let m1 = Arc::new(Mutex::new(0usize));
        let m2 = Arc::clone(&m1);
        timeout(ms, async move {
            let _g = m2.lock().await;
            tokio::time::sleep(Duration::from_secs(10)).await;
        })
        .await
        .unwrap_err();
        drop(timeout(ms, m1.lock()).await.expect("mutex left locked (1)"));
        // Aborted while waiting for the lock.
        let g = m1.lock().await;
        let m2 = Arc::clone(&m1);
        timeout(ms, async move { drop(m2.lock().await) })
            .await
            .unwrap_err();
        drop(g);
        drop(timeout(ms, m1.lock()).await.expect("mutex left locked (2)"));
        // The owned forms.
        let m2 = Arc::clone(&m1);
        timeout(ms, async move {
            let _g = m2.lock_owned().await;
            tokio::time::sleep(Duration::from_secs(10)).await;
        })
        .await
        .unwrap_err();
        let g = timeout(ms, Arc::clone(&m1).lock_owned())
            .await
            .expect("mutex left locked (3)");
        timeout(ms, Arc::clone(&m1).lock_owned()).await.unwrap_err();
        drop(g);
        drop(timeout(ms, m1.lock()).await.expect("mutex left locked (4)"));
    });
}

#[test]
fn tokio_try_lock_and_try_lock_owned() {
    let m = Mutex::new(0usize);
    {
        let g1 = m.try_lock();
        assert!(g1.is_some());
        assert!(m.try_lock().is_none());
    }
    assert!(m.try_lock().is_some());

    let m = Arc::new(Mutex::new(0usize));
    {
        let g1 = Arc::clone(&m).try_lock_owned();
        assert!(g1.is_some());
        assert!(Arc::clone(&m).try_lock_owned().is_none());
    }
    assert!(m.try_lock_owned().is_some());
}

#[test]
fn tokio_debug_format() {
    let s = "debug";
    let m = Mutex::new(s.to_string());
    assert_eq!(format!("{s:?}"), format!("{:?}", m.lock_blocking()));
    let m = Arc::new(m);
    assert_eq!(
        format!("{s:?}"),
        format!("{:?}", Arc::clone(&m).lock_blocking_owned())
    );
}

#[test]
fn tokio_mutex_debug() {
    let m = Mutex::new("data".to_string());
    assert_eq!(format!("{m:?}"), r#"Mutex { data: "data" }"#);
    let _g = m.lock_blocking();
    assert_eq!(format!("{m:?}"), r#"Mutex { data: <locked> }"#);
}

// ---------------------------------------------------------------------------
// async-lock's tests/mutex.rs, translated (`lock_arc` is `lock_owned`).

#[test]
fn async_lock_smoke() {
    futures::executor::block_on(async {
        let m = Mutex::new(());
        drop(m.lock().await);
        drop(m.lock().await);
    });
    let m = Mutex::new(());
    drop(m.lock_blocking());
    drop(m.lock_blocking());
    let m = Arc::new(Mutex::new(()));
    drop(Arc::clone(&m).lock_blocking_owned());
    drop(Arc::clone(&m).lock_blocking_owned());
}

#[test]
fn async_lock_try_lock_into_inner_get_mut() {
    let m = Mutex::new(());
    *m.try_lock().unwrap() = ();
    let m = Mutex::new(10i32);
    assert_eq!(m.into_inner(), 10);
    let mut m = Mutex::new(10i32);
    *m.get_mut() = 20;
    assert_eq!(m.into_inner(), 20);
}

#[test]
fn async_lock_contention() {
    let num_tasks = 100;
    let mutex = Arc::new(Mutex::new(0i32));
    let (tx, rx) = std::sync::mpsc::channel();
    for _ in 0..num_tasks {
        let (tx, mutex) = (tx.clone(), Arc::clone(&mutex));
        std::thread::spawn(move || {
            futures::executor::block_on(async move {
                let mut lock = mutex.lock().await;
                *lock += 1;
                tx.send(()).unwrap();
                drop(lock);
            })
        });
    }
    for _ in 0..num_tasks {
        rx.recv().unwrap();
    }
    let lock = futures::executor::block_on(mutex.lock());
    assert_eq!(num_tasks, *lock);
}

#[test]
fn async_lock_owned_future_keeps_the_mutex_alive() {
    let fut = {
        let m = Arc::new(Mutex::new(0i32));
        m.lock_owned()
    };
    let g = futures::executor::block_on(fut);
    assert_eq!(*g, 0);
}

#[test]
fn async_lock_yields_when_contended() {
    let m = Mutex::new(());
    let g = m.try_lock().unwrap();
    let mut f = Task::new(m.lock());
    assert!(f.poll().is_pending());
    drop(g);
    assert!(f.is_woken());
    drop(ready(f.poll()));
    drop(f);

    let m = Arc::new(m);
    let g = Arc::clone(&m).try_lock_owned().unwrap();
    let mut f = Task::new(Arc::clone(&m).lock_owned());
    assert!(f.poll().is_pending());
    drop(g);
    assert!(f.is_woken());
    drop(ready(f.poll()));
}
