use para::pure;

fn double(x: &f32) -> f32 {
    x * 2.0
}

#[pure]
fn k(xs: &[f32]) -> Vec<f32> {
    xs.iter().map(double).collect()
}

fn main() {}
