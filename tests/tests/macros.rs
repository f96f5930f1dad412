//! `#[pure]`, `pmap!`, `preduce!`, `pmap_reduce!` end to end.

use para::{pmap, pmap_reduce, preduce, pure, Rows};

#[pure]
fn score(row: &[f32]) -> f32 {
    row.iter().fold(0.0, |a, b| a + b * b)
}

#[pure]
fn cheap(x: f32) -> f32 {
    x * 2.0 + 1.0
}

#[pure]
fn add(a: f32, b: f32) -> f32 {
    a + b
}

#[pure(name = "rankBatch")]
pub fn rank_batch(batch: &[f32]) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..batch.len() as u32).collect();
    idx.sort_by(|&a, &b| batch[b as usize].total_cmp(&batch[a as usize]));
    idx
}

const SCALE: f32 = 0.5;

#[pure]
fn scaled(x: &f32) -> f32 {
    let helper = |v: f32| v * SCALE;
    helper(cheap(*x))
}

#[test]
fn pmap_over_rows_and_slices() {
    let data: Vec<f32> = (0..6400).map(|i| (i % 13) as f32).collect();
    let rows = Rows::new(&data, 64).unwrap();
    let got: Vec<f32> = pmap!(score, rows);
    let want: Vec<f32> = data.chunks(64).map(score).collect();
    assert_eq!(got, want);
    let got = pmap!(cheap, &data, chunk_size = 100, concurrency = 2);
    assert_eq!(got, data.iter().map(|&x| cheap(x)).collect::<Vec<_>>());
    let got = pmap!(scaled, data.clone());
    assert_eq!(got[3], (3.0 * 2.0 + 1.0) * 0.5);
    let got = pmap!(|x: &f32| x + 1.0, &data);
    assert_eq!(got[5], 6.0);
    let got = pmap!(|i: usize| i * 2, 0..10);
    assert_eq!(got, (0..10).map(|i| i * 2).collect::<Vec<_>>());
    let set: std::collections::BTreeSet<u32> = (0..5).collect();
    let got = pmap!(|x: u32| x + 1, set);
    assert_eq!(got, vec![1, 2, 3, 4, 5]);
}

#[test]
fn preduce_and_fused() {
    let xs: Vec<f32> = (0..10_000).map(|i| i as f32 * 0.25).collect();
    let total: f32 = preduce!(add, 0.0, &xs);
    assert_eq!(total, para::global().reduce(|a, b| a + b, 0.0, &xs));
    let total2: f32 = preduce!(|a, b| a + b, 0.0, &xs);
    assert_eq!(total.to_bits(), total2.to_bits());
    assert_eq!(preduce!(|a, b| a + b, 0, &Vec::<i32>::new()), 0);
    let data: Vec<f32> = (0..640).map(|i| i as f32).collect();
    let rows = Rows::new(&data, 64).unwrap();
    let fused: f32 = pmap_reduce!(score, add, 0.0, rows);
    let scores: Vec<f32> = pmap!(score, rows);
    assert_eq!(fused.to_bits(), preduce!(add, 0.0, &scores).to_bits());
}

#[test]
fn kernels_are_registered() {
    let names: Vec<&str> = para::kernels().map(|k| k.name).collect();
    for n in ["score", "cheap", "add", "rankBatch", "scaled"] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    let rb = para::kernels().find(|k| k.name == "rankBatch").unwrap();
    assert_eq!(
        rb.signature,
        "pub fn rank_batch(batch: &[f32]) -> Vec<u32>".trim_start_matches("pub ")
    );
    assert!(rb.path.ends_with("macros"), "{}", rb.path);
}
