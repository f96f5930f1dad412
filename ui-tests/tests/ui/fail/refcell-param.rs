use para::pure;

use std::cell::RefCell;

#[pure]
fn k(c: &RefCell<Vec<u32>>) -> usize {
    c.borrow().len()
}

fn main() {}
