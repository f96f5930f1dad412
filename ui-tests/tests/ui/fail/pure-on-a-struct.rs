use para::pure;

#[pure]
struct NotAFunction {
    x: f32,
}

fn main() {}
