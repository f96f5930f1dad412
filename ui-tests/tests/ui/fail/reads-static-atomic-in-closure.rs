use para::pure;

use std::sync::atomic::{AtomicU64, Ordering};

static SEED: AtomicU64 = AtomicU64::new(7);

#[pure]
fn k(xs: &[u64]) -> Vec<u64> {
    xs.iter().map(|x| x ^ SEED.load(Ordering::Relaxed)).collect()
}

fn main() {}
