use para::pure;
use std::sync::atomic::{AtomicUsize, Ordering};

static HITS: AtomicUsize = AtomicUsize::new(0);

struct Holder {
    hits: &'static AtomicUsize,
}

const HOLDER: Holder = Holder { hits: &HITS };

#[pure]
fn k(x: usize) -> usize {
    x + HOLDER.hits.fetch_add(1, Ordering::Relaxed)
}

fn main() {}
