use para::pure;

use std::sync::atomic::{AtomicU64, Ordering};

#[pure]
fn k(a: &AtomicU64) -> u64 {
    a.load(Ordering::Relaxed)
}

fn main() {}
