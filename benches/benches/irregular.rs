//! mandelbrot: a map whose cost per item varies a hundredfold (the pixels
//! inside the set run all 256 iterations, most outside stop after a few),
//! concentrated in one band of the image: para's default chunking against
//! rayon's work stealing and a sequential loop, per pixel and per row, in
//! one criterion group.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use rayon::prelude::*;
use std::hint::black_box;
use std::time::Duration;

/// Image side, in pixels.
const W: usize = 1024;
/// Iteration limit.
const MAX_ITER: u32 = 256;

/// Escape iterations of pixel `i` of the `W`x`W` image of
/// `[-2, 0.5] x [-1.25, 1.25]`.
#[para::pure]
#[inline]
fn escape(i: usize) -> u32 {
    let (x, y) = (i % W, i / W);
    let cr = -2.0 + 2.5 * x as f64 / W as f64;
    let ci = -1.25 + 2.5 * y as f64 / W as f64;
    let (mut zr, mut zi, mut n) = (0.0_f64, 0.0_f64, 0);
    while n < MAX_ITER && zr * zr + zi * zi <= 4.0 {
        let t = zr * zr - zi * zi + cr;
        zi = 2.0 * zr * zi + ci;
        zr = t;
        n += 1;
    }
    n
}

/// Total iterations of row `y`.
fn row_total(y: usize) -> u64 {
    (y * W..(y + 1) * W).map(|i| u64::from(escape(i))).sum()
}

fn mandelbrot(c: &mut Criterion) {
    let pool = para::global();
    let mut g = c.benchmark_group("mandelbrot");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    let n = W * W;
    let want: Vec<u32> = (0..n).map(escape).collect();
    assert_eq!(pool.map(escape, 0..n), want);
    assert_eq!(para::pmap!(|i: usize| escape(i), 0..n), want);

    g.bench_function(BenchmarkId::new("sequential", "pixels"), |b| {
        b.iter(|| (0..black_box(n)).map(escape).collect::<Vec<u32>>())
    });
    g.bench_function(BenchmarkId::new("rayon", "pixels"), |b| {
        b.iter(|| {
            (0..black_box(n))
                .into_par_iter()
                .map(escape)
                .collect::<Vec<u32>>()
        })
    });
    g.bench_function(BenchmarkId::new("para", "pixels"), |b| {
        b.iter(|| pool.map(escape, 0..black_box(n)))
    });
    g.bench_function(BenchmarkId::new("para_pmap", "pixels"), |b| {
        b.iter(|| para::pmap!(|i: usize| escape(i), 0..black_box(n)))
    });

    let rows: Vec<usize> = (0..W).collect();
    g.bench_function(BenchmarkId::new("sequential", "rows"), |b| {
        b.iter(|| {
            black_box(&rows)
                .iter()
                .map(|&y| row_total(y))
                .collect::<Vec<u64>>()
        })
    });
    g.bench_function(BenchmarkId::new("rayon", "rows"), |b| {
        b.iter(|| {
            black_box(&rows)
                .par_iter()
                .map(|&y| row_total(y))
                .collect::<Vec<u64>>()
        })
    });
    g.bench_function(BenchmarkId::new("para", "rows"), |b| {
        b.iter(|| pool.map(|y: &usize| row_total(*y), black_box(&rows)))
    });
    g.finish();
}

criterion_group!(benches, mandelbrot);
criterion_main!(benches);
