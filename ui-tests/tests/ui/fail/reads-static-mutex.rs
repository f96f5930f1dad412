use para::pure;

use std::sync::Mutex;

static TOTAL: Mutex<u64> = Mutex::new(0);

#[pure]
fn k(x: u64) -> u64 {
    x + *TOTAL.lock().unwrap()
}

fn main() {}
