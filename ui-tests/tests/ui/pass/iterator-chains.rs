#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

#[pure]
fn k(xs: &[f32]) -> f32 {
    xs.iter().copied().filter(|x| *x > 0.0).map(|x| x * x).sum::<f32>() + xs.iter().rev().take(1).sum::<f32>()
}

fn main() {
    assert_eq!(k(&[1.0, -2.0, 3.0]), 13.0);
    let _ = (pmap!(|x: &u8| *x, &[1u8]), preduce!(|a, b| a + b, 0, &[1]), pmap_reduce!(|x: &u8| *x, |a, b| a + b, 0, &[1u8]), Rows::new(&[0u8], 1));
}
