use para::pure;
use std::time::SystemTime;

const EPOCH: SystemTime = SystemTime::UNIX_EPOCH;

#[pure]
fn k(x: u64) -> bool {
    let e = EPOCH;
    x > 0 && e == e
}

fn main() {}
