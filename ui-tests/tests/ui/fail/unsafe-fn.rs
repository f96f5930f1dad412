use para::pure;

#[pure]
unsafe fn k(x: f32) -> f32 {
    x + 1.0
}

fn main() {}
