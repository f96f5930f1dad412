use para::pure;
#[pure]
fn k(a: u32, b: u32) -> (u32, u32) {
    use std::mem::swap;
    let (mut x, mut y) = (a, b);
    swap(&mut x, &mut y);
    (x, y)
}

fn main() {
    assert_eq!(k(1, 2), (2, 1));
}
