//! The main job: score 1,000,000 rows with a pure kernel, then total the
//! scores, in parallel and sequentially, and show the pool's signals.
//!
//! `cargo run --release --example quickstart`

use para::{pmap, preduce, pure, Rows};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Sum of squares of a row: a pure kernel, checked at compile time.
#[pure]
fn score(row: &[f32]) -> f32 {
    row.iter().fold(0.0, |a, b| a + b * b)
}

#[pure]
fn add(a: f32, b: f32) -> f32 {
    a + b
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (T, Duration) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = black_box(f());
        best = best.min(t.elapsed());
        out = Some(r);
    }
    (out.expect("at least one run"), best)
}

fn main() -> Result<(), para::RowsError> {
    let quick = std::env::var_os("PARA_EXAMPLE_QUICK").is_some();
    let (n_rows, width) = if quick { (20_000, 32) } else { (1_000_000, 32) };
    let data: Vec<f32> = (0..n_rows * width)
        .map(|i| ((i % 1000) as f32) * 1e-3)
        .collect();
    let rows = Rows::new(&data, width)?;
    println!(
        "{} rows of {} f32 ({} MB)",
        rows.len(),
        rows.width(),
        (data.len() * 4) >> 20
    );

    let (seq_scores, seq_map) = best_of(5, || {
        data.chunks_exact(width).map(score).collect::<Vec<f32>>()
    });
    let (scores, par_map) = best_of(5, || pmap!(score, black_box(rows)));
    assert_eq!(scores, seq_scores, "pmap! keeps order and values");

    let (seq_total, seq_red) = best_of(5, || {
        black_box(&seq_scores).iter().fold(0.0f32, |a, b| a + b)
    });
    let (total, par_red) = best_of(5, || preduce!(add, 0.0, black_box(&scores)));
    // Deterministic: the same bits on every run and any thread count.
    let again = preduce!(add, 0.0, &scores, concurrency = 1);
    assert_eq!(total.to_bits(), again.to_bits());

    println!(
        "score  sequential {:>9.3} ms   pmap!    {:>9.3} ms   speedup {:.2}x",
        ms(seq_map),
        ms(par_map),
        ratio(seq_map, par_map)
    );
    println!(
        "total  sequential {:>9.3} ms   preduce! {:>9.3} ms   speedup {:.2}x",
        ms(seq_red),
        ms(par_red),
        ratio(seq_red, par_red)
    );
    println!("total = {total} (sequential fold: {seq_total}; the tree differs, so the last bits may too)");
    let pool = para::global();
    let s = pool.signals();
    println!(
        "pool: {} workers (+ the calling thread), completed = {}, queued = {}, inflight = {}",
        s.workers_count.get(),
        s.completed.get(),
        s.queued.get(),
        s.inflight.get()
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-12)
}
