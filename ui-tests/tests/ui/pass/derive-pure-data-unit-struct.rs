#[derive(para::PureData)]
struct Marker;

fn is_pure_val<T: ?Sized + para::PureData>(_: &T) {}

fn main() {
    is_pure_val(&Marker);
}
