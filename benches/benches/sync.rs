//! para's Mutex and Semaphore vs tokio::sync and async-lock (and std /
//! parking_lot for the blocking cases), one group per case.

use criterion::{criterion_group, criterion_main, Criterion};
use futures::task::noop_waker;
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// Poll a future once (the uncontended case completes on the first poll).
fn once<F: Future>(f: F) -> F::Output {
    let w = noop_waker();
    let mut cx = Context::from_waker(&w);
    match pin!(f).poll(&mut cx) {
        Poll::Ready(v) => v,
        Poll::Pending => unreachable!("uncontended"),
    }
}

fn uncontended(c: &mut Criterion) {
    let mut g = c.benchmark_group("mutex_uncontended_lock_unlock");
    g.measurement_time(Duration::from_secs(1))
        .warm_up_time(Duration::from_millis(300));
    let p = para::Mutex::new(0u64);
    let t = tokio::sync::Mutex::new(0u64);
    let a = async_lock::Mutex::new(0u64);
    let s = std::sync::Mutex::new(0u64);
    g.bench_function("para", |b| b.iter(|| *once(black_box(&p).lock()) += 1));
    g.bench_function("tokio", |b| b.iter(|| *once(black_box(&t).lock()) += 1));
    g.bench_function("async_lock", |b| {
        b.iter(|| *once(black_box(&a).lock()) += 1)
    });
    g.bench_function("std", |b| b.iter(|| *black_box(&s).lock().unwrap() += 1));
    g.finish();

    let mut g = c.benchmark_group("semaphore_uncontended_acquire_drop");
    g.measurement_time(Duration::from_secs(1))
        .warm_up_time(Duration::from_millis(300));
    let p = para::Semaphore::new(4);
    let t = tokio::sync::Semaphore::new(4);
    let a = async_lock::Semaphore::new(4);
    g.bench_function("para", |b| {
        b.iter(|| drop(once(black_box(&p).acquire()).unwrap()))
    });
    g.bench_function("tokio", |b| {
        b.iter(|| drop(once(black_box(&t).acquire()).unwrap()))
    });
    g.bench_function("async_lock", |b| {
        b.iter(|| drop(once(black_box(&a).acquire())))
    });
    g.finish();
}

/// Time for `threads` threads to do `per` increments each under `lock`.
fn run_threads(threads: usize, per: u64, body: Arc<dyn Fn() + Send + Sync>) -> Duration {
    let start = Arc::new(std::sync::Barrier::new(threads + 1));
    let hs: Vec<_> = (0..threads)
        .map(|_| {
            let (body, start) = (Arc::clone(&body), Arc::clone(&start));
            std::thread::spawn(move || {
                start.wait();
                for _ in 0..per {
                    body();
                }
            })
        })
        .collect();
    start.wait();
    let t = Instant::now();
    for h in hs {
        h.join().unwrap();
    }
    t.elapsed()
}

fn contended_blocking(c: &mut Criterion) {
    let mut g = c.benchmark_group("mutex_2_threads_blocking_10k_increments");
    g.sample_size(15)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(300));
    let per = 5_000u64;
    macro_rules! case {
        ($name:expr, $make:expr, $lock:expr) => {
            g.bench_function($name, |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let m = Arc::new($make);
                        let m2 = Arc::clone(&m);
                        total += run_threads(
                            2,
                            per,
                            Arc::new(move || {
                                let lock = $lock;
                                lock(&m2)
                            }),
                        );
                    }
                    total
                })
            });
        };
    }
    case!(
        "para_lock_blocking",
        para::Mutex::new(0u64),
        |m: &para::Mutex<u64>| *m.lock_blocking() += 1
    );
    case!(
        "async_lock_lock_blocking",
        async_lock::Mutex::new(0u64),
        |m: &async_lock::Mutex<u64>| *m.lock_blocking() += 1
    );
    case!(
        "tokio_blocking_lock",
        tokio::sync::Mutex::new(0u64),
        |m: &tokio::sync::Mutex<u64>| *m.blocking_lock() += 1
    );
    case!(
        "std",
        std::sync::Mutex::new(0u64),
        |m: &std::sync::Mutex<u64>| *m.lock().unwrap() += 1
    );
    case!(
        "parking_lot",
        parking_lot::Mutex::new(0u64),
        |m: &parking_lot::Mutex<u64>| *m.lock() += 1
    );
    g.finish();
}

fn contended_async(c: &mut Criterion) {
    let mut g = c.benchmark_group("mutex_2_tasks_tokio_2_workers_10k_increments");
    g.sample_size(15)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(300));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let per = 5_000u64;
    macro_rules! case {
        ($name:expr, $make:expr) => {
            g.bench_function($name, |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let m = Arc::new($make);
                        let t = Instant::now();
                        rt.block_on(async {
                            let tasks: Vec<_> = (0..2)
                                .map(|_| {
                                    let m = Arc::clone(&m);
                                    tokio::spawn(async move {
                                        for _ in 0..per {
                                            *m.lock().await += 1;
                                        }
                                    })
                                })
                                .collect();
                            for t in tasks {
                                t.await.unwrap();
                            }
                        });
                        total += t.elapsed();
                    }
                    total
                })
            });
        };
    }
    case!("para", para::Mutex::new(0u64));
    case!("async_lock", async_lock::Mutex::new(0u64));
    case!("tokio", tokio::sync::Mutex::new(0u64));
    g.finish();
}

criterion_group!(benches, uncontended, contended_blocking, contended_async);
criterion_main!(benches);
