use para::pure;

#[pure]
fn k(x: f32) -> f32 {
    eprintln!("{x}");
    x
}

fn main() {}
