#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

mod lib {
    #[para::pure]
    pub fn square(x: f32) -> f32 {
        x * x
    }
}

#[pure]
fn inc(x: f32) -> f32 {
    x + 1.0
}

#[pure]
fn k(xs: &[f32]) -> f32 {
    let a: f32 = xs.iter().map(|x| lib::square(inc(*x))).sum();
    let b: Vec<f32> = xs.iter().copied().map(inc).collect();
    a + b[0]
}

fn main() {
    assert_eq!(k(&[1.0, 2.0]), 13.0 + 2.0);
}
