use std::cell::RefCell;

#[derive(para::PureData)]
enum Cache {
    Empty,
    Filled { values: RefCell<Vec<f32>> },
}

fn main() {}
