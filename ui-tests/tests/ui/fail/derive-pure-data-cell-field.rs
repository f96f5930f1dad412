use std::cell::Cell;

#[derive(para::PureData)]
struct Counter {
    total: u64,
    hits: Cell<u32>,
}

fn main() {}
