use para::pure;
use std::time::Instant;

#[pure]
fn k(t: Instant) -> bool {
    t == t
}

fn main() {}
