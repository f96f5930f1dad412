#![deny(warnings)]

#[derive(para::PureData)]
enum Shape<T> {
    Empty,
    Circle(T),
    Rect { w: T, h: T },
    Group(Vec<Shape<T>>),
}

fn is_pure<T: ?Sized + para::PureData>() {}

fn area(s: &Shape<f64>) -> f64 {
    match s {
        Shape::Empty => 0.0,
        Shape::Circle(r) => 3.0 * r * r,
        Shape::Rect { w, h } => w * h,
        Shape::Group(g) => g.iter().map(area).sum(),
    }
}

fn main() {
    is_pure::<Shape<f64>>();
    let s = Shape::Group(vec![Shape::Rect { w: 2.0, h: 3.0 }, Shape::Circle(1.0), Shape::Empty]);
    assert_eq!(area(&s), 9.0);
}
