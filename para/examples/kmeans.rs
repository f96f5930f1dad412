//! k-means clustering of 1,000,000 points in the plane, k = 8: each step
//! is one `pfold!(assign(&centroids, _, _), merge, Sums::default(),
//! &points)`. The centroids are context (evaluated once, shared read-only
//! by every block), the fold assigns each point to its nearest centroid and
//! adds it to that cluster's sums, and the blocks' sums are merged in input
//! order. Every step is checked against a sequential fold, bit for bit.
//!
//! The coordinates lie on a grid of 2⁻¹⁶ below 64, so every `f64` sum is
//! exact and the check can compare bits even though the sequential fold
//! and the blocks add in different orders.
//!
//! `cargo run --release --example kmeans [-- --quick]`

use para::{pfold, pure};
use std::hint::black_box;
use std::time::{Duration, Instant};

const K: usize = 8;

/// Per-cluster coordinate sums and point counts.
#[derive(Debug, Clone, Copy, PartialEq, Default, para::PureData)]
struct Sums {
    x: [f64; K],
    y: [f64; K],
    n: [u64; K],
}

/// Add point `p` to the sums of its nearest centroid (lowest index on a tie).
#[pure]
fn assign(centroids: &[[f32; 2]; K], mut acc: Sums, p: &[f32; 2]) -> Sums {
    let mut best = 0;
    let mut best_d = f32::INFINITY;
    for (i, c) in centroids.iter().enumerate() {
        let d = (p[0] - c[0]) * (p[0] - c[0]) + (p[1] - c[1]) * (p[1] - c[1]);
        if d < best_d {
            best_d = d;
            best = i;
        }
    }
    acc.x[best] += p[0] as f64;
    acc.y[best] += p[1] as f64;
    acc.n[best] += 1;
    acc
}

/// Add two partial sums.
#[pure]
fn merge(mut a: Sums, b: Sums) -> Sums {
    for i in 0..K {
        a.x[i] += b.x[i];
        a.y[i] += b.y[i];
        a.n[i] += b.n[i];
    }
    a
}

/// The centroids of the clusters summed in `s` (an empty one stays put).
fn centroids_of(s: &Sums, old: &[[f32; 2]; K]) -> [[f32; 2]; K] {
    std::array::from_fn(|i| match s.n[i] {
        0 => old[i],
        n => [(s.x[i] / n as f64) as f32, (s.y[i] / n as f64) as f32],
    })
}

/// `n` points around `K` hidden centres, on a grid of 2⁻¹⁶ in `[0, 64)²`.
fn points(n: usize) -> Vec<[f32; 2]> {
    let mut s = 0x853C_49E6_748F_EA9Bu64;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 40) as f32 / (1u64 << 24) as f32
    };
    let centres: Vec<[f32; 2]> = (0..K)
        .map(|_| [8.0 + 48.0 * next(), 8.0 + 48.0 * next()])
        .collect();
    let grid = |v: f32| ((v * 65536.0).floor() / 65536.0).clamp(0.0, 63.999);
    (0..n)
        .map(|i| {
            let c = centres[i % K];
            [
                grid(c[0] + 12.0 * (next() - 0.5)),
                grid(c[1] + 12.0 * (next() - 0.5)),
            ]
        })
        .collect()
}

/// Run `steps` k-means steps over `n` points sequentially and with
/// `pfold!`, checking after every step that both have the same centroids.
pub fn run(n: usize, steps: usize) -> Result<(), String> {
    let pts = points(n);
    let start: [[f32; 2]; K] = std::array::from_fn(|i| pts[(i * 7919) % n]);
    let (mut seq_c, mut par_c) = (start, start);
    let (mut t_seq, mut t_par) = (Vec::new(), Vec::new());
    for step in 0..steps {
        let t = Instant::now();
        let want = black_box(&pts)
            .iter()
            .fold(Sums::default(), |acc, p| assign(&seq_c, acc, p));
        t_seq.push(t.elapsed());
        let t = Instant::now();
        let got = pfold!(
            assign(&par_c, _, _),
            merge,
            Sums::default(),
            black_box(&pts)
        );
        t_par.push(t.elapsed());
        if got != want {
            return Err(format!(
                "step {step}: pfold! sums differ from the sequential fold"
            ));
        }
        seq_c = centroids_of(&want, &seq_c);
        par_c = centroids_of(&got, &par_c);
    }
    // The same bits with one thread: the block tree depends on the length only.
    let one = pfold!(
        assign(&par_c, _, _),
        merge,
        Sums::default(),
        &pts,
        concurrency = 1
    );
    let all = pfold!(assign(&par_c, _, _), merge, Sums::default(), &pts);
    if one != all {
        return Err("pfold! at concurrency 1 differs from the default".into());
    }
    let (ts, tp) = (median(t_seq), median(t_par));
    println!("k-means, {n} points, k = {K}: {steps} steps, median step time");
    println!("  sequential fold  {:>8.2} ms", ms(ts));
    println!(
        "  pfold!           {:>8.2} ms   {:.2}x the loop's time",
        ms(tp),
        tp.as_secs_f64() / ts.as_secs_f64().max(1e-12)
    );
    for (i, c) in par_c.iter().enumerate().take(3) {
        println!(
            "  centroid {i}: ({:.3}, {:.3}), {} points",
            c[0], c[1], all.n[i]
        );
    }
    println!("  every step's centroids are the same bits as the loop's");
    Ok(())
}

fn median(mut t: Vec<Duration>) -> Duration {
    t.sort();
    t[t.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let quick = std::env::var_os("PARA_EXAMPLE_QUICK").is_some()
        || std::env::args().any(|a| a == "--quick");
    let (n, steps) = if quick { (5_000, 3) } else { (1_000_000, 10) };
    if let Err(e) = run(n, steps) {
        eprintln!("kmeans: {e}");
        std::process::exit(1);
    }
}
