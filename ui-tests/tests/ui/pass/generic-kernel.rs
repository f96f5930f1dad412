#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

use std::ops::Add;

#[pure]
fn sum_all<T: Copy + Add<Output = T> + Default>(xs: &[T]) -> T {
    xs.iter().fold(T::default(), |a, b| a + *b)
}

#[pure]
fn twice<T>(x: &T) -> (T, T)
where
    T: Clone,
{
    (x.clone(), x.clone())
}

fn main() {
    assert_eq!(sum_all(&[1, 2, 3]), 6);
    assert_eq!(sum_all(&[0.5f32, 0.25]), 0.75);
    let v = vec![1u8, 2];
    assert_eq!(pmap!(twice, &v), vec![(1, 1), (2, 2)]);
    let data = [1.0f32, 2.0, 3.0, 4.0];
    let rows = Rows::new(&data, 2).unwrap();
    assert_eq!(pmap!(sum_all, rows), vec![3.0, 7.0]);
}
