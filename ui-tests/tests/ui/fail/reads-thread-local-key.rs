use para::pure;

use std::cell::Cell;

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

#[pure]
fn k(x: u32) -> u32 {
    x + DEPTH.with(|d| d.get())
}

fn main() {}
