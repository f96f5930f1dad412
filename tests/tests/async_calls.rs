//! Async calls (`Pool::map_async`, `reduce_async`, `map_reduce_async`,
//! `fold_async`): results and float bits against sequential references and
//! the blocking forms, on several executors; a runtime thread that keeps
//! running during a call; cancellation; panics; the spare thread's help.

mod common;

use common::{signal_values, wait_until, Rng, Task};
use para::{CallOptions, OwnedRows, Pool};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn pools() -> Vec<Arc<Pool>> {
    vec![
        Arc::new(Pool::builder().concurrency(1).build().unwrap()),
        Arc::new(Pool::builder().concurrency(2).build().unwrap()),
        Arc::new(Pool::new().unwrap()),
    ]
}

fn random_f32(rng: &mut Rng, n: usize) -> Vec<f32> {
    (0..n).map(|_| rng.f32() * 1000.0).collect()
}

/// The documented fold rule, sequentially: blocks of `reduce_block(len,
/// None)` items (`len.div_ceil(64)` clamped to 1..=8192), each folded once
/// from `init`, the block results combined left to right from the first.
fn fold_reference<T, A: Clone>(
    xs: &[T],
    fold: impl Fn(A, &T) -> A,
    combine: impl Fn(A, A) -> A,
    init: A,
) -> A {
    if xs.is_empty() {
        return init;
    }
    let block = xs.len().div_ceil(64).clamp(1, 8192);
    let results: Vec<A> = xs
        .chunks(block)
        .map(|c| c.iter().fold(init.clone(), &fold))
        .collect();
    // Left to right from the first block's result (the documented tree).
    results.into_iter().reduce(combine).unwrap_or(init)
}

fn assert_send_static<T: Send + 'static>(_: &T) {}

#[test]
fn futures_are_send_static_and_ready_on_empty_input() {
    let p = Pool::builder().concurrency(1).build().unwrap();
    let f = p.map_async(|x: &u8| *x, Vec::<u8>::new());
    assert_send_static(&f);
    let mut t = Task::new(f);
    // An empty input needs no worker: ready at the first poll.
    assert_eq!(t.poll(), std::task::Poll::Ready(Vec::new()));
    let r = p.reduce_async(|a, b| a + b, 7u32, Vec::<u32>::new());
    assert_eq!(futures::executor::block_on(r), 7);
    let fo = p.fold_async(|a: u32, x: usize| a + x as u32, |a, b| a + b, 3, 0..0);
    assert_eq!(futures::executor::block_on(fo), 3);
}

#[test]
fn map_matches_a_sequential_map_on_every_owned_input() {
    let mut rng = Rng::new(1);
    for p in pools() {
        for _ in 0..12 {
            let n = rng.below(10_000);
            let xs = random_f32(&mut rng, n);
            let want: Vec<u32> = xs.iter().map(|x| (x * 3.0 + 1.0).to_bits()).collect();
            let k = |x: &f32| (x * 3.0 + 1.0).to_bits();
            let got = futures::executor::block_on(p.map_async(k, xs.clone()));
            assert_eq!(got, want, "Vec, n = {n}");
            let arc: Arc<[f32]> = xs.clone().into();
            assert_eq!(futures::executor::block_on(p.map_async(k, arc)), want);
            let arc_vec = Arc::new(xs.clone());
            assert_eq!(futures::executor::block_on(p.map_async(k, arc_vec)), want);
            let ids = futures::executor::block_on(p.map_async(|i: usize| i * 2 + 1, 5..5 + n));
            assert_eq!(ids, (5..5 + n).map(|i| i * 2 + 1).collect::<Vec<_>>());
            let incl = futures::executor::block_on(p.map_async(|i: usize| i, 0..=n));
            assert_eq!(incl.len(), n + 1);
        }
        let rows = OwnedRows::new((0..600).collect::<Vec<u32>>(), 3);
        let sums =
            futures::executor::block_on(p.map_async(|r: &[u32]| r.iter().sum::<u32>(), rows));
        let want: Vec<u32> = (0..200).map(|i| 9 * i + 3).collect();
        assert_eq!(sums, want);
    }
}

#[test]
fn reductions_are_bit_identical_to_the_blocking_forms_at_every_concurrency() {
    let mut rng = Rng::new(2);
    let lens: Vec<usize> = (0..10)
        .map(|_| rng.below(10_000))
        .chain([0, 1, 63, 64, 65])
        .collect();
    let mut first: Vec<(u32, u32, u64)> = Vec::new();
    for (pi, p) in pools().into_iter().enumerate() {
        let mut rng = Rng::new(3);
        for (li, &n) in lens.iter().enumerate() {
            let xs = random_f32(&mut rng, n);
            let sum = |a: f32, b: f32| a + b;
            let sq = |x: &f32| x * x;
            let blocking = p.reduce(sum, 0.0, &xs);
            let r = futures::executor::block_on(p.reduce_async(sum, 0.0, xs.clone()));
            assert_eq!(r.to_bits(), blocking.to_bits(), "reduce, n = {n}");
            let blocking_mr = p.map_reduce(sq, sum, 0.0, &xs);
            let mr = futures::executor::block_on(p.map_reduce_async(sq, sum, 0.0, xs.clone()));
            assert_eq!(mr.to_bits(), blocking_mr.to_bits(), "map_reduce, n = {n}");
            // Fold: a float accumulator of a different type than the item.
            let fold = |a: f64, x: &f32| a * 0.5 + f64::from(*x);
            let combine = |a: f64, b: f64| a + b;
            let want = fold_reference(&xs, fold, combine, 0.25);
            let fo = futures::executor::block_on(p.fold_async(fold, combine, 0.25, xs.clone()));
            assert_eq!(fo.to_bits(), want.to_bits(), "fold, n = {n}");
            if pi == 0 {
                first.push((r.to_bits(), mr.to_bits(), fo.to_bits()));
            } else {
                assert_eq!(first[li], (r.to_bits(), mr.to_bits(), fo.to_bits()));
            }
        }
    }
}

#[test]
fn non_commutative_reductions_keep_input_order() {
    for p in pools() {
        let words: Vec<String> = (0..3000).map(|i| format!("{i},")).collect();
        let want = words.concat();
        let got = futures::executor::block_on(p.reduce_async(
            |a, b| a + &b,
            String::new(),
            words.clone(),
        ));
        assert_eq!(got, want);
        let opts = CallOptions::default().chunk_size(7);
        let got = futures::executor::block_on(p.map_reduce_async_with(
            opts,
            |w: &String| w.clone(),
            |a, b| a + &b,
            String::new(),
            words.clone(),
        ));
        assert_eq!(got, want);
        let got = futures::executor::block_on(p.fold_async_with(
            opts,
            |mut a: String, w: &String| {
                a.push_str(w);
                a
            },
            |a, b| a + &b,
            String::new(),
            words.clone(),
        ));
        assert_eq!(got, want);
        let got = futures::executor::block_on(p.map_async_with(opts, |w: &String| w.len(), words));
        assert_eq!(got.iter().sum::<usize>(), want.len());
    }
}

/// 1,000 maps of random lengths from 64 tasks, all in flight together.
async fn many_maps(
    pool: Arc<Pool>,
    spawn: impl Fn(
        std::pin::Pin<Box<dyn std::future::Future<Output = usize> + Send>>,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = usize> + Send>>,
) -> usize {
    let mut tasks = Vec::new();
    for t in 0..64u64 {
        let pool = Arc::clone(&pool);
        tasks.push(spawn(Box::pin(async move {
            let mut rng = Rng::new(100 + t);
            let calls = if t < 40 { 16 } else { 15 }; // 40 × 16 + 24 × 15 = 1,000
            let mut futs = Vec::new();
            let mut wants = Vec::new();
            for _ in 0..calls {
                let n = rng.below(10_000);
                let xs: Vec<u64> = (0..n).map(|_| rng.next() >> 8).collect();
                wants.push(
                    xs.iter()
                        .map(|x| x.wrapping_mul(31) ^ t)
                        .collect::<Vec<_>>(),
                );
                futs.push(pool.map_async(move |x: &u64| x.wrapping_mul(31) ^ t, xs));
            }
            let got = futures::future::join_all(futs).await;
            assert_eq!(got, wants, "task {t}");
            got.len()
        })));
    }
    futures::future::join_all(tasks).await.into_iter().sum()
}

#[test]
fn a_thousand_concurrent_maps_from_64_tokio_tasks() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let pool = Arc::new(Pool::new().unwrap());
    let n = rt.block_on(many_maps(Arc::clone(&pool), |f| {
        let h = tokio::spawn(f);
        Box::pin(async move { h.await.unwrap() })
    }));
    assert_eq!(n, 1000);
    wait_until("the pool is quiet", || {
        let (_, q, r, _) = signal_values(&pool.signals());
        (q, r) == (0, 0)
    });
}

#[test]
fn the_same_futures_under_block_on_and_async_executor() {
    let pool = Arc::new(Pool::builder().concurrency(2).build().unwrap());
    // futures' block_on: the tasks are plain futures, joined in turn.
    let n = futures::executor::block_on(many_maps(Arc::clone(&pool), |f| f));
    assert_eq!(n, 1000);
    // async-executor (smol's), driven by two threads.
    let ex = Arc::new(async_executor::Executor::new());
    let (stop, done) = async_channel_pair();
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let (ex, done) = (Arc::clone(&ex), done.clone());
            std::thread::spawn(move || futures::executor::block_on(ex.run(done)))
        })
        .collect();
    let spawner = Arc::clone(&ex);
    let n = futures::executor::block_on(ex.run(many_maps(Arc::clone(&pool), move |f| {
        let t = spawner.spawn(f);
        Box::pin(t)
    })));
    assert_eq!(n, 1000);
    drop(stop);
    for t in threads {
        // `run` ends with the channel's `Canceled`: the sender was dropped.
        assert!(t.join().unwrap().is_err());
    }
}

/// A future that ends when its sender is dropped (to stop executor threads).
fn async_channel_pair() -> (
    futures::channel::oneshot::Sender<()>,
    futures::future::Shared<futures::channel::oneshot::Receiver<()>>,
) {
    use futures::FutureExt;
    let (tx, rx) = futures::channel::oneshot::channel::<()>();
    (tx, rx.shared())
}

#[test]
fn a_current_thread_runtime_keeps_ticking_during_an_async_map() {
    let pool = Arc::new(Pool::new().unwrap());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    // About 200 ms of work: 200 items of ~1 ms, spread over the pool's
    // threads (about 100 ms on two cores).
    let spin = |_: usize| {
        let t = Instant::now();
        let mut x = 0u64;
        while t.elapsed() < Duration::from_millis(1) {
            x = x.wrapping_add(1);
        }
        x
    };
    let (ticks, elapsed) = rt.block_on(async {
        let ticks = Arc::new(AtomicUsize::new(0));
        let t2 = Arc::clone(&ticks);
        let ticker = tokio::spawn(async move {
            let mut iv = tokio::time::interval(Duration::from_millis(1));
            loop {
                iv.tick().await;
                t2.fetch_add(1, Ordering::SeqCst);
            }
        });
        // Let the ticker start.
        tokio::time::sleep(Duration::from_millis(5)).await;
        let t0 = Instant::now();
        let before = ticks.load(Ordering::SeqCst);
        let out = pool
            .map_async_with(CallOptions::default().chunk_size(1), spin, 0..200)
            .await;
        let elapsed = t0.elapsed();
        let ticked = ticks.load(Ordering::SeqCst) - before;
        ticker.abort();
        assert_eq!(out.len(), 200);
        (ticked, elapsed)
    });
    let expected = elapsed.as_secs_f64() * 1000.0;
    eprintln!(
        "ticks during the async map: {ticks} of {expected:.1} expected ({:.0}%)",
        100.0 * ticks as f64 / expected
    );
    assert!(
        ticks as f64 >= 0.8 * expected.floor(),
        "the runtime thread was blocked: {ticks} ticks in {elapsed:?}"
    );
}

/// An input whose items count their drops.
struct Counted(&'static AtomicUsize);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl Clone for Counted {
    fn clone(&self) -> Self {
        Counted(self.0)
    }
}

#[test]
fn dropping_the_future_mid_call_stops_new_chunks_and_drops_the_input_once() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    static CLOSURE_DROPS: AtomicUsize = AtomicUsize::new(0);
    let pool = Pool::builder().concurrency(2).build().unwrap();
    let n = 2_000;
    let input: Vec<Counted> = (0..n).map(|_| Counted(&DROPS)).collect();
    let started = Arc::new(AtomicUsize::new(0));
    let s2 = Arc::clone(&started);
    let guard = Counted(&CLOSURE_DROPS);
    let k = move |_: &Counted| {
        let _keep = &guard;
        s2.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(1));
    };
    let mut t = Task::new(pool.map_async_with(CallOptions::default().chunk_size(1), k, input));
    assert!(t.poll().is_pending());
    wait_until("a few chunks started", || {
        started.load(Ordering::SeqCst) >= 4
    });
    drop(t);
    // Running chunks finish; then the pool is quiet and the input dropped.
    wait_until("the pool is quiet", || {
        let (_, q, r, _) = signal_values(&pool.signals());
        (q, r) == (0, 0)
    });
    wait_until("the input is dropped", || DROPS.load(Ordering::SeqCst) == n);
    let after = started.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(30));
    assert_eq!(
        started.load(Ordering::SeqCst),
        after,
        "a chunk started after the drop"
    );
    assert!(after < n, "the call ran to the end ({after} chunks)");
    assert_eq!(DROPS.load(Ordering::SeqCst), n, "each item dropped once");
    assert_eq!(
        CLOSURE_DROPS.load(Ordering::SeqCst),
        1,
        "the closure dropped once"
    );
    let (w, q, r, _) = signal_values(&pool.signals());
    assert_eq!((w, q, r), (2, 0, 0));
    // The pool still works.
    assert_eq!(
        futures::executor::block_on(pool.map_async(|i: usize| i, 0..3)),
        [0, 1, 2]
    );
}

/// Concurrent async calls take turns (the pool's `# Turns`): a short call
/// queued behind a long one that holds every thread of the pool gets the
/// threads at the long call's next chunk boundary, and finishes while the
/// long call still has most of its chunks ahead; both answers are whole.
/// First come, first served, the short call would wait for all 200 of the
/// long call's 1 ms chunks.
#[test]
fn a_short_call_behind_a_long_one_finishes_first() {
    // One worker and the spare: both threads take the long call's two
    // requests, and the short call's requests wait on the queue.
    let pool = Pool::builder().concurrency(1).build().unwrap();
    let n = 200;
    let started = Arc::new(AtomicUsize::new(0));
    let s2 = Arc::clone(&started);
    let slow = move |i: usize| {
        s2.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(1));
        i * 2
    };
    let mut long = Task::new(pool.map_async_with(CallOptions::default().chunk_size(1), slow, 0..n));
    assert!(long.poll().is_pending());
    wait_until("the long call is under way", || {
        started.load(Ordering::SeqCst) >= 2
    });
    let short = futures::executor::block_on(pool.map_async(|i: usize| i + 1, 0..1_000));
    let at = started.load(Ordering::SeqCst);
    assert_eq!(short, (1..=1_000).collect::<Vec<_>>());
    assert!(
        at < n / 2,
        "the short call waited for {at} of the long call's {n} chunks"
    );
    wait_until("the long call is done", || long.is_woken());
    match long.poll() {
        std::task::Poll::Ready(v) => assert_eq!(v, (0..n).map(|i| i * 2).collect::<Vec<_>>()),
        std::task::Poll::Pending => panic!("woken, but no answer"),
    }
    let (_, q, r, _) = signal_values(&pool.signals());
    assert_eq!((q, r), (0, 0), "the pool is quiet after both calls");
}

#[test]
fn a_future_dropped_before_its_first_poll_runs_nothing_once_taken_back() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    let pool = Pool::builder().concurrency(1).build().unwrap();
    // Keep the worker and the spare busy, so the call's requests stay queued.
    let hold = Arc::new(AtomicUsize::new(0));
    let h2 = Arc::clone(&hold);
    let busy = pool.map_async_with(
        CallOptions::default().chunk_size(1),
        move |_: usize| {
            while h2.load(Ordering::SeqCst) == 0 {
                std::thread::yield_now();
            }
        },
        0..2,
    );
    let mut busy = Task::new(busy);
    assert!(busy.poll().is_pending());
    wait_until("both threads busy", || pool.signals().inflight.get() == 2);
    let ran = Arc::new(AtomicUsize::new(0));
    let r2 = Arc::clone(&ran);
    let f = pool.map_async(
        move |_: &Counted| {
            r2.fetch_add(1, Ordering::SeqCst);
        },
        (0..10).map(|_| Counted(&DROPS)).collect::<Vec<_>>(),
    );
    assert!(pool.signals().queued.get() > 0);
    drop(f);
    assert_eq!(
        DROPS.load(Ordering::SeqCst),
        10,
        "dropped by the future's own drop"
    );
    assert_eq!(pool.signals().queued.get(), 0, "requests taken back");
    hold.store(1, Ordering::SeqCst);
    let mut spins = 0;
    while busy.poll().is_pending() {
        spins += 1;
        assert!(spins < 1_000_000, "never finished");
        std::thread::yield_now();
    }
    assert_eq!(ran.load(Ordering::SeqCst), 0);
}

#[test]
fn a_panicking_kernel_is_re_raised_when_polled_and_the_pool_keeps_working() {
    for p in pools() {
        let f = p.map_async_with(
            CallOptions::default().chunk_size(1),
            |i: usize| {
                if i == 37 {
                    std::panic::panic_any(format!("kernel {i} failed"));
                }
                i
            },
            0..200,
        );
        let err = catch_unwind(AssertUnwindSafe(|| futures::executor::block_on(f))).unwrap_err();
        assert_eq!(
            err.downcast_ref::<String>().map(String::as_str),
            Some("kernel 37 failed")
        );
        let r = p.reduce_async(
            |a: u64, b: u64| if b == 999 { panic!("combiner") } else { a + b },
            0,
            (0..5000u64).collect::<Vec<_>>(),
        );
        let err = catch_unwind(AssertUnwindSafe(|| futures::executor::block_on(r))).unwrap_err();
        assert_eq!(err.downcast_ref::<&str>(), Some(&"combiner"));
        assert_eq!(
            futures::executor::block_on(p.map_async(|i: usize| i + 1, 0..3)),
            [1, 2, 3]
        );
        wait_until("the pool is quiet", || {
            let (_, q, r, _) = signal_values(&p.signals());
            (q, r) == (0, 0)
        });
    }
}

#[test]
fn a_runtime_zero_concurrency_panics_at_the_call() {
    let p = Pool::builder().concurrency(1).build().unwrap();
    let opts = CallOptions {
        concurrency: Some(0),
        chunk_size: None,
    };
    let err = catch_unwind(AssertUnwindSafe(|| {
        p.map_async_with(opts, |i: usize| i, 0..10)
    }))
    .unwrap_err();
    assert_eq!(
        err.downcast_ref::<&str>(),
        Some(&"para: `concurrency` must be at least 1 (got 0)")
    );
}

#[test]
fn an_async_call_outlives_a_dispose_and_runs_on_a_disposed_pool() {
    let p = Pool::builder().concurrency(1).build().unwrap();
    let f = p.map_async_with(
        CallOptions::default().chunk_size(1),
        |i: usize| {
            std::thread::sleep(Duration::from_micros(200));
            i * 3
        },
        0..300,
    );
    p.dispose();
    assert_eq!(
        futures::executor::block_on(f),
        (0..300).map(|i| i * 3).collect::<Vec<_>>()
    );
    assert_eq!(signal_values(&p.signals()), (0, 0, 0, 0));
    // Disposed: the call still answers (on a thread of its own).
    let g = p.reduce_async(|a, b| a + b, 0usize, 0..=100);
    assert_eq!(futures::executor::block_on(g), 5050);
    drop(p);
}

#[test]
fn a_kernel_that_blocks_on_an_async_call_of_its_own_pool_finishes() {
    let p = Arc::new(Pool::builder().concurrency(1).build().unwrap());
    let inner = Arc::clone(&p);
    let out = p.map_with(
        CallOptions::default().chunk_size(1),
        |i: usize| {
            let f = inner.map_async_with(
                CallOptions::default().chunk_size(1),
                move |j: usize| i * 100 + j,
                0..50,
            );
            futures::executor::block_on(f).iter().sum::<usize>()
        },
        0..8,
    );
    let want: Vec<usize> = (0..8).map(|i| (0..50).map(|j| i * 100 + j).sum()).collect();
    assert_eq!(out, want);
}

/// A call nested in a kernel that runs on the pool's only worker (or on
/// its spare) is helped by the other thread: the nested items run on two
/// threads. Retried: the helper may, on a loaded host, wake after the
/// owner ran every item.
#[test]
fn a_nested_call_on_a_one_worker_pool_gets_the_spare_threads_help() {
    let p = Arc::new(Pool::builder().concurrency(1).name("nest").build().unwrap());
    for attempt in 1.. {
        let seen = Arc::new(Mutex::new(std::collections::BTreeSet::<String>::new()));
        let (inner, s2) = (Arc::clone(&p), Arc::clone(&seen));
        let f = p.map_async(
            move |_: usize| {
                inner
                    .map_with(
                        CallOptions::default().chunk_size(1),
                        |_: usize| {
                            let me = std::thread::current().name().unwrap_or("?").to_owned();
                            s2.lock().unwrap().insert(me);
                            let t = Instant::now();
                            while t.elapsed() < Duration::from_micros(200) {}
                        },
                        0..200,
                    )
                    .len()
            },
            0..1,
        );
        assert_eq!(futures::executor::block_on(f), [200]);
        let seen = seen.lock().unwrap().clone();
        if seen.len() == 2 {
            assert_eq!(
                seen.into_iter().collect::<Vec<_>>(),
                ["nest-0", "nest-spare"]
            );
            break;
        }
        assert!(attempt < 10, "the nested call was never helped: {seen:?}");
    }
}

#[test]
fn the_global_pool_serves_async_calls() {
    let g = para::global();
    let f = g.map_async(|x: &u32| x + 1, vec![1u32, 2, 3]);
    assert_eq!(futures::executor::block_on(f), [2, 3, 4]);
}
