//! Panics, nesting, several pools, the global pool, builder errors, rows.

mod common;
use common::signal_values;
use para::{BuildError, Pool, Rows, RowsError};
use std::panic::{catch_unwind, AssertUnwindSafe};

#[test]
fn kernel_panic_is_reraised_with_payload_and_pool_survives() {
    let p = Pool::builder().concurrency(2).build().unwrap();
    let workers = p.signals().workers_count.get();
    assert_eq!(workers, p.concurrency());
    for round in 0..20 {
        let err = catch_unwind(AssertUnwindSafe(|| {
            p.map(
                |i: usize| {
                    if i == 5000 + round {
                        std::panic::panic_any(format!("boom at {i}"));
                    }
                    let mut x = i as f64;
                    for _ in 0..200 {
                        x = x.sqrt() + 1.0;
                    }
                    x
                },
                0..20_000,
            )
        }))
        .unwrap_err();
        assert_eq!(
            err.downcast_ref::<String>().unwrap(),
            &format!("boom at {}", 5000 + round)
        );
        let ok = p.map(|i: usize| i + 1, 0..10_000);
        assert_eq!(ok[9_999], 10_000);
    }
    let err = catch_unwind(AssertUnwindSafe(|| {
        p.reduce(
            |a: u32, b: u32| {
                if b == 77 {
                    panic!("static payload")
                } else {
                    a + b
                }
            },
            0,
            (0..1000).collect::<Vec<u32>>(),
        )
    }))
    .unwrap_err();
    assert_eq!(*err.downcast_ref::<&str>().unwrap(), "static payload");
    assert_eq!(p.signals().workers_count.get(), workers, "no worker lost");
    assert_eq!(p.signals().inflight.get(), 0);
}

#[test]
fn nested_map_on_the_same_pool_completes() {
    let p = Pool::builder().concurrency(2).build().unwrap();
    let out = p.map(
        |i: usize| {
            let inner = p.map(|j: usize| (i * j) as u64, 0..2000);
            p.reduce(|a, b| a + b, 0u64, &inner)
        },
        0..200,
    );
    for (i, v) in out.iter().enumerate() {
        assert_eq!(*v, (0..2000u64).map(|j| i as u64 * j).sum::<u64>());
    }
}

#[test]
fn two_pools_used_at_once_from_different_threads() {
    let a = Pool::builder().concurrency(2).name("a").build().unwrap();
    let b = Pool::builder().concurrency(2).name("b").build().unwrap();
    std::thread::scope(|s| {
        for pool in [&a, &b, &a, &b] {
            s.spawn(move || {
                for k in 0..20u64 {
                    let v: Vec<u64> = pool.map(|i: usize| i as u64 * k, 0..50_000);
                    assert_eq!(pool.reduce(|x, y| x + y, 0, &v), k * 50_000 * 49_999 / 2);
                }
            });
        }
    });
    assert_eq!(a.name(), "a");
}

#[test]
fn global_pool_disposes_and_restarts() {
    let g = para::global();
    let heavy = |i: usize| {
        let mut x = i as f64;
        for _ in 0..2000 {
            x = (x + 1.0).sqrt();
        }
        x
    };
    assert_eq!(g.map(heavy, 0..2000).len(), 2000);
    para::dispose_workers();
    let s = g.signals();
    assert_eq!(signal_values(&s), (0, 0, 0, 0));
    let out = g.map(heavy, 0..2000);
    assert_eq!(out.len(), 2000);
    assert_eq!(s.workers_count.get(), g.concurrency(), "workers restarted");
    para::reset_heuristic();
    assert_eq!(g.map(|i: usize| i, 0..3), vec![0, 1, 2]);
}

#[test]
fn explicit_pool_dispose_zeroes_signals_and_still_maps_inline() {
    let p = Pool::builder().concurrency(2).build().unwrap();
    let _ = p.map(|i: usize| i * 2, 0..100_000);
    p.dispose();
    let s = p.signals();
    assert_eq!(signal_values(&s), (0, 0, 0, 0));
    assert_eq!(p.map(|i: usize| i * 2, 0..5), vec![0, 2, 4, 6, 8]);
    p.dispose();
}

#[test]
fn builder_errors_are_typed() {
    assert!(matches!(
        Pool::builder().concurrency(0).build(),
        Err(BuildError::ZeroConcurrency)
    ));
    assert!(matches!(
        Pool::builder().chunk_size(0).build(),
        Err(BuildError::ZeroChunkSize)
    ));
    let e = Pool::builder().concurrency(0).build().unwrap_err();
    assert!(e.to_string().contains("concurrency"), "{e}");
    let e = Pool::builder().chunk_size(0).build().unwrap_err();
    assert!(e.to_string().contains("chunk_size"), "{e}");
    let cores = std::thread::available_parallelism().unwrap().get();
    assert_eq!(
        Pool::builder()
            .concurrency(10_000)
            .build()
            .unwrap()
            .concurrency(),
        cores
    );
    let p = Pool::builder().chunk_size(7).build().unwrap();
    assert_eq!(p.map(|i: usize| i, 0..100).len(), 100);
}

#[test]
fn runtime_zero_options_panic_clearly() {
    let err = catch_unwind(|| para::CallOptions::default().concurrency(0)).unwrap_err();
    assert!(err.downcast_ref::<&str>().unwrap().contains("at least 1"));
    let err = catch_unwind(|| para::CallOptions::default().chunk_size(0)).unwrap_err();
    assert!(err.downcast_ref::<&str>().unwrap().contains("chunk_size"));
}

#[test]
fn rows_errors() {
    let d = [1.0f32; 10];
    assert_eq!(Rows::new(&d, 0).unwrap_err(), RowsError::ZeroWidth);
    assert_eq!(
        Rows::new(&d, 3).unwrap_err(),
        RowsError::Ragged { len: 10, width: 3 }
    );
    assert!(Rows::new(&d, 3).unwrap_err().to_string().contains("10"));
    let r = Rows::new(&d, 5).unwrap();
    assert_eq!((r.len(), r.width(), r.is_empty()), (2, 5, false));
    let e: [f32; 0] = [];
    assert!(Rows::new(&e, 4).unwrap().is_empty());
}

#[test]
fn dispose_from_inside_a_kernel_does_not_deadlock() {
    let p = Pool::builder().concurrency(2).build().unwrap();
    let out = p.map(
        |i: usize| {
            if i == 500 {
                p.dispose();
            }
            let mut x = i as f64;
            for _ in 0..200 {
                x = x.sqrt() + 1.0;
            }
            (i, x)
        },
        0..2000,
    );
    assert!(out.iter().enumerate().all(|(i, (j, _))| i == *j));
    assert_eq!(
        p.map(|i: usize| i + 1, 0..4),
        vec![1, 2, 3, 4],
        "inline after dispose"
    );
}
