#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

#[pure]
fn k(mut a: Vec<u32>, b: u32) -> (u32, Vec<u32>, u32) {
    let m = std::cmp::max(b, 3) + core::cmp::min(b, 3);
    let old = std::mem::replace(&mut a, vec![9]);
    let taken = std::mem::take(&mut a);
    let once: Vec<u32> = std::iter::once(m).chain(std::iter::repeat(1).take(2)).collect();
    let n = i32::pow(2, 3) as u32 + u32::MAX.wrapping_add(1) + old.len() as u32 + taken[0] + Vec::<u32>::new().len() as u32;
    (n, once, String::from("ab").len() as u32)
}

fn main() {
    assert_eq!(k(vec![1, 2], 5), (8 + 0 + 2 + 9, vec![8, 1, 1], 2));
}
