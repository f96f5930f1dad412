use para::pure;
#[pure]
fn k(x: u8) -> u8 {
    use std::time::{Duration, Instant};
    let _ = Duration::from_millis(1);
    x
}

fn main() {}
