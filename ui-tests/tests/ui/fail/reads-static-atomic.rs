use para::pure;

use std::sync::atomic::{AtomicUsize, Ordering};

static CALLS: AtomicUsize = AtomicUsize::new(0);

#[pure]
fn k(x: usize) -> usize {
    x + CALLS.load(Ordering::Relaxed)
}

fn main() {}
