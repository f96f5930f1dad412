use para::pure;
#[derive(para::PureData, Clone, Copy)]
struct Line {
    a: f32,
    b: f32,
}

#[pure]
fn at(l: &Line, x: f32) -> f32 {
    l.a * x + l.b
}

fn main() {
    let l = Line { a: 2.0, b: 1.0 };
    assert_eq!(at(&l, 3.0), 7.0);
}
