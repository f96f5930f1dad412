use para::pure;
use std::cell::Cell;

#[pure]
fn k(v: &Vec<Cell<u32>>) -> usize {
    v.len()
}

fn main() {}
