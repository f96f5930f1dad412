//! The main job: multiply two 512 × 512 matrices with a pure kernel, on
//! the pool and with a plain loop, check that both give the same bits, and
//! show what the pool decided: the same kernel on 16 × 16 matrices runs
//! inline on the caller (too small to share), and a float reduction gives
//! the same bits for any thread count.
//!
//! `cargo run --release --example quickstart [-- --quick]`

use para::{pmap_into, pmap_reduce, pure, Rows, RowsMut};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Row `i` of `c = a · b` from row `i` of `a`: `c_row = Σ_k a_row[k] ·
/// b[k, ..]`, checked pure at compile time. `c_row` is the kernel's own
/// output slot (`#[out]`); `b` and `n` are shared by every row.
#[pure]
fn matmul_row(b: &[f32], n: usize, a_row: &[f32], #[out] c_row: &mut [f32]) {
    c_row.fill(0.0);
    for (k, &a) in a_row.iter().enumerate() {
        for (c, &bv) in c_row.iter_mut().zip(&b[k * n..(k + 1) * n]) {
            *c += a * bv;
        }
    }
}

#[pure]
fn square(x: f32) -> f32 {
    x * x
}

#[pure]
fn add(a: f32, b: f32) -> f32 {
    a + b
}

/// `c = a · b` with a plain loop over the rows.
fn sequential(a: &[f32], b: &[f32], n: usize) -> Vec<f32> {
    let mut c = vec![0.0; n * n];
    for (a_row, c_row) in a.chunks_exact(n).zip(c.chunks_exact_mut(n)) {
        matmul_row(b, n, a_row, c_row);
    }
    c
}

/// `c = a · b` on the pool: row `i` of `a` in, row `i` of `c` out.
fn parallel(a: &[f32], b: &[f32], n: usize) -> Vec<f32> {
    let mut c = vec![0.0; n * n];
    let rows = Rows::new(a, n).expect("a is n × n");
    pmap_into!(
        matmul_row(b, n, _),
        rows,
        RowsMut::new(&mut c, n).expect("c is n × n")
    );
    c
}

/// An `n × n` matrix of floats in `[-1, 1)` from a xorshift generator.
fn matrix(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed | 1;
    (0..n * n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect()
}

/// The median time of one call of `f`, over `runs` runs of `batch` calls.
fn median_time<T>(runs: usize, batch: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..batch {
                black_box(f());
            }
            t.elapsed() / batch as u32
        })
        .collect();
    times.sort();
    times[runs / 2]
}

/// A line comparing the loop's time with para's.
fn show(what: &str, seq: Duration, par: Duration) {
    let speedup = seq.as_secs_f64() / par.as_secs_f64().max(1e-12);
    println!(
        "  {what:<16} sequential {:>10}   para {:>10}   speedup {speedup:.2}x",
        fmt(seq),
        fmt(par)
    );
}

fn fmt(d: Duration) -> String {
    let ns = d.as_secs_f64() * 1e9;
    match ns {
        _ if ns >= 1e6 => format!("{:.2} ms", ns / 1e6),
        _ if ns >= 1e3 => format!("{:.2} µs", ns / 1e3),
        _ => format!("{ns:.0} ns"),
    }
}

fn main() {
    let quick = std::env::var_os("PARA_EXAMPLE_QUICK").is_some()
        || std::env::args().any(|a| a == "--quick");
    let (n, runs) = if quick { (64, 3) } else { (512, 7) };
    let pool = para::global();
    println!(
        "para: {} workers + the calling thread; medians of {runs} runs",
        pool.concurrency()
    );

    let (a, b) = (matrix(n, 1), matrix(n, 2));
    let c = parallel(&a, &b, n);
    if c != sequential(&a, &b, n) {
        eprintln!("quickstart: pmap_into! differs from the sequential loop");
        std::process::exit(1);
    }
    println!("c = a · b, {n} x {n} f32, one pmap_into! row per row of a:");
    show(
        "pmap_into!",
        median_time(runs, 1, || sequential(black_box(&a), &b, n)),
        median_time(runs, 1, || parallel(black_box(&a), &b, n)),
    );

    // Too small to share: calibration keeps it on the calling thread, so it
    // costs what the loop costs.
    let (sa, sb) = (matrix(16, 3), matrix(16, 4));
    if parallel(&sa, &sb, 16) != sequential(&sa, &sb, 16) {
        eprintln!("quickstart: pmap_into! differs from the loop on 16 x 16");
        std::process::exit(1);
    }
    println!("the same kernel on 16 x 16 matrices (too small to share: it runs inline):");
    show(
        "pmap_into!",
        median_time(runs, 2000, || sequential(black_box(&sa), &sb, 16)),
        median_time(runs, 2000, || parallel(black_box(&sa), &sb, 16)),
    );

    // A float reduction in a fixed tree: the same bits for any thread count.
    let total = pmap_reduce!(square, add, 0.0, &c);
    let one = pmap_reduce!(square, add, 0.0, &c, concurrency = 1);
    if total.to_bits() != one.to_bits() {
        eprintln!("quickstart: pmap_reduce! differs between thread counts");
        std::process::exit(1);
    }
    println!("sum of squares of c = {total} (same bits on 1 thread and on all):");
    show(
        "pmap_reduce!",
        median_time(runs, 20, || {
            black_box(&c).iter().map(|x| x * x).fold(0.0f32, add)
        }),
        median_time(runs, 20, || pmap_reduce!(square, add, 0.0, black_box(&c))),
    );

    let s = pool.signals();
    println!(
        "pool signals: workers_count = {}, completed = {} items, queued = {}, inflight = {}",
        s.workers_count.get(),
        s.completed.get(),
        s.queued.get(),
        s.inflight.get()
    );
}
