use std::rc::Rc;

#[derive(para::PureData)]
struct Shared {
    names: Rc<Vec<String>>,
}

fn main() {}
