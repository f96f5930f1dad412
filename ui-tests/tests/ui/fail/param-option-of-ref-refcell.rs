use para::pure;
use std::cell::RefCell;

#[pure]
fn k(v: Option<&RefCell<u8>>) -> bool {
    v.is_some()
}

fn main() {}
