use para::pure;

use std::cell::Cell;

#[pure]
fn k(c: &Cell<u32>) -> u32 {
    c.get()
}

fn main() {}
