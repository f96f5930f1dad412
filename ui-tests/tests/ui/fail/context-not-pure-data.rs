use para::{pmap, pure};
use std::cell::Cell;

#[pure]
fn read<T>(_c: &T, x: &u32) -> u32 {
    x + 1
}

fn main() {
    let c = Cell::new(0_u32);
    let v = vec![1_u32, 2, 3];
    let _out: Vec<u32> = pmap!(read(&c, _), &v);
}
