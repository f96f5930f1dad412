use std::cell::Cell;

fn is_pure<T: ?Sized + para::PureData>() {}

#[derive(para::PureData)]
struct W<T> {
    value: T,
}

fn f() { is_pure::<W<Cell<u8>>>() }

fn main() {
    f();
}
