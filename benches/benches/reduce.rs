//! reduce_sum over f32: para (deterministic) vs rayon vs sequential, in
//! one criterion group.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rayon::prelude::*;
use std::hint::black_box;
use std::time::Duration;

fn reduce_sum(c: &mut Criterion) {
    let pool = para::global();
    let mut g = c.benchmark_group("reduce_sum");
    g.measurement_time(Duration::from_millis(1500))
        .warm_up_time(Duration::from_millis(300))
        .sample_size(30);
    for n in (3..=8).map(|e| 10usize.pow(e)) {
        let data: Vec<f32> = (0..n).map(|i| (i % 1000) as f32 * 1e-3).collect();
        g.throughput(Throughput::Bytes((n * 4) as u64));
        g.bench_with_input(BenchmarkId::new("sequential", n), &data, |b, d| {
            b.iter(|| black_box(d).iter().fold(0.0f32, |a, b| a + b))
        });
        g.bench_with_input(BenchmarkId::new("rayon", n), &data, |b, d| {
            b.iter(|| {
                black_box(d)
                    .par_iter()
                    .copied()
                    .reduce(|| 0.0f32, |a, b| a + b)
            })
        });
        g.bench_with_input(BenchmarkId::new("para", n), &data, |b, d| {
            b.iter(|| pool.reduce(|a, b| a + b, 0.0f32, black_box(d)))
        });
    }
    g.finish();
}

criterion_group!(benches, reduce_sum);
criterion_main!(benches);
