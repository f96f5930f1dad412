use para::pure;

#[pure]
fn k(x: f32) -> f32 {
    dbg!(x) * 2.0
}

fn main() {}
