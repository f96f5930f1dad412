//! The workloads the original module says the pool wins on ("matrix ops,
//! image kernels, parsing big strings"), each in its natural form for
//! para, rayon and a sequential loop, side by side in one criterion group
//! per workload: dense matrix multiply, a 3×3 blur, CSV parsing (to
//! records, and fused into a total), a k-means step, a byte histogram,
//! Mandelbrot and a sum of squares. Small variants sit in the same groups.
//!
//! The three forms run the same kernels (`para_benches::workloads`), so
//! they differ only in how the work is spread. Each group first checks
//! that para's and rayon's results equal the sequential ones.
//!
//! `cargo bench -p para-benches --bench workloads -- --warm-up-time 0.5
//! --measurement-time 2` takes a few minutes; `benches/scaling.sh` runs it
//! at several thread counts.

use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, SamplingMode};
use criterion::{measurement::WallTime, BenchmarkId, Throughput};
use para::{Chunks, Lines, Rows, RowsMut};
use para_benches::workloads::*;
use rayon::prelude::*;
use std::hint::black_box;

/// Settings for a case: small cases take many short samples, big ones ten
/// flat samples (criterion's default linear sampling would run a 0.5 s
/// case 55 times).
fn size(g: &mut BenchmarkGroup<'_, WallTime>, big: bool) {
    if big {
        g.sample_size(10).sampling_mode(SamplingMode::Flat);
    } else {
        g.sample_size(50).sampling_mode(SamplingMode::Auto);
    }
}

fn matmul(c: &mut Criterion) {
    let mut g = c.benchmark_group("matmul");
    for n in [16usize, 512, 1024] {
        size(&mut g, n >= 512);
        let a = matrix(n, 1);
        let b = matrix(n, 2);
        let para_form = |a: &[f32], b: &[f32]| {
            let mut c = vec![0.0f32; n * n];
            let rows = Rows::new(a, n).unwrap();
            para::pmap_into!(matmul_row(b, n, _), rows, RowsMut::new(&mut c, n).unwrap());
            c
        };
        let rayon_form = |a: &[f32], b: &[f32]| {
            let mut c = vec![0.0f32; n * n];
            c.par_chunks_mut(n)
                .zip(a.par_chunks(n))
                .for_each(|(c_row, a_row)| matmul_row(b, n, a_row, c_row));
            c
        };
        let want = matmul_sequential(&a, &b, n);
        assert_eq!(para_form(&a, &b), want, "para matmul {n}");
        assert_eq!(rayon_form(&a, &b), want, "rayon matmul {n}");
        g.throughput(Throughput::Elements((n * n * n) as u64));
        g.bench_function(BenchmarkId::new("sequential", n), |bch| {
            bch.iter(|| matmul_sequential(black_box(&a), black_box(&b), n))
        });
        g.bench_function(BenchmarkId::new("rayon", n), |bch| {
            bch.iter(|| rayon_form(black_box(&a), black_box(&b)))
        });
        g.bench_function(BenchmarkId::new("para", n), |bch| {
            bch.iter(|| para_form(black_box(&a), black_box(&b)))
        });
    }
    g.finish();
}

fn blur(c: &mut Criterion) {
    let mut g = c.benchmark_group("blur");
    for (w, h) in [(64usize, 48usize), (3840, 2160)] {
        size(&mut g, w > 64);
        let img = image(w, h, 3);
        let para_form = |img: &[f32]| {
            let mut out = vec![0.0f32; w * h];
            para::pmap_into!(
                blur_row(img, w, _),
                0..h,
                RowsMut::new(&mut out, w).unwrap()
            );
            out
        };
        let rayon_form = |img: &[f32]| {
            let mut out = vec![0.0f32; w * h];
            out.par_chunks_mut(w)
                .enumerate()
                .for_each(|(y, row)| blur_row(img, w, y, row));
            out
        };
        let want = blur_sequential(&img, w);
        assert_eq!(para_form(&img), want, "para blur {w}x{h}");
        assert_eq!(rayon_form(&img), want, "rayon blur {w}x{h}");
        let id = format!("{w}x{h}");
        g.throughput(Throughput::Elements((w * h) as u64));
        g.bench_function(BenchmarkId::new("sequential", &id), |b| {
            b.iter(|| blur_sequential(black_box(&img), w))
        });
        g.bench_function(BenchmarkId::new("rayon", &id), |b| {
            b.iter(|| rayon_form(black_box(&img)))
        });
        g.bench_function(BenchmarkId::new("para", &id), |b| {
            b.iter(|| para_form(black_box(&img)))
        });
    }
    g.finish();
}

/// The CSV sizes: 4 KB and 50 MB.
const CSV_SIZES: [(usize, &str); 2] = [(4 << 10, "4KB"), (50 << 20, "50MB")];

fn csv_parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("csv");
    for (bytes, id) in CSV_SIZES {
        size(&mut g, bytes > 4096);
        let text = csv(bytes, 4);
        let para_form = |t: &str| para::try_pmap!(parse_line, Lines::new(t));
        let rayon_form = |t: &str| {
            t.par_lines()
                .map(parse_line)
                .collect::<Result<Vec<Rec>, _>>()
        };
        let want = csv_sequential(&text);
        assert_eq!(para_form(&text), want, "para csv {id}");
        assert_eq!(rayon_form(&text), want, "rayon csv {id}");
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(BenchmarkId::new("sequential", id), |b| {
            b.iter(|| csv_sequential(black_box(&text)))
        });
        g.bench_function(BenchmarkId::new("rayon", id), |b| {
            b.iter(|| rayon_form(black_box(&text)))
        });
        g.bench_function(BenchmarkId::new("para", id), |b| {
            b.iter(|| para_form(black_box(&text)))
        });
    }
    g.finish();
}

fn csv_total(c: &mut Criterion) {
    let mut g = c.benchmark_group("csv_total");
    for (bytes, id) in CSV_SIZES {
        size(&mut g, bytes > 4096);
        let text = csv(bytes, 4);
        let seq = |t: &str| t.lines().map(line_revenue).fold(0.0, add);
        let para_form = |t: &str| para::pmap_reduce!(line_revenue, add, 0.0, Lines::new(t));
        let rayon_form = |t: &str| t.par_lines().map(line_revenue).sum::<f64>();
        let want = seq(&text);
        // Prices are decimal: the sums round differently in each tree.
        let close = |v: f64| (v - want).abs() <= want.abs() * 1e-9;
        assert!(close(para_form(&text)), "para csv_total {id}");
        assert!(close(rayon_form(&text)), "rayon csv_total {id}");
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(BenchmarkId::new("sequential", id), |b| {
            b.iter(|| seq(black_box(&text)))
        });
        g.bench_function(BenchmarkId::new("rayon", id), |b| {
            b.iter(|| rayon_form(black_box(&text)))
        });
        g.bench_function(BenchmarkId::new("para", id), |b| {
            b.iter(|| para_form(black_box(&text)))
        });
    }
    g.finish();
}

fn kmeans(c: &mut Criterion) {
    let mut g = c.benchmark_group("kmeans");
    for n in [1000usize, 1_000_000] {
        size(&mut g, n > 1000);
        let pts = points(n, 5);
        let cents = initial_centroids(&pts);
        let para_form =
            |p: &[[f32; 2]]| para::pfold!(assign(&cents, _, _), merge_sums, Sums::default(), p);
        let rayon_form = |p: &[[f32; 2]]| {
            p.par_iter()
                .fold(Sums::default, |acc, q| assign(&cents, acc, q))
                .reduce(Sums::default, merge_sums)
        };
        let want = kmeans_sequential(&pts, &cents);
        assert_eq!(para_form(&pts), want, "para kmeans {n}");
        assert_eq!(rayon_form(&pts), want, "rayon kmeans {n}");
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::new("sequential", n), |b| {
            b.iter(|| kmeans_sequential(black_box(&pts), &cents))
        });
        g.bench_function(BenchmarkId::new("rayon", n), |b| {
            b.iter(|| rayon_form(black_box(&pts)))
        });
        g.bench_function(BenchmarkId::new("para", n), |b| {
            b.iter(|| para_form(black_box(&pts)))
        });
    }
    g.finish();
}

fn histogram(c: &mut Criterion) {
    let mut g = c.benchmark_group("histogram");
    for (n, id) in [(4usize << 10, "4KB"), (100_000_000, "100MB")] {
        size(&mut g, n > 4096);
        let data = bytes(n, 6);
        let para_form = |d: &[u8]| {
            let chunks = Chunks::new(d, HIST_CHUNK).unwrap();
            para::pfold!(bump_chunk, merge_hist, [0u64; 256], chunks)
        };
        let para_bytes = |d: &[u8]| para::pfold!(bump, merge_hist, [0u64; 256], d);
        let rayon_bytes = |d: &[u8]| {
            d.par_iter()
                .fold(|| [0u64; 256], |h, &x| bump(h, x))
                .reduce(|| [0u64; 256], merge_hist)
        };
        let rayon_form = |d: &[u8]| {
            d.par_chunks(HIST_CHUNK)
                .fold(|| [0u64; 256], bump_chunk)
                .reduce(|| [0u64; 256], merge_hist)
        };
        let want = histogram_sequential(&data);
        assert_eq!(para_form(&data), want, "para histogram {id}");
        assert_eq!(rayon_form(&data), want, "rayon histogram {id}");
        let per_byte = n <= 4096 || std::env::var_os("WORKLOADS_PER_BYTE").is_some();
        if per_byte {
            assert_eq!(para_bytes(&data), want, "para_bytes histogram {id}");
            assert_eq!(rayon_bytes(&data), want, "rayon_bytes histogram {id}");
        }
        g.throughput(Throughput::Bytes(n as u64));
        g.bench_function(BenchmarkId::new("sequential", id), |b| {
            b.iter(|| histogram_sequential(black_box(&data)))
        });
        g.bench_function(BenchmarkId::new("rayon", id), |b| {
            b.iter(|| rayon_form(black_box(&data)))
        });
        g.bench_function(BenchmarkId::new("para", id), |b| {
            b.iter(|| para_form(black_box(&data)))
        });
        // The per-byte folds: the 2 KiB accumulator is handed through every
        // item: slow at 100 MB (seconds), so measured there only with
        // WORKLOADS_PER_BYTE set.
        if per_byte {
            g.bench_function(BenchmarkId::new("para_bytes", id), |b| {
                b.iter(|| para_bytes(black_box(&data)))
            });
            g.bench_function(BenchmarkId::new("rayon_bytes", id), |b| {
                b.iter(|| rayon_bytes(black_box(&data)))
            });
        }
    }
    g.finish();
}

fn mandelbrot(c: &mut Criterion) {
    let mut g = c.benchmark_group("mandelbrot");
    let w = 1024usize;
    size(&mut g, true);
    // Default options on both sides: para's calibration and rayon's
    // adaptive splitting each pick their own chunking of uneven pixels.
    let para_form = || para::pmap!(escape(w, _), 0..w * w);
    let rayon_form = || {
        (0..w * w)
            .into_par_iter()
            .map(|i| escape(w, i))
            .collect::<Vec<u32>>()
    };
    let want = mandelbrot_sequential(w);
    assert_eq!(para_form(), want, "para mandelbrot");
    assert_eq!(rayon_form(), want, "rayon mandelbrot");
    g.throughput(Throughput::Elements((w * w) as u64));
    g.bench_function(BenchmarkId::new("sequential", w), |b| {
        b.iter(|| mandelbrot_sequential(black_box(w)))
    });
    g.bench_function(BenchmarkId::new("rayon", w), |b| b.iter(rayon_form));
    g.bench_function(BenchmarkId::new("para", w), |b| b.iter(para_form));
    g.finish();
}

fn sum_squares(c: &mut Criterion) {
    let mut g = c.benchmark_group("sum_squares");
    let n = 10_000_000usize;
    size(&mut g, true);
    let x = values(n, 7);
    let para_form = |x: &[f64]| para::pmap_reduce!(square, add, 0.0, x);
    let rayon_form = |x: &[f64]| x.par_iter().map(|v| v * v).sum::<f64>();
    let want = sum_squares_sequential(&x);
    assert_eq!(para_form(&x), want, "para sum_squares");
    assert_eq!(rayon_form(&x), want, "rayon sum_squares");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function(BenchmarkId::new("sequential", "10M"), |b| {
        b.iter(|| sum_squares_sequential(black_box(&x)))
    });
    g.bench_function(BenchmarkId::new("rayon", "10M"), |b| {
        b.iter(|| rayon_form(black_box(&x)))
    });
    g.bench_function(BenchmarkId::new("para", "10M"), |b| {
        b.iter(|| para_form(black_box(&x)))
    });
    g.finish();
}

criterion_group!(
    benches,
    matmul,
    blur,
    csv_parse,
    csv_total,
    kmeans,
    histogram,
    mandelbrot,
    sum_squares
);
criterion_main!(benches);
