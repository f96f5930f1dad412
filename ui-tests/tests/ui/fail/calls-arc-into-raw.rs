use para::pure;
use std::sync::Arc;

#[pure]
fn k(x: u8) -> usize {
    let a = Arc::new(x);
    Arc::into_raw(a) as usize
}

fn main() {}
