use para::pure;

use std::sync::atomic::AtomicUsize;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

#[pure]
fn k(x: usize) -> String {
    format!("{x} after {COUNTER:?}")
}

fn main() {}
