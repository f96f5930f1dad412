#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

#[pure]
fn k(x: f64) -> f64 {
    let scale = 3.0;
    let f = |v: f64| v * scale;
    let g = move |v: f64| f(v) + 1.0;
    g(x)
}

fn main() {
    assert_eq!(k(2.0), 7.0);
}
