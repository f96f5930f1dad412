#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

#[pure]
fn cheap(x: &f32) -> f32 {
    x + 1.0
}

fn main() {
    let v = vec![1.0f32, 2.0];
    #[allow(unused_variables)]
    let cheap = |_: &f32| -> f32 { panic!("the local closure ran") };
    assert_eq!(pmap!(cheap, &v), vec![2.0, 3.0]);
}
