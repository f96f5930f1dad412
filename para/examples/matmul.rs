//! Dense matrix multiply `c = a · b` (n × n, f32) two ways, each checked
//! bit for bit against a sequential loop:
//!
//! - **row form**, `pmap_into!(row(&b, n, _), Rows(a), RowsMut(c))`: each
//!   item is a row of `a`, its output slot the same row of `c`, `&b` and
//!   `n` are context shared by every row. The i-k-j loop inside vectorises;
//! - **dot form**, `pmap!(dot(&a, &b_t, n, _), 0..n * n)`: one item per
//!   entry of `c`, a dot product of a row of `a` and a row of `bᵀ`.
//!
//! Both sum each `c[i][j]` over `k` in the same order, so all of them give
//! the same bits.
//!
//! `cargo run --release --example matmul [-- N] [-- --quick]`

use para::{pmap, pmap_into, pure, Rows, RowsMut};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Row `i` of `a · b` from row `i` of `a`: `c_row = Σ_k a_row[k] · b[k, ..]`.
#[pure]
fn row(b: &[f32], n: usize, a_row: &[f32], #[out] c_row: &mut [f32]) {
    c_row.fill(0.0);
    for (k, &a) in a_row.iter().enumerate() {
        for (c, &bv) in c_row.iter_mut().zip(&b[k * n..(k + 1) * n]) {
            *c += a * bv;
        }
    }
}

/// Entry `ij` (row-major) of `a · b`, given `bᵀ`.
#[pure]
fn dot(a: &[f32], b_t: &[f32], n: usize, ij: usize) -> f32 {
    let (i, j) = (ij / n, ij % n);
    let a_row = &a[i * n..(i + 1) * n];
    let b_col = &b_t[j * n..(j + 1) * n];
    a_row.iter().zip(b_col).fold(0.0, |s, (x, y)| s + x * y)
}

/// An `n × n` matrix of floats in `[-1, 1)` from a xorshift generator.
fn matrix(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed | 1;
    (0..n * n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect()
}

fn transpose(m: &[f32], n: usize) -> Vec<f32> {
    (0..n * n).map(|ij| m[(ij % n) * n + ij / n]).collect()
}

/// The median time of `runs` calls of `f`, and its last result.
fn median_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (T, Duration) {
    let mut times = Vec::with_capacity(runs);
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        out = Some(black_box(f()));
        times.push(t.elapsed());
    }
    times.sort();
    (out.expect("runs > 0"), times[runs / 2])
}

/// Multiply two `n × n` matrices sequentially and in both para forms, and
/// check that every result is the sequential one.
pub fn run(n: usize, runs: usize) -> Result<(), String> {
    let a = matrix(n, 1);
    let b = matrix(n, 2);
    let rows = Rows::new(&a, n).map_err(|e| e.to_string())?;

    let (want, t_seq) = median_of(runs, || {
        let mut c = vec![0.0f32; n * n];
        for (a_row, c_row) in a.chunks_exact(n).zip(c.chunks_exact_mut(n)) {
            row(&b, n, a_row, c_row);
        }
        c
    });
    let (by_rows, t_rows) = median_of(runs, || {
        let mut c = vec![0.0f32; n * n];
        let out = RowsMut::new(&mut c, n).expect("n > 0 and c is n × n");
        pmap_into!(row(&b, n, _), rows, out);
        c
    });
    let b_t = transpose(&b, n);
    let (by_dots, t_dots) = median_of(runs, || pmap!(dot(&a, &b_t, n, _), 0..n * n));

    println!("{n} x {n} f32 matrix multiply, median of {runs} runs");
    println!("  sequential loop (row form)  {:>9.2} ms", ms(t_seq));
    println!(
        "  pmap_into! (row form)       {:>9.2} ms   {:.2}x the loop's time",
        ms(t_rows),
        ratio(t_rows, t_seq)
    );
    println!(
        "  pmap! (dot form)            {:>9.2} ms   {:.2}x the loop's time (no vectorised inner loop)",
        ms(t_dots),
        ratio(t_dots, t_seq)
    );
    if by_rows != want {
        return Err("pmap_into! row form differs from the sequential loop".into());
    }
    if by_dots != want {
        return Err("pmap! dot form differs from the sequential loop".into());
    }
    println!("  all three results are the same bits");
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-12)
}

fn quick() -> bool {
    std::env::var_os("PARA_EXAMPLE_QUICK").is_some() || std::env::args().any(|a| a == "--quick")
}

fn main() {
    let n = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<usize>().ok())
        .unwrap_or(if quick() { 40 } else { 512 });
    let runs = if quick() { 1 } else { 5 };
    if let Err(e) = run(n.max(1), runs) {
        eprintln!("matmul: {e}");
        std::process::exit(1);
    }
}
