#[allow(unused_imports)]
use para::{pmap, preduce, pure};


fn main() {
    let v = vec![1.0f32, 2.0];
    let w = 3.0f32;
    let _out: Vec<f32> = pmap!(|x: &f32| x * w, &v);
}
