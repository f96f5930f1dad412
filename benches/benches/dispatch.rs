//! Round trip of a trivial kernel: para's dispatch vs rayon's
//! `ThreadPool::install` vs tokio's `spawn_blocking`, in one group; plus
//! the round trip after the pool sat idle for 10 ms; plus a dispatched
//! kernel that calls `pmap_reduce!` inside, against the same kernel called
//! inline (the nested call must get the other threads' help on the
//! default pool of one worker).

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::{Duration, Instant};

#[para::pure]
fn inc(x: u64) -> u64 {
    x + 1
}

/// About 20 `sin` per item.
#[para::pure]
fn wave(i: usize) -> f64 {
    let x = i as f64 * 1e-3;
    (0..20).fold(x, |a, _| a.sin() + x)
}

/// A kernel that is itself a parallel call.
#[para::pure]
fn nested_total(n: usize) -> f64 {
    para::pmap_reduce!(wave, |a, b| a + b, 0.0, 0..n)
}

fn nested(c: &mut Criterion) {
    const N: usize = 100_000;
    let want = nested_total(N);
    let pool = para::global();
    assert_eq!(
        pool.dispatch::<f64, _>("nested_total", N)
            .unwrap()
            .to_bits(),
        want.to_bits()
    );
    let mut g = c.benchmark_group("dispatch_nested");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    g.bench_function("inline", |b| b.iter(|| nested_total(black_box(N))));
    g.bench_function("para_dispatch", |b| {
        b.iter(|| {
            pool.dispatch::<f64, _>("nested_total", black_box(N))
                .unwrap()
        })
    });
    g.bench_function("para_dispatch_async", |b| {
        b.iter(|| {
            futures::executor::block_on(pool.dispatch_async::<f64, _>("nested_total", black_box(N)))
                .unwrap()
        })
    });
    g.finish();
}

fn roundtrip(c: &mut Criterion) {
    let pool = para::Pool::builder().concurrency(1).build().unwrap();
    let rayon = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(1)
        .build()
        .unwrap();
    let mut g = c.benchmark_group("dispatch_roundtrip");
    g.measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    g.bench_function("para_dispatch", |b| {
        b.iter(|| pool.dispatch::<u64, _>("inc", black_box(1u64)).unwrap())
    });
    g.bench_function("para_dispatch_async", |b| {
        b.iter(|| {
            futures::executor::block_on(pool.dispatch_async::<u64, _>("inc", black_box(1u64)))
                .unwrap()
        })
    });
    g.bench_function("rayon_install", |b| {
        b.iter(|| rayon.install(|| inc(black_box(1))))
    });
    g.bench_function("tokio_spawn_blocking", |b| {
        b.iter(|| {
            rt.block_on(async {
                tokio::task::spawn_blocking(|| inc(black_box(1)))
                    .await
                    .unwrap()
            })
        })
    });
    g.finish();

    let mut g = c.benchmark_group("dispatch_after_idle_10ms");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(200));
    let idle = |b: &mut criterion::Bencher, f: &dyn Fn() -> u64| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                std::thread::sleep(Duration::from_millis(10));
                let t = Instant::now();
                black_box(f());
                total += t.elapsed();
            }
            total
        })
    };
    g.bench_function("para_dispatch", |b| {
        idle(b, &|| pool.dispatch::<u64, _>("inc", 1u64).unwrap())
    });
    g.bench_function("rayon_install", |b| {
        idle(b, &|| rayon.install(|| inc(black_box(1))))
    });
    g.bench_function("tokio_spawn_blocking", |b| {
        idle(b, &|| {
            rt.block_on(async {
                tokio::task::spawn_blocking(|| inc(black_box(1)))
                    .await
                    .unwrap()
            })
        })
    });
    g.finish();

    // CPU use of an idle pool over 1 s (reported, not timed by criterion).
    let idle_cpu = cpu_seconds_over(|| std::thread::sleep(Duration::from_secs(1)));
    eprintln!(
        "idle para pool (and idle rayon/tokio pools): process CPU over 1 s of idleness = {:.1} ms",
        idle_cpu * 1e3
    );
}

/// Process CPU time (user + system) spent while `f` runs, from /proc.
fn cpu_seconds_over(f: impl FnOnce()) -> f64 {
    fn read() -> f64 {
        let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        let fields: Vec<&str> = s
            .rsplit(')')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        (ticks(11) + ticks(12)) / 100.0
    }
    let a = read();
    f();
    read() - a
}

criterion_group!(benches, roundtrip, nested);
criterion_main!(benches);
