#[allow(unused_imports)]
use para::{pmap, preduce, pure};

#[pure]
fn double(x: &f32) -> f32 {
    x * 2.0
}

fn main() {
    let _out: Vec<f32> = pmap!(double);
}
