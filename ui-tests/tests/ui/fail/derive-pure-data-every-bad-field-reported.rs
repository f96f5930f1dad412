use std::cell::Cell;
use std::sync::Mutex;

#[derive(para::PureData)]
struct Three {
    a: Cell<u8>,
    ok: Vec<f32>,
    b: Mutex<u8>,
    c: fn() -> u8,
}

fn main() {}
