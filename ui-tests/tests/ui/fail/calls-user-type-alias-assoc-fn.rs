use para::pure;
struct Point {
    x: f32,
}

impl Point {
    fn origin() -> Point {
        println!("made");
        Point { x: 0.0 }
    }
}

type P = Point;

#[pure]
fn k(x: f32) -> f32 {
    P::origin().x + x
}

fn main() {}
