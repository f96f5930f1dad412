#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

mod kernels {
    #[para::pure]
    pub fn score(x: &f32) -> f32 {
        x * 2.0
    }
}

#[allow(unused_imports)]
use kernels::*;

// A local, impure function of the same name shadows the glob import in the
// value namespace; pmap! still calls the #[pure] kernel, through its marker.
fn score(_: &f32) -> f32 {
    panic!("the impure shadow ran")
}

fn main() {
    let v = vec![1.0f32, 2.0];
    assert_eq!(pmap!(score, &v), vec![2.0, 4.0]);
    let _ = score as fn(&f32) -> f32;
}
