use para::pure;

use std::sync::Mutex;

#[pure]
fn k(m: &Mutex<u32>) -> u32 {
    *m.lock().unwrap()
}

fn main() {}
