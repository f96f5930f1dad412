//! The collective calls beyond map and reduce, each against its anchor in
//! the same group: `scan` (inclusive prefix sum) against the sequential
//! `iter().scan` loop, `filter` against rayon's
//! `par_iter().filter().cloned().collect()` and the sequential loop.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rayon::prelude::*;
use std::hint::black_box;
use std::time::Duration;

const N: usize = 10_000_000;

/// xorshift64*: the same data every run.
fn data(n: usize) -> Vec<u64> {
    let mut s = 0x9E37_79B9_7F4A_7C15_u64;
    (0..n)
        .map(|_| {
            s ^= s >> 12;
            s ^= s << 25;
            s ^= s >> 27;
            s.wrapping_mul(0x2545_F491_4F6C_DD1D)
        })
        .collect()
}

fn scan(c: &mut Criterion) {
    let pool = para::global();
    let mut g = c.benchmark_group("scan");
    g.measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500))
        .sample_size(20);
    let ints: Vec<u64> = data(N).into_iter().map(|x| x >> 20).collect();
    let floats: Vec<f64> = ints.iter().map(|&x| x as f64 * 1e-6).collect();
    g.throughput(Throughput::Elements(N as u64));
    g.bench_with_input(BenchmarkId::new("sequential_u64", N), &ints, |b, d| {
        b.iter(|| {
            black_box(d)
                .iter()
                .scan(0u64, |a, x| {
                    *a = a.wrapping_add(*x);
                    Some(*a)
                })
                .collect::<Vec<u64>>()
        })
    });
    g.bench_with_input(BenchmarkId::new("para_u64", N), &ints, |b, d| {
        b.iter(|| pool.scan(|a, b| a.wrapping_add(b), 0, black_box(d)))
    });
    g.bench_with_input(BenchmarkId::new("sequential_f64", N), &floats, |b, d| {
        b.iter(|| {
            black_box(d)
                .iter()
                .scan(0.0f64, |a, x| {
                    *a += *x;
                    Some(*a)
                })
                .collect::<Vec<f64>>()
        })
    });
    g.bench_with_input(BenchmarkId::new("para_f64", N), &floats, |b, d| {
        b.iter(|| pool.scan(|a, b| a + b, 0.0, black_box(d)))
    });
    g.finish();
}

fn filter(c: &mut Criterion) {
    let pool = para::global();
    let mut g = c.benchmark_group("filter");
    g.measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500))
        .sample_size(20);
    // Random values: the predicate keeps about half, unpredictably.
    let xs = data(N);
    g.throughput(Throughput::Elements(N as u64));
    g.bench_with_input(BenchmarkId::new("sequential", N), &xs, |b, d| {
        b.iter(|| {
            black_box(d)
                .iter()
                .filter(|x| *x & 1 == 0)
                .cloned()
                .collect::<Vec<u64>>()
        })
    });
    g.bench_with_input(BenchmarkId::new("rayon", N), &xs, |b, d| {
        b.iter(|| {
            black_box(d)
                .par_iter()
                .filter(|x| *x & 1 == 0)
                .cloned()
                .collect::<Vec<u64>>()
        })
    });
    g.bench_with_input(BenchmarkId::new("para", N), &xs, |b, d| {
        b.iter(|| pool.filter(|x: &u64| *x & 1 == 0, black_box(d)))
    });
    g.finish();
}

criterion_group!(benches, scan, filter);
criterion_main!(benches);
