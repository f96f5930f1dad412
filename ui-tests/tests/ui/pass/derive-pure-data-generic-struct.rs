#![deny(warnings)]

use std::borrow::Cow;

#[derive(para::PureData)]
struct Table<'a, T, const N: usize>
where
    T: Copy,
{
    rows: Vec<[T; N]>,
    name: Cow<'a, str>,
}

fn is_pure<T: ?Sized + para::PureData>() {}

// A generic user of the derive: the bound is all it needs.
fn table_is_pure<T: Copy + para::PureData>() {
    is_pure::<Table<'static, T, 4>>();
}

fn main() {
    is_pure::<Table<'static, f32, 3>>();
    table_is_pure::<u8>();
    let t = Table::<u8, 2> { rows: vec![[1, 2]], name: Cow::Borrowed("t") };
    assert_eq!((t.rows[0][1], &*t.name), (2, "t"));
}
