#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

#[pure]
fn score(row: &[f32]) -> f32 {
    row.iter().fold(0.0, |a, b| a + b * b)
}

fn main() {
    let data: Vec<f32> = (0..64 * 1000).map(|i| (i % 7) as f32).collect();
    let rows = Rows::new(&data, 64).unwrap();
    let got: Vec<f32> = pmap!(score, rows);
    let want: Vec<f32> = data.chunks(64).map(score).collect();
    assert_eq!(got, want);
}
