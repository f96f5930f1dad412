#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

mod lib {
    #[para::pure]
    pub fn cube(x: i32) -> i32 {
        x * x * x
    }
}

#[pure]
fn k(a: i32, b: i32) -> i32 {
    use lib::cube;
    use std::cmp::{max, min};
    use std::mem::swap;
    let (mut x, mut y) = (a, b);
    swap(&mut x, &mut y);
    cube(max(x, y)) + min(x, y)
}

fn main() {
    assert_eq!(k(1, 2), 9);
}
