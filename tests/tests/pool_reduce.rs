//! Deterministic reduce and map_reduce.

mod common;
use common::Rng;
use para::{CallOptions, Pool, Rows};

#[test]
fn reduce_matches_sequential_for_exact_types() {
    let pools: Vec<Pool> = (1..=3)
        .map(|c| Pool::builder().concurrency(c).build().unwrap())
        .collect();
    let mut rng = Rng::new(11);
    for round in 0..150 {
        let n = if round < 20 { round } else { rng.below(10_000) };
        let xs: Vec<u64> = (0..n).map(|_| rng.next() % 1000).collect();
        let mut opts = CallOptions::default();
        if rng.below(2) == 0 {
            opts = opts.chunk_size(1 + rng.below(500));
        }
        let p = &pools[round % 3];
        assert_eq!(
            p.reduce_with(opts, |a, b| a + b, 0u64, &xs),
            xs.iter().sum::<u64>(),
            "n={n}"
        );
        let want: u64 = xs.iter().map(|x| x * 3).sum();
        assert_eq!(
            p.map_reduce_with(opts, |x: &u64| x * 3, |a, b| a + b, 0, &xs),
            want
        );
    }
}

#[test]
fn non_commutative_string_concatenation_keeps_order() {
    let p = Pool::builder().concurrency(4).build().unwrap();
    for n in [0, 1, 2, 63, 64, 65, 1000, 5000] {
        let words: Vec<String> = (0..n).map(|i| format!("{i};")).collect();
        assert_eq!(
            p.reduce(|a, b| a + &b, String::new(), &words),
            words.concat()
        );
        let got = p.map_reduce(|i: usize| i.to_string(), |a, b| a + &b, String::new(), 0..n);
        assert_eq!(got, (0..n).map(|i| i.to_string()).collect::<String>());
    }
}

type M2 = [[u64; 2]; 2];
fn mul(a: M2, b: M2) -> M2 {
    let m = |x: u64, y: u64| x.wrapping_mul(y);
    [
        [
            m(a[0][0], b[0][0]).wrapping_add(m(a[0][1], b[1][0])),
            m(a[0][0], b[0][1]).wrapping_add(m(a[0][1], b[1][1])),
        ],
        [
            m(a[1][0], b[0][0]).wrapping_add(m(a[1][1], b[1][0])),
            m(a[1][0], b[0][1]).wrapping_add(m(a[1][1], b[1][1])),
        ],
    ]
}

#[test]
fn non_commutative_matrix_product() {
    let p = Pool::builder().concurrency(3).build().unwrap();
    let mut rng = Rng::new(3);
    let ms: Vec<M2> = (0..3000)
        .map(|_| {
            [
                [rng.next() % 7, rng.next() % 7],
                [rng.next() % 7, rng.next() % 7],
            ]
        })
        .collect();
    let id: M2 = [[1, 0], [0, 1]];
    let want = ms.iter().fold(id, |a, b| mul(a, *b));
    assert_eq!(p.reduce(mul, id, &ms), want);
}

#[test]
fn float_reduce_is_bit_identical_across_concurrency_and_runs() {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut rng = Rng::new(5);
    for n in [1000usize, 65_537, 1_000_003] {
        let xs: Vec<f32> = (0..n).map(|_| rng.f32() * 1e3).collect();
        let ys: Vec<f64> = (0..n).map(|_| rng.f64() * 1e9).collect();
        let first = Pool::builder().concurrency(1).build().unwrap();
        let ref32 = first.reduce(|a, b| a + b, 0.0f32, &xs).to_bits();
        let ref64 = first.reduce(|a, b| a + b, 0.0f64, &ys).to_bits();
        let refmr = first
            .map_reduce(|x: &f32| x * x, |a, b| a + b, 0.0f32, &xs)
            .to_bits();
        for c in 1..=cores.max(2) {
            let p = Pool::builder().concurrency(c).build().unwrap();
            let runs = if n < 100_000 { 100 } else { 10 };
            for _ in 0..runs {
                assert_eq!(
                    p.reduce(|a, b| a + b, 0.0f32, &xs).to_bits(),
                    ref32,
                    "n={n} c={c}"
                );
                assert_eq!(
                    p.reduce(|a, b| a + b, 0.0f64, &ys).to_bits(),
                    ref64,
                    "n={n} c={c}"
                );
                assert_eq!(
                    p.map_reduce(|x: &f32| x * x, |a, b| a + b, 0.0f32, &xs)
                        .to_bits(),
                    refmr
                );
                // Per-call concurrency caps do not change the tree either.
                let capped = p.reduce_with(
                    CallOptions::default().concurrency(1),
                    |a, b| a + b,
                    0.0f32,
                    &xs,
                );
                assert_eq!(capped.to_bits(), ref32);
            }
        }
        // map then reduce equals the fused form, bit for bit.
        let sq: Vec<f32> = first.map(|x: &f32| x * x, &xs);
        assert_eq!(first.reduce(|a, b| a + b, 0.0f32, &sq).to_bits(), refmr);
    }
}

#[test]
#[allow(clippy::needless_borrows_for_generic_args)]
fn every_input_kind_reduces() {
    let p = Pool::new().unwrap();
    let v: Vec<i64> = (1..=100).collect();
    assert_eq!(p.reduce(|a, b| a + b, 0, &v), 5050);
    assert_eq!(p.reduce(|a, b| a + b, 0, &v[..]), 5050);
    assert_eq!(p.reduce(|a, b| a + b, 0, v.clone()), 5050);
    assert_eq!(p.reduce(|a, b| a + b, 0, &[1i64, 2, 3]), 6);
    assert_eq!(p.reduce(|a, b| a + b, 0, 1..101), 5050);
    assert_eq!(p.reduce(|a, b| a + b, 0, 1..=100), 5050);
    let flat: Vec<f32> = (0..12).map(|i| i as f32).collect();
    let rows = Rows::new(&flat, 3).unwrap();
    let total = p.map_reduce(|r: &[f32]| r.iter().sum::<f32>(), |a, b| a + b, 0.0, rows);
    assert_eq!(total, 66.0);
    assert_eq!(p.reduce(|a, b| a + b, 7, &Vec::<i32>::new()), 7);
}
