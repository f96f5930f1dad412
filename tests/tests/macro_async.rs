//! The async call macros: the same kernels, context arguments, zips,
//! options and bits as the blocking forms, on more than one executor.

use para::{pmap, pmap_async, pmap_reduce, pmap_reduce_async, preduce, preduce_async, pure, Pool};
use std::sync::Arc;

#[pure]
fn nearest(centres: &[f32], x: &f32) -> u32 {
    let mut best = (f32::INFINITY, 0_u32);
    for (i, c) in centres.iter().enumerate() {
        let d = (c - x).abs();
        if d < best.0 {
            best = (d, i as u32);
        }
    }
    best.1
}

#[pure]
fn axpy(a: f32, x: f32, y: f32) -> f32 {
    a * x + y
}

#[pure]
fn square(x: &f64) -> f64 {
    x * x
}

#[pure]
fn add(a: f64, b: f64) -> f64 {
    a + b
}

fn data(n: usize) -> Vec<f32> {
    (0..n).map(|i| ((i * 37) % 1000) as f32 * 0.1).collect()
}

#[test]
fn owned_context_moves_into_the_future() {
    let xs = data(20_000);
    let centres = vec![10.0_f32, 40.0, 70.0];
    let want: Vec<u32> = pmap!(nearest(&centres, _), &xs);
    // `&centres` in an async call moves `centres` into the future and lends
    // it to every item.
    let fut = pmap_async!(nearest(&centres, _), xs.clone());
    let got = futures::executor::block_on(fut);
    assert_eq!(got, want);
    let shared = Arc::new(vec![10.0_f32, 40.0, 70.0]);
    let fut = pmap_async!(nearest(&shared, _), xs.clone());
    assert_eq!(futures::executor::block_on(fut), want);
}

#[test]
fn zips_options_and_bits_match_the_blocking_forms() {
    let x = data(30_000);
    let y: Vec<f32> = x.iter().map(|v| v * 0.5 + 1.0).collect();
    let want = pmap!(axpy(3.0, _, _), (&x, &y));
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let pool = Pool::builder().concurrency(2).build().expect("pool");
    let got = rt.block_on(pmap_async!(
        axpy(3.0, _, _),
        (x.clone(), y.clone()),
        pool = &pool,
        chunk_size = 777
    ));
    assert_eq!(bits32(&got), bits32(&want));
    let fs: Vec<f64> = (0..50_000).map(|i| (f64::from(i)).sin()).collect();
    let blocking = preduce!(add, 0.0, &fs);
    let a = rt.block_on(preduce_async!(add, 0.0, fs.clone()));
    let b = futures::executor::block_on(preduce_async!(
        |a, b| a + b,
        0.0,
        fs.clone(),
        concurrency = 1
    ));
    assert_eq!(
        (a.to_bits(), b.to_bits()),
        (blocking.to_bits(), blocking.to_bits())
    );
    let fused = pmap_reduce!(square, add, 0.0, &fs);
    let af = rt.block_on(pmap_reduce_async!(
        square,
        add,
        0.0,
        fs.clone(),
        pool = &pool
    ));
    assert_eq!(af.to_bits(), fused.to_bits());
    let ranged = futures::executor::block_on(pmap_async!(|i: usize| i * 2, 0..1000));
    assert_eq!(ranged, (0..1000).map(|i| i * 2).collect::<Vec<_>>());
}

fn bits32(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}
