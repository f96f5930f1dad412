#[allow(unused_imports)]
use para::{pmap, preduce, pure};

fn double(x: &f32) -> f32 {
    x * 2.0
}

fn main() {
    let v = vec![1.0f32, 2.0];
    let _out: Vec<f32> = pmap!(double, &v);
}
