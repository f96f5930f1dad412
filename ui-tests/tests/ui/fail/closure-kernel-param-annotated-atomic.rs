use std::sync::atomic::{AtomicU32, Ordering};

fn main() {
    let v: Vec<AtomicU32> = (0..4).map(AtomicU32::new).collect();
    let _ = para::pmap!(|x: &AtomicU32| x.fetch_add(1, Ordering::Relaxed), &v);
}
