use para::pure;

use std::sync::atomic::AtomicU32;

pub struct Stats {
    pub scale: u32,
    pub hits: AtomicU32,
}

static STATS: Stats = Stats { scale: 2, hits: AtomicU32::new(0) };

#[pure]
fn k(x: u32) -> u32 {
    x * STATS.scale
}

fn main() {}
