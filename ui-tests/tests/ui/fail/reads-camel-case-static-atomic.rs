use para::pure;
use std::sync::atomic::{AtomicU32, Ordering};

#[allow(non_upper_case_globals)]
static Counter: AtomicU32 = AtomicU32::new(0);

#[pure]
fn k(x: u32) -> u32 {
    x + Counter.load(Ordering::Relaxed)
}

fn main() {}
