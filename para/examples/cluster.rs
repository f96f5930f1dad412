//! The quickstart's job across MPI ranks: rows scored with `pmap!` and
//! totalled with `preduce!`, read on the root, shared out, results back on
//! the root. With `bench` as argument, times map_heavy over 1e6 items.
//!
//! ```sh
//! cargo build --release --features mpi --example cluster
//! mpirun -np 2 --bind-to none target/release/examples/cluster
//! mpirun -np 2 --bind-to none target/release/examples/cluster bench
//! ```

use para::mpi::Cluster;
use para::{pmap, preduce, pure};
use std::time::Instant;

#[pure]
fn score(row: &[f32]) -> f32 {
    row.iter().fold(0.0, |a, b| a + b * b)
}

#[pure]
fn add(a: f32, b: f32) -> f32 {
    a + b
}

#[pure]
fn heavy(x: f32) -> f32 {
    let mut v = x;
    for _ in 0..100 {
        v = v.sin();
    }
    v
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cluster = Cluster::init()?;
    let bench = std::env::args().nth(1).as_deref() == Some("bench");
    if bench {
        let n = 1_000_000;
        let xs: Vec<f32> = if cluster.is_root() {
            (0..n).map(|i| i as f32 * 1e-6).collect()
        } else {
            Vec::new()
        };
        let mut best = f64::MAX;
        for _ in 0..5 {
            let t = Instant::now();
            let out = pmap!(heavy, &xs, cluster = &cluster);
            best = best.min(t.elapsed().as_secs_f64());
            if let Some(out) = out {
                assert_eq!(out.len(), n);
            }
        }
        if cluster.is_root() {
            println!(
                "map_heavy 1e6 on {} rank(s): best of 5 = {:.1} ms",
                cluster.size(),
                best * 1e3
            );
        }
        return Ok(());
    }
    let (n_rows, width) = (200_000, 32);
    let flat: Vec<f32> = if cluster.is_root() {
        (0..n_rows * width)
            .map(|i| (i % 100) as f32 * 0.01)
            .collect()
    } else {
        Vec::new()
    };
    let rows = cluster.rows(&flat, width)?;
    let t = Instant::now();
    let scores = pmap!(score, rows, cluster = &cluster);
    let total = preduce!(
        add,
        0.0,
        scores.as_deref().unwrap_or(&[]),
        cluster = &cluster
    );
    let took = t.elapsed();
    println!(
        "rank {}/{}: pool of {} workers",
        cluster.rank(),
        cluster.size(),
        para::global().concurrency()
    );
    if let (Some(scores), Some(total)) = (scores, total) {
        let single = para::global().reduce(add, 0.0, &scores);
        assert_eq!(
            total.to_bits(),
            single.to_bits(),
            "bit-identical to one process"
        );
        println!(
            "root: {} scores, total {total} (same bits as one process), {:.1} ms",
            scores.len(),
            took.as_secs_f64() * 1e3
        );
    }
    Ok(())
}
