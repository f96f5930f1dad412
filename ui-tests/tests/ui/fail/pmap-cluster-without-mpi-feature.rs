#[allow(unused_imports)]
use para::{pmap, preduce, pure};

#[pure]
fn double(x: &f32) -> f32 {
    x * 2.0
}

fn main() {
    let v = vec![1.0f32, 2.0];
    let c = ();
    let _out = pmap!(double, &v, cluster = &c);
}
