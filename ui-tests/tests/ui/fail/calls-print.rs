use para::pure;

#[pure]
fn k(x: f32) -> f32 {
    print!("{x}");
    x
}

fn main() {}
