#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

#[pure]
fn k(x: f64) -> f64 {
    x.sin().abs().max(0.0).min(1.0).sqrt() + f64::max(x, 0.0).powi(2) + x.mul_add(2.0, 1.0)
}

fn main() {
    let want = 2f64.sin().abs().sqrt() + 4.0 + 5.0;
    assert!((k(2.0) - want).abs() < 1e-12);
}
