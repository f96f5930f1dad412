#[derive(para::PureData)]
struct Pair(u32, Box<str>);

fn is_pure<T: ?Sized + para::PureData>() {}

fn main() {
    is_pure::<Pair>();
    let p = Pair(1, "x".into());
    assert_eq!((p.0, &*p.1), (1, "x"));
}
