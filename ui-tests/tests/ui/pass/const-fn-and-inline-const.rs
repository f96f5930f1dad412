#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

const SCALE: u32 = 3;
static TABLE: [u32; 2] = [10, 20];

#[pure]
const fn scaled(x: u32) -> u32 {
    x * SCALE
}

#[pure]
fn with_inline_const(x: u32) -> u32 {
    let k = const { SCALE * 2 };
    x * k + TABLE[1]
}

fn main() {
    assert_eq!(scaled(2), 6);
    assert_eq!(with_inline_const(1), 26);
    let xs = [1u32, 2, 3];
    assert_eq!(pmap!(scaled, &xs), vec![3, 6, 9]);
    assert_eq!(pmap!(with_inline_const, &xs), vec![26, 32, 38]);
}
