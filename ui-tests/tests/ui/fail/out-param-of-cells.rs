use para::pure;
use std::cell::Cell;

#[pure]
fn k(i: usize, #[out] row: &mut [Cell<f32>]) {
    row[0].set(i as f32);
}

fn main() {}
