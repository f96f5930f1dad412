//! map_cheap, map_heavy, rows64, map_threshold: para vs rayon vs a
//! sequential loop, side by side in each criterion group.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rayon::prelude::*;
use std::hint::black_box;
use std::time::Duration;

fn heavy(x: f32) -> f32 {
    let mut v = x;
    for _ in 0..100 {
        v = v.sin();
    }
    v
}

fn sizes(max_exp: u32) -> impl Iterator<Item = usize> {
    (2..=max_exp).map(|e| 10usize.pow(e))
}

fn map_cheap(c: &mut Criterion) {
    let pool = para::global();
    let mut g = c.benchmark_group("map_cheap");
    g.measurement_time(Duration::from_millis(1500))
        .warm_up_time(Duration::from_millis(300));
    for n in sizes(7) {
        let data: Vec<f32> = (0..n).map(|i| i as f32).collect();
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("sequential", n), &data, |b, d| {
            b.iter(|| {
                black_box(d)
                    .iter()
                    .map(|x| x * 2.0 + 1.0)
                    .collect::<Vec<f32>>()
            })
        });
        g.bench_with_input(BenchmarkId::new("rayon", n), &data, |b, d| {
            b.iter(|| {
                black_box(d)
                    .par_iter()
                    .map(|x| x * 2.0 + 1.0)
                    .collect::<Vec<f32>>()
            })
        });
        g.bench_with_input(BenchmarkId::new("para", n), &data, |b, d| {
            b.iter(|| pool.map(|x: &f32| x * 2.0 + 1.0, black_box(d)))
        });
    }
    g.finish();
}

fn map_heavy(c: &mut Criterion) {
    let pool = para::global();
    let mut g = c.benchmark_group("map_heavy");
    g.measurement_time(Duration::from_millis(1500))
        .warm_up_time(Duration::from_millis(300))
        .sample_size(20);
    for n in sizes(6) {
        let data: Vec<f32> = (0..n).map(|i| i as f32 * 1e-3).collect();
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("sequential", n), &data, |b, d| {
            b.iter(|| black_box(d).iter().map(|&x| heavy(x)).collect::<Vec<f32>>())
        });
        g.bench_with_input(BenchmarkId::new("rayon", n), &data, |b, d| {
            b.iter(|| {
                black_box(d)
                    .par_iter()
                    .map(|&x| heavy(x))
                    .collect::<Vec<f32>>()
            })
        });
        g.bench_with_input(BenchmarkId::new("para", n), &data, |b, d| {
            b.iter(|| pool.map(|x: &f32| heavy(*x), black_box(d)))
        });
    }
    g.finish();
}

fn rows64(c: &mut Criterion) {
    let pool = para::global();
    let mut g = c.benchmark_group("rows64");
    g.measurement_time(Duration::from_millis(1500))
        .warm_up_time(Duration::from_millis(300))
        .sample_size(30);
    for n in (3..=6).map(|e| 10usize.pow(e)) {
        let data: Vec<f32> = (0..n * 64).map(|i| (i % 97) as f32).collect();
        let score = |r: &[f32]| r.iter().fold(0.0f32, |a, b| a + b * b);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("sequential", n), &data, |b, d| {
            b.iter(|| {
                black_box(d)
                    .chunks_exact(64)
                    .map(score)
                    .collect::<Vec<f32>>()
            })
        });
        g.bench_with_input(BenchmarkId::new("rayon", n), &data, |b, d| {
            b.iter(|| {
                black_box(d)
                    .par_chunks_exact(64)
                    .map(score)
                    .collect::<Vec<f32>>()
            })
        });
        g.bench_with_input(BenchmarkId::new("para", n), &data, |b, d| {
            b.iter(|| pool.map(score, para::Rows::new(black_box(d), 64).unwrap()))
        });
    }
    g.finish();
}

fn map_threshold(c: &mut Criterion) {
    let pool = para::global();
    let mut g = c.benchmark_group("map_threshold");
    g.measurement_time(Duration::from_millis(800))
        .warm_up_time(Duration::from_millis(200))
        .sample_size(30);
    let mut n = 1000usize;
    while n <= 1_024_000 {
        let data: Vec<f64> = (0..n).map(|i| i as f64).collect();
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("sequential", n), &data, |b, d| {
            b.iter(|| {
                black_box(d)
                    .iter()
                    .map(|x| x * x + 1.0)
                    .collect::<Vec<f64>>()
            })
        });
        g.bench_with_input(BenchmarkId::new("rayon", n), &data, |b, d| {
            b.iter(|| {
                black_box(d)
                    .par_iter()
                    .map(|x| x * x + 1.0)
                    .collect::<Vec<f64>>()
            })
        });
        g.bench_with_input(BenchmarkId::new("para", n), &data, |b, d| {
            b.iter(|| pool.map(|x: &f64| x * x + 1.0, black_box(d)))
        });
        n *= 2;
    }
    g.finish();
}

criterion_group!(benches, map_cheap, map_heavy, rows64, map_threshold);
criterion_main!(benches);
