use para::pure;
use std::cell::Cell;

#[pure]
fn first<T: Clone>(xs: &[T]) -> T {
    xs[0].clone()
}

fn main() {
    let v = vec![Cell::new(1u8)];
    let _ = first(&v);
}
