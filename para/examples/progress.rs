//! A long `pmap!` with a terminal progress bar driven by the pool's
//! `completed` signal.
//!
//! `cargo run --release --example progress`

use indicatif::{ProgressBar, ProgressStyle};
use para::{pmap, pure};

/// Deliberately slow: 2,000 dependent square roots per item.
#[pure]
fn slow(i: usize) -> f64 {
    let mut x = i as f64 + 1.0;
    for _ in 0..2_000 {
        x = (x + 1.0).sqrt();
    }
    x
}

fn main() {
    let quick = std::env::var_os("PARA_EXAMPLE_QUICK").is_some();
    let n = if quick { 20_000 } else { 2_000_000 };
    let pool = para::global();
    let s = pool.signals();
    let start = s.completed.get();
    let bar = ProgressBar::new(n as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} items  {per_sec}  eta {eta}")
            .expect("a valid template"),
    );
    let b2 = bar.clone();
    // Called on para's notifier thread, never on a worker.
    let sub = s
        .completed
        .subscribe(move |done| b2.set_position((done - start) as u64));
    let out: Vec<f64> = pmap!(slow, 0..n);
    drop(sub);
    bar.set_position((s.completed.get() - start) as u64);
    bar.finish();
    println!(
        "mapped {} items; last = {:.6}; completed signal = {}",
        out.len(),
        out[n - 1],
        s.completed.get()
    );
    assert_eq!(s.completed.get() - start, n);
}
