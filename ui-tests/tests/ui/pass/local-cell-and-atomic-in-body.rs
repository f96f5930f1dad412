use para::pure;
use std::cell::Cell;
use std::sync::atomic::{AtomicU32, Ordering};

// A cell or an atomic made inside the kernel is state nobody outside the
// call can observe: allowed.
#[pure]
fn k(xs: &[u32]) -> u32 {
    let seen = Cell::new(0);
    let hits = AtomicU32::new(0);
    for x in xs {
        seen.set(seen.get() + x);
        hits.fetch_add(1, Ordering::Relaxed);
    }
    seen.get() * 10 + hits.load(Ordering::Relaxed)
}

fn main() {
    assert_eq!(k(&[1, 2, 3]), 63);
}
