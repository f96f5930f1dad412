use para::pure;
#[pure]
fn k(i: usize, #[out] a: &mut [f32], #[out] b: &mut [f32]) {
    a[0] = i as f32;
    b[0] = i as f32;
}

fn main() {}
