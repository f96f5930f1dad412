#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

#[pure]
fn cheap(x: f32) -> f32 {
    x * 2.0 + 1.0
}

fn main() {
    let v: Vec<f32> = (0..5000).map(|i| i as f32).collect();
    let out: Vec<f32> = pmap!(cheap, &v);
    assert_eq!(out.len(), 5000);
    assert!(out.iter().zip(&v).all(|(o, x)| *o == x * 2.0 + 1.0));
    let by_index: Vec<usize> = pmap!(|i: usize| i * i, 0..=10);
    assert_eq!(by_index[10], 100);
}
