use para::pure;
#[pure]
fn k(a: u32, b: u32) -> u32 {
    use std::cmp;
    cmp::max(a, b) + cmp::min(a, b)
}

fn main() {
    assert_eq!(k(3, 9), 12);
}
