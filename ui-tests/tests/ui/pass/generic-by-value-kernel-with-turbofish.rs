use para::pure;
use std::ops::Mul;

#[pure]
fn sq<T: Copy + Mul<Output = T>>(x: T) -> T {
    x * x
}

fn main() {
    assert_eq!(para::pmap!(sq::<i32>, &vec![3i32, 4]), vec![9, 16]);
    assert_eq!(para::pmap!(sq::<f64>, &[1.5f64]), vec![2.25]);
}
