//! The optional features under measure.
//!
//! - `ndarray`: row scoring of a 1M×32 `Array2<f32>` and column sums over
//!   its transposed view, para vs ndarray + rayon
//!   (`axis_iter(..).into_par_iter()`) vs sequential ndarray, in one group.
//! - `metrics_overhead`: map_cheap at 1e2 and 1e6 items on a pool built
//!   with and without `metrics(true)` (a Prometheus recorder installed, so
//!   the updates are real), in one group.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ndarray::parallel::prelude::*;
use ndarray::{Array2, ArrayView1, Axis};
use para::input::{StridedRow, StridedRows};
use std::hint::black_box;
use std::time::Duration;

const ROWS: usize = 1_000_000;
const COLS: usize = 32;

fn score(row: &[f32]) -> f32 {
    row.iter().fold(0.0, |a, x| a + x * x)
}

fn score_view(row: ArrayView1<'_, f32>) -> f32 {
    row.iter().fold(0.0, |a, x| a + x * x)
}

fn ndarray_group(c: &mut Criterion) {
    let pool = para::global();
    let a = Array2::from_shape_fn((ROWS, COLS), |(i, j)| {
        ((i * 31 + j * 7) % 1000) as f32 * 1e-3
    });
    let mut g = c.benchmark_group("ndarray");
    g.measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500))
        .sample_size(20);

    g.throughput(Throughput::Elements(ROWS as u64));
    g.bench_function(BenchmarkId::new("rows/sequential", ROWS), |b| {
        b.iter(|| {
            black_box(&a)
                .axis_iter(Axis(0))
                .map(score_view)
                .collect::<Vec<f32>>()
        })
    });
    g.bench_function(BenchmarkId::new("rows/rayon", ROWS), |b| {
        b.iter(|| {
            black_box(&a)
                .axis_iter(Axis(0))
                .into_par_iter()
                .map(score_view)
                .collect::<Vec<f32>>()
        })
    });
    g.bench_function(BenchmarkId::new("rows/para", ROWS), |b| {
        b.iter(|| pool.map(|r: &[f32]| score(r), black_box(&a)))
    });

    // Column sums: the rows of the transposed view, 32 rows of 1M items
    // each, 128 bytes apart.
    g.throughput(Throughput::Elements((ROWS * COLS) as u64));
    g.bench_function(BenchmarkId::new("colsum_t/sequential", COLS), |b| {
        b.iter(|| {
            black_box(&a)
                .t()
                .axis_iter(Axis(0))
                .map(|c| c.sum())
                .collect::<Vec<f32>>()
        })
    });
    g.bench_function(BenchmarkId::new("colsum_t/rayon", COLS), |b| {
        b.iter(|| {
            black_box(&a)
                .t()
                .axis_iter(Axis(0))
                .into_par_iter()
                .map(|c| c.sum())
                .collect::<Vec<f32>>()
        })
    });
    g.bench_function(BenchmarkId::new("colsum_t/para", COLS), |b| {
        b.iter(|| {
            pool.map(
                |c: StridedRow<'_, f32>| c.iter().sum::<f32>(),
                StridedRows::new(black_box(&a).t()),
            )
        })
    });
    g.finish();
}

fn metrics_overhead(c: &mut Criterion) {
    metrics_exporter_prometheus::PrometheusBuilder::new()
        .install_recorder()
        .expect("a recorder");
    let plain = para::Pool::builder().name("bench-plain").build().unwrap();
    let published = para::Pool::builder()
        .name("bench-metrics")
        .metrics(true)
        .build()
        .unwrap();
    let mut g = c.benchmark_group("metrics_overhead");
    g.measurement_time(Duration::from_millis(2000))
        .warm_up_time(Duration::from_millis(300));
    for n in [100, 1_000_000] {
        let data: Vec<f32> = (0..n).map(|i| i as f32).collect();
        g.throughput(Throughput::Elements(n as u64));
        for (label, pool) in [("without", &plain), ("with", &published)] {
            g.bench_with_input(BenchmarkId::new(label, n), &data, |b, d| {
                b.iter(|| pool.map(|x: &f32| x * 2.0 + 1.0, black_box(d)))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, ndarray_group, metrics_overhead);
criterion_main!(benches);
