//! `dispatch` / `dispatch_async` by registry name: results, every error
//! variant, panics, disposal, cancellation, and load from several threads.

mod common;
use common::signal_values;
use para::{pure, DispatchError, Pool};
use std::sync::Arc;

#[pure(name = "rankBatch")]
fn rank_batch(batch: &[f32]) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..batch.len() as u32).collect();
    idx.sort_by(|&a, &b| batch[b as usize].total_cmp(&batch[a as usize]));
    idx
}

#[pure]
fn add_pair(a: u64, b: u64) -> u64 {
    a + b
}

#[pure]
fn maybe_fail(x: u64) -> u64 {
    if x % 10 == 7 {
        panic!("bad input {x}");
    }
    x * 2
}

#[pure]
fn greet(name: &str) -> String {
    format!("hello {name}")
}

mod left {
    #[para::pure]
    pub fn twin(x: u32) -> u32 {
        x + 1
    }
}

mod right {
    #[para::pure]
    pub fn twin(x: u32) -> u32 {
        x + 2
    }
}

fn pool(n: usize) -> Pool {
    Pool::builder().concurrency(n).build().unwrap()
}

#[test]
fn dispatch_runs_registered_kernels() {
    let p = pool(2);
    let r: Vec<u32> = p.dispatch("rankBatch", vec![0.5f32, 2.0, 1.0]).unwrap();
    assert_eq!(r, vec![1, 2, 0]);
    let s: u64 = p.dispatch("add_pair", (40u64, 2u64)).unwrap();
    assert_eq!(s, 42);
    let g: String = p.dispatch("greet", "para".to_string()).unwrap();
    assert_eq!(g, "hello para");
    let full = format!("{}::rankBatch", module_path!());
    let r: Vec<u32> = p.dispatch(&full, vec![3.0f32, 1.0]).unwrap();
    assert_eq!(r, vec![0, 1]);
    assert_eq!(p.signals().completed.get(), 4);
}

#[test]
fn errors_are_checked_before_anything_runs() {
    let p = pool(1);
    match p.dispatch::<Vec<u32>, _>("rankBatc", vec![1.0f32]) {
        Err(DispatchError::UnknownKernel { name, suggestions }) => {
            assert_eq!(name, "rankBatc");
            assert_eq!(suggestions, vec!["rankBatch".to_string()]);
        }
        other => panic!("{other:?}"),
    }
    match p.dispatch::<u32, _>("twin", 1u32) {
        Err(DispatchError::Ambiguous { name, candidates }) => {
            assert_eq!(name, "twin");
            assert_eq!(candidates.len(), 2);
            assert!(candidates.iter().any(|c| c.ends_with("::left::twin")));
        }
        other => panic!("{other:?}"),
    }
    let l: u32 = p
        .dispatch(&format!("{}::left::twin", module_path!()), 1u32)
        .unwrap();
    let r: u32 = p
        .dispatch(&format!("{}::right::twin", module_path!()), 1u32)
        .unwrap();
    assert_eq!((l, r), (2, 3));
    match p.dispatch::<Vec<u32>, _>("rankBatch", vec![1.0f64]) {
        Err(DispatchError::ArgType {
            kernel,
            expected,
            found,
        }) => {
            assert!(kernel.ends_with("::rankBatch"));
            assert!(expected.contains("Vec<f32>"), "{expected}");
            assert!(found.contains("Vec<f64>"), "{found}");
        }
        other => panic!("{other:?}"),
    }
    match p.dispatch::<Vec<u64>, _>("rankBatch", vec![1.0f32]) {
        Err(e @ DispatchError::ReturnType { .. }) => {
            assert!(e.to_string().contains("Vec<u32>"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(p.signals().completed.get(), 2, "only the two twins ran");
}

#[test]
fn panics_become_errors_and_the_pool_keeps_working() {
    let p = pool(2);
    let workers = p.signals().workers_count.get();
    match p.dispatch::<u64, _>("maybe_fail", 17u64) {
        Err(DispatchError::Panicked { kernel, message }) => {
            assert!(kernel.ends_with("::maybe_fail"));
            assert_eq!(message, "bad input 17");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(p.dispatch::<u64, _>("maybe_fail", 3u64), Ok(6));
    assert_eq!(p.signals().workers_count.get(), workers);
}

#[test]
fn ten_thousand_dispatches_from_four_threads_with_ten_percent_panics() {
    let p = Arc::new(pool(2));
    let workers = p.signals().workers_count.get();
    let handles: Vec<_> = (0..4u64)
        .map(|t| {
            let p = Arc::clone(&p);
            std::thread::spawn(move || {
                let (mut ok, mut panicked) = (0, 0);
                for i in 0..2500u64 {
                    let x = t * 2500 + i;
                    match p.dispatch::<u64, _>("maybe_fail", x) {
                        Ok(v) => {
                            assert_eq!(v, x * 2);
                            ok += 1;
                        }
                        Err(DispatchError::Panicked { message, .. }) => {
                            assert_eq!(message, format!("bad input {x}"));
                            panicked += 1;
                        }
                        Err(e) => panic!("{e}"),
                    }
                }
                (ok, panicked)
            })
        })
        .collect();
    let (mut ok, mut panicked) = (0, 0);
    for h in handles {
        let (o, pa) = h.join().unwrap();
        ok += o;
        panicked += pa;
    }
    assert_eq!((ok, panicked), (9000, 1000));
    let s = p.signals();
    assert_eq!(s.completed.get(), 10_000);
    assert_eq!((s.queued.get(), s.inflight.get()), (0, 0));
    assert_eq!(s.workers_count.get(), workers);
}

#[test]
fn dispose_with_a_thousand_queued_answers_each_exactly_once() {
    let p = pool(1);
    let futs: Vec<_> = (0..1000u64)
        .map(|_| p.dispatch_async::<u64, _>("spin_for", 20_000u64))
        .collect();
    assert!(p.signals().queued.get() > 0);
    p.dispose();
    let (mut ok, mut disposed) = (0, 0);
    for f in futs {
        match futures::executor::block_on(f) {
            Ok(_) => ok += 1,
            Err(DispatchError::Disposed) => disposed += 1,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(ok + disposed, 1000);
    assert!(disposed > 0, "some requests were still queued");
    let s = p.signals();
    assert_eq!(signal_values(&s), (0, 0, 0, 0));
    assert_eq!(
        p.dispatch::<u64, _>("add_pair", (1u64, 1u64)),
        Err(DispatchError::Disposed)
    );
}

#[test]
fn dispatch_async_under_tokio_and_block_on() {
    let p = Arc::new(pool(2));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let p2 = Arc::clone(&p);
    let total = rt.block_on(async move {
        let tasks: Vec<_> = (0..100u64)
            .map(|i| {
                let fut = p2.dispatch_async::<u64, _>("add_pair", (i, 1u64));
                tokio::spawn(fut)
            })
            .collect();
        let mut total = 0;
        for t in tasks {
            total += t.await.unwrap().unwrap();
        }
        total
    });
    assert_eq!(total, (1..=100).sum::<u64>());
    let r: Vec<u32> =
        futures::executor::block_on(p.dispatch_async("rankBatch", vec![1.0f32, 3.0])).unwrap();
    assert_eq!(r, vec![1, 0]);
    let err = futures::executor::block_on(p.dispatch_async::<u32, _>("nope", 1u32)).unwrap_err();
    assert!(matches!(err, DispatchError::UnknownKernel { .. }));
}

#[test]
fn dropping_a_queued_future_removes_its_request() {
    let p = Arc::new(pool(1));
    // Occupy the only worker.
    let busy = p.dispatch_async::<u64, _>("spin_for", 50_000_000u64);
    while p.signals().inflight.get() == 0 {
        std::thread::yield_now();
    }
    let queued = p.dispatch_async::<u64, _>("add_pair", (1u64, 2u64));
    assert_eq!(p.signals().queued.get(), 1);
    drop(queued);
    assert_eq!(p.signals().queued.get(), 0, "the request left the queue");
    futures::executor::block_on(busy).unwrap();
    let s = p.signals();
    assert_eq!(s.completed.get(), 1, "the dropped request never ran");
    assert_eq!((s.queued.get(), s.inflight.get()), (0, 0));
}

#[test]
fn dispatch_error_is_a_proper_error() {
    fn assert_bounds<E: std::error::Error + Send + Sync + 'static>() {}
    assert_bounds::<DispatchError>();
    fn assert_fut<F: std::future::Future + Send + 'static>(_: &F) {}
    let p = pool(1);
    let f = p.dispatch_async::<u64, _>("add_pair", (1u64, 2u64));
    assert_fut(&f);
    assert_eq!(futures::executor::block_on(f), Ok(3));
}

#[test]
fn dispatch_from_a_worker_runs_inline_without_deadlock() {
    // One worker: a dispatch queued from it could never be picked up.
    let p = pool(1);
    let out = p.map(
        |i: usize| p.dispatch::<u64, _>("add_pair", (i as u64, 1u64)).unwrap(),
        0..2000,
    );
    assert_eq!(out, (1..=2000u64).collect::<Vec<_>>());
}
