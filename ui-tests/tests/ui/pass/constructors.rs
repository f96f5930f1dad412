#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

#[derive(Debug, PartialEq, Clone, Copy)]
struct Meters(f32);
#[derive(Debug, PartialEq)]
enum Shape {
    Circle(f32),
    Empty,
}

#[pure]
fn k(x: f32) -> (Option<Meters>, Result<Shape, String>, Shape) {
    let s = if x > 0.0 { Shape::Circle(x) } else { Shape::Empty };
    (Some(Meters(x)), Ok(s), Shape::Empty)
}

fn main() {
    assert_eq!(k(2.0), (Some(Meters(2.0)), Ok(Shape::Circle(2.0)), Shape::Empty));
}
