use para::pure;

#[pure]
fn k(x: f32) -> f32 {
    fn inner(v: f32) -> f32 {
        v * 2.0
    }
    inner(x)
}

fn main() {}
