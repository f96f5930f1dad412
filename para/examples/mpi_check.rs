//! Scenarios for the MPI tests (`para/tests/mpi.rs` runs each under
//! `mpirun`). Not an example to read first: see `cluster.rs`.
//!
//! `mpirun -np 3 target/debug/examples/mpi_check equal`

use para::mpi::{Cluster, ClusterError};
use para::{pmap, pmap_reduce, preduce, pure, Rows};
use std::panic::{catch_unwind, AssertUnwindSafe};

#[pure]
fn score(row: &[f32]) -> f32 {
    row.iter().fold(0.0, |a, b| a + b * b)
}

#[pure]
fn cube(x: f64) -> f64 {
    x * x * x
}

#[pure]
fn other(x: f64) -> f64 {
    x + 1.0
}

#[pure]
fn widen(i: usize) -> u64 {
    i as u64 * 3
}

#[pure]
fn add32(a: f32, b: f32) -> f32 {
    a + b
}

#[pure]
fn add64(a: f64, b: f64) -> f64 {
    a + b
}

fn data(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| ((i * 7919) % 1000) as f64 * 1e-3 - 0.5)
        .collect()
}

/// Cluster results equal single-process results: pmap exactly, reductions
/// bit for bit, for lengths 0, 1 and ones not divisible by the rank count.
fn equal(c: &Cluster) {
    let pool = para::global();
    for n in [0usize, 1, 2, 5, 7, 64, 1000, 4099, 100_003] {
        let xs = if c.is_root() { data(n) } else { Vec::new() };
        let got = pmap!(cube, &xs, cluster = c);
        let sum = preduce!(add64, 0.0, &xs, cluster = c);
        let fused = pmap_reduce!(cube, add64, 0.0, &xs, cluster = c);
        let idx = pmap!(|i: usize| (i * i) as u64, 0..n, cluster = c);
        let width = 8;
        let flat: Vec<f32> = if c.is_root() {
            (0..n * width).map(|i| (i % 13) as f32 * 0.5).collect()
        } else {
            Vec::new()
        };
        let rows = c.rows(&flat, width).expect("valid rows");
        let scores = pmap!(score, rows, cluster = c);
        let total = pmap_reduce!(score, add32, 0.0, rows, cluster = c);
        if c.is_root() {
            let want: Vec<f64> = pool.map(|x: &f64| cube(*x), &xs);
            assert_eq!(got.as_ref().unwrap(), &want, "pmap n={n}");
            let want_sum = pool.reduce(add64, 0.0, &xs);
            assert_eq!(sum.unwrap().to_bits(), want_sum.to_bits(), "preduce n={n}");
            let want_fused = pool.map_reduce(|x: &f64| cube(*x), add64, 0.0, &xs);
            assert_eq!(
                fused.unwrap().to_bits(),
                want_fused.to_bits(),
                "pmap_reduce n={n}"
            );
            assert_eq!(
                idx.unwrap(),
                (0..n).map(|i| (i * i) as u64).collect::<Vec<_>>()
            );
            let local_rows = Rows::new(&flat, width).unwrap();
            assert_eq!(scores.unwrap(), pool.map(score, local_rows), "rows n={n}");
            let want_total = pool.map_reduce(score, add32, 0.0, local_rows);
            assert_eq!(total.unwrap().to_bits(), want_total.to_bits());
        } else {
            assert!(
                got.is_none()
                    && sum.is_none()
                    && fused.is_none()
                    && idx.is_none()
                    && scores.is_none()
                    && total.is_none()
            );
        }
    }
    println!("rank {}: OK equal", c.rank());
}

/// Runs `f`, which must fail on this rank; prints the error.
fn expect_error(c: &Cluster, f: impl FnOnce() -> Result<(), ClusterError>) {
    let out = catch_unwind(AssertUnwindSafe(f));
    let msg = match out {
        Ok(Err(e)) => e.to_string(),
        Err(p) => p
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_else(|| "<panic>".into()),
        Ok(Ok(())) => {
            println!("rank {}: NO ERROR", c.rank());
            std::process::exit(1);
        }
    };
    println!("rank {}: error: {msg}", c.rank());
}

fn main() {
    let scenario = std::env::args().nth(1).unwrap_or_else(|| "equal".into());
    let c = Cluster::init().expect("MPI init");
    assert_eq!(
        Cluster::init().unwrap_err(),
        ClusterError::AlreadyInitialized
    );
    let xs = data(1000);
    match scenario.as_str() {
        "equal" => equal(&c),
        "mismatch-kernel" => expect_error(&c, || {
            // Rank 1 calls another kernel than the root.
            let r = if c.rank() == 1 {
                pmap!(other, &xs, cluster = &c)
            } else {
                pmap!(cube, &xs, cluster = &c)
            };
            drop(r);
            Ok(())
        }),
        "mismatch-length" => expect_error(&c, || {
            let mine = if c.rank() == 1 { data(999) } else { xs.clone() };
            drop(pmap!(cube, &mine, cluster = &c));
            Ok(())
        }),
        "mismatch-kind" => expect_error(&c, || {
            // The same kernel over an index range on rank 1, a slice elsewhere.
            let idx: Vec<usize> = (0..1000).collect();
            if c.rank() == 1 {
                drop(pmap!(widen, 0..1000, cluster = &c));
            } else {
                drop(pmap!(widen, &idx, cluster = &c));
            }
            Ok(())
        }),
        "ragged" => expect_error(&c, || {
            let flat: Vec<f32> = if c.is_root() {
                vec![1.0; 10]
            } else {
                Vec::new()
            };
            let rows = c.rows(&flat, 3)?;
            drop(pmap!(score, rows, cluster = &c));
            Ok(())
        }),
        other => panic!("unknown scenario {other}"),
    }
    // After an error the ranks still agree and can go on.
    let s = preduce!(add64, 0.0, &xs, cluster = &c);
    if c.is_root() {
        assert_eq!(
            s.unwrap().to_bits(),
            para::global().reduce(add64, 0.0, &xs).to_bits()
        );
        println!("rank 0: still usable");
    }
}
