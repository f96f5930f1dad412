//! `map` allocates its output and at most a small constant beside it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static BYTES: AtomicUsize = AtomicUsize::new(0);
static COUNT: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only
// counts on the side.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        BYTES.fetch_add(l.size(), Ordering::SeqCst);
        COUNT.fetch_add(1, Ordering::SeqCst);
        // SAFETY: same contract as ours.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static A: Counting = Counting;

#[test]
fn map_of_a_million_f32_allocates_output_plus_a_constant() {
    let pool = para::Pool::builder().concurrency(2).build().unwrap();
    let data: Vec<f32> = (0..1_000_000).map(|i| i as f32).collect();
    // Warm up: calibration and thread-local state.
    let _ = pool.map(|x: &f32| x * 2.0, &data);
    let (b0, c0) = (BYTES.load(Ordering::SeqCst), COUNT.load(Ordering::SeqCst));
    let out = pool.map(|x: &f32| x * 2.0, &data);
    let (b1, c1) = (BYTES.load(Ordering::SeqCst), COUNT.load(Ordering::SeqCst));
    assert_eq!(out.len(), 1_000_000);
    let extra = b1 - b0 - 4_000_000;
    assert!(extra <= 1024, "{extra} bytes beside the output");
    assert!(c1 - c0 <= 4, "{} allocations", c1 - c0);
}
