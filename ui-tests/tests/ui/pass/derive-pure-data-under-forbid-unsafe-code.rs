#![forbid(unsafe_code)]

#[derive(para::PureData)]
struct Point {
    x: f32,
    y: f32,
}

fn is_pure<T: ?Sized + para::PureData>() {}

fn main() {
    is_pure::<Point>();
}
