use para::pure;

use std::sync::atomic::{AtomicUsize, Ordering};

static HITS: AtomicUsize = AtomicUsize::new(0);
const HITS_REF: &AtomicUsize = &HITS;

#[pure]
fn k(x: usize) -> usize {
    x + HITS_REF.load(Ordering::Relaxed)
}

fn main() {}
