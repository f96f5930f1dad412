#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

#[pure]
fn inc(x: &u64) -> u64 {
    x + 1
}

#[pure]
fn row_total(n: usize) -> u64 {
    let xs: Vec<u64> = (0..n as u64).collect();
    let ys: Vec<u64> = pmap!(inc, &xs);
    preduce!(|a, b| a + b, 0, &ys)
}

fn main() {
    let totals: Vec<u64> = pmap!(row_total, 0..50);
    for (n, t) in totals.iter().enumerate() {
        assert_eq!(*t, (1..=n as u64).sum::<u64>());
    }
}
