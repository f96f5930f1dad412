use para::pure;

macro_rules! sneaky {
    ($e:expr) => {
        $e
    };
}

#[pure]
fn k(x: f32) -> f32 {
    sneaky!(x + 1.0)
}

fn main() {}
