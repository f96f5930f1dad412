#![deny(warnings)]

use para::PureData;

#[derive(PureData, Debug, Clone, PartialEq)]
struct Centroids {
    xs: Vec<f32>,
    ys: Vec<f32>,
    label: String,
}

fn is_pure<T: ?Sized + PureData>() {}

fn main() {
    is_pure::<Centroids>();
    is_pure::<&[Centroids]>();
    let c = Centroids { xs: vec![1.0], ys: vec![2.0], label: "a".into() };
    assert_eq!(c.clone(), c); // other derives still work beside it
}
