#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

#[derive(Clone, Copy, para::PureData)]
struct Point {
    x: i32,
    y: i32,
}

const ORIGIN_X: i32 = 0;

#[pure]
fn k(p: Point, v: Option<i32>) -> i32 {
    let Point { x, y } = p;
    let extra = match v {
        Some(n) if n > 10 => n * 2,
        Some(ORIGIN_X) => -1,
        Some(n @ 1..=5) => n,
        Some(_) | None => 0,
    };
    let [a, b] = [x, y];
    if let Some(w) = v {
        if matches!(w, 0..=3 if w != 2) {
            return a + b + extra + 1000;
        }
    }
    a + b + extra
}

fn main() {
    let p = Point { x: 1, y: 2 };
    assert_eq!(k(p, Some(20)), 43);
    assert_eq!(k(p, Some(0)), 1002);
    assert_eq!(k(p, Some(4)), 7);
    assert_eq!(k(p, None), 3);
}
