#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

#[pure]
fn k(x: i64) -> i64 {
    let x = x + 1;
    let x = {
        let x = x * 2;
        x + 1
    };
    let f = |x: i64| x * 10;
    f(x) + x
}

fn main() {
    assert_eq!(k(1), 55);
}
