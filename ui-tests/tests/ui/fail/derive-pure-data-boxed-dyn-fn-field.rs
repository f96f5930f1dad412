#[derive(para::PureData)]
struct Callback {
    on_done: Box<dyn Fn()>,
}

fn main() {}
