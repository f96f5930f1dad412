use para::{pmap, pure};

#[pure]
fn dot(a: &[f32], b: &[f32], i: usize) -> f32 {
    a[i] * b[i]
}

fn main() {
    let a = vec![1.0_f32; 4];
    let _c: Vec<f32> = pmap!(dot(&a, _, _), 0..4);
}
