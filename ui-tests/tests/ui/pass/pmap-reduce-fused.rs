#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

#[pure]
fn square(x: &f64) -> f64 {
    x * x
}

#[pure]
fn add(a: f64, b: f64) -> f64 {
    a + b
}

fn main() {
    let xs: Vec<f64> = (0..100_000).map(|i| (i as f64).sin()).collect();
    let fused = pmap_reduce!(square, add, 0.0, &xs);
    let mapped: Vec<f64> = pmap!(square, &xs);
    let total = preduce!(add, 0.0, &mapped);
    assert_eq!(fused.to_bits(), total.to_bits());
}
