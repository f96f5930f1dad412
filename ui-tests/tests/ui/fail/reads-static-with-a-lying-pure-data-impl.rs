// A manual `unsafe impl PureData` is the implementer's promise; a static
// whose type breaks it is still caught by the byte-read probe (E0080).
use para::pure;
use std::sync::atomic::{AtomicU32, Ordering};

struct Sneaky(AtomicU32);

// SAFETY: none; this impl lies on purpose.
unsafe impl para::PureData for Sneaky {}

static SNEAKY: Sneaky = Sneaky(AtomicU32::new(0));

#[pure]
fn k(x: u32) -> u32 {
    x + SNEAKY.0.load(Ordering::Relaxed)
}

fn main() {}
