use para::pure;
use std::cell::Cell;
use std::rc::Rc;

#[pure]
fn k(v: Rc<Cell<u8>>) -> u8 {
    let _ = v;
    0
}

fn main() {}
