#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

#[pure]
fn k(xs: &[i32]) -> Vec<i32> {
    let mut v = xs.to_vec();
    v.sort_unstable();
    v.dedup();
    v.retain(|x| *x != 0);
    v.iter_mut().for_each(|x| *x *= 2);
    v
}

fn main() {
    assert_eq!(k(&[3, 1, 3, 0]), vec![2, 6]);
}
