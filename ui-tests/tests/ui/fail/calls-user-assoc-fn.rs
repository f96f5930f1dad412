use para::pure;

struct Point {
    x: f32,
}

impl Point {
    fn new(x: f32) -> Point {
        Point { x }
    }
}

#[pure]
fn k(x: f32) -> f32 {
    Point::new(x).x
}

fn main() {}
