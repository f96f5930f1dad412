#[allow(unused_imports)]
use para::{pmap, preduce, pure};

fn add(a: f32, b: f32) -> f32 {
    a + b
}

fn main() {
    let v = vec![1.0f32, 2.0];
    let _t: f32 = preduce!(add, 0.0, &v);
}
