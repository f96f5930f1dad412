use para::pure;
#[pure]
fn scale<const N: usize>(x: &f32) -> f32 {
    x * N as f32
}

fn main() {
    let v = vec![1.0_f32, 2.0, 3.0];
    assert_eq!(para::pmap!(scale::<3>, &v), vec![3.0, 6.0, 9.0]);
    assert_eq!(scale::<2>(&4.0), 8.0);
}
