//! The call forms of the context-argument issue compile and give the
//! sequential answers: holes with context, zips, pmap_into! into slices and
//! rows (the `#[out]` slot in any position), pfold!, try_pmap!, pscan!,
//! pfilter!.
use para::{pfilter, pfold, pmap, pmap_into, pscan, pure, try_pmap, RowsMut};

#[pure]
fn scale(k: f32, x: &f32) -> f32 {
    k * x
}

#[pure]
fn add(x: f32, y: f32) -> f32 {
    x + y
}

#[pure]
fn fill(#[out] row: &mut [u32], base: u32, y: usize) {
    for r in row.iter_mut() {
        *r = base + y as u32;
    }
}

#[pure]
fn count(mut acc: u64, x: &u32) -> u64 {
    acc += u64::from(*x);
    acc
}

#[pure]
fn parse(s: &u32) -> Result<u32, u32> {
    if *s < 100 { Ok(*s) } else { Err(*s) }
}

fn main() {
    let xs: Vec<f32> = (0..100).map(|i| i as f32).collect();
    let k = 2.0_f32;
    assert_eq!(pmap!(scale(k, _), &xs)[7], 14.0);
    assert_eq!(pmap!(add, (&xs, &xs))[3], 6.0);
    let mut out = vec![0.0_f32; 100];
    pmap_into!(scale(3.0, _), &xs, &mut out);
    assert_eq!(out[2], 6.0);
    let mut rows = vec![0_u32; 12];
    pmap_into!(fill(10, _), 0..4, RowsMut::new(&mut rows, 3).expect("3 wide"));
    assert_eq!(rows, [10, 10, 10, 11, 11, 11, 12, 12, 12, 13, 13, 13]);
    let us: Vec<u32> = (0..10).collect();
    assert_eq!(pfold!(count, |a, b| a + b, 0, &us), 45);
    assert_eq!(try_pmap!(parse, &us), Ok(us.clone()));
    assert_eq!(try_pmap!(parse, &[1_u32, 200, 300]), Err(200));
    assert_eq!(pscan!(|a, b| a + b, 0, &us)[9], 45);
    assert_eq!(pfilter!(|x: &u32| *x > 6, &us), [7, 8, 9]);
}
