use para::pure;

fn helper(x: f32) -> f32 {
    x * 2.0
}

#[pure]
fn k(x: f32) -> f32 {
    helper(x) + 1.0
}

fn main() {}
