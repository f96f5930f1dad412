use para::pure;

#[pure]
fn k(x: f32) -> f32 {
    println!("x = {x}");
    x
}

fn main() {}
