use para::pure;

use std::sync::RwLock;

#[pure]
fn k(m: &RwLock<u32>) -> u32 {
    *m.read().unwrap()
}

fn main() {}
