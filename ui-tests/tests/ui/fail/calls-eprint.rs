use para::pure;

#[pure]
fn k(x: f32) -> f32 {
    eprint!("{x}");
    x
}

fn main() {}
