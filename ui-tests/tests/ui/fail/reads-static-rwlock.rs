use para::pure;

use std::sync::RwLock;

static CONFIG: RwLock<u64> = RwLock::new(1);

#[pure]
fn k(x: u64) -> u64 {
    x * *CONFIG.read().unwrap()
}

fn main() {}
