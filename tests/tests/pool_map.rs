//! `Pool::map`, `map_into` and `map_with` against the sequential result.

mod common;
use common::Rng;
use para::{CallOptions, Pool, Rows};

fn pools() -> Vec<Pool> {
    (1..=4)
        .map(|c| Pool::builder().concurrency(c).build().unwrap())
        .collect()
}

#[test]
fn map_matches_sequential_for_random_lengths_and_options() {
    let pools = pools();
    let mut rng = Rng::new(7);
    for round in 0..120 {
        let n = if round < 20 { round } else { rng.below(10_000) };
        let data: Vec<f32> = (0..n).map(|_| rng.f32()).collect();
        let want: Vec<f32> = data.iter().map(|x| x * 3.0 - 1.0).collect();
        let pool = &pools[round % pools.len()];
        let mut opts = CallOptions::default();
        if rng.below(2) == 0 {
            opts = opts.chunk_size(1 + rng.below(700));
        }
        if rng.below(2) == 0 {
            opts = opts.concurrency(1 + rng.below(6));
        }
        let got = pool.map_with(opts, |x: &f32| x * 3.0 - 1.0, &data);
        assert_eq!(got, want, "n={n} opts={opts:?}");
    }
}

#[test]
#[allow(
    clippy::reversed_empty_ranges,
    clippy::needless_borrows_for_generic_args
)]
fn every_input_kind_maps() {
    let p = Pool::new().unwrap();
    let v: Vec<u32> = (0..1000).collect();
    let want: Vec<u32> = v.iter().map(|x| x + 1).collect();
    assert_eq!(p.map(|x: &u32| x + 1, &v), want);
    assert_eq!(p.map(|x: &u32| x + 1, &v[..]), want);
    assert_eq!(p.map(|x: &u32| x + 1, v.clone()), want);
    let arr = [1u32, 2, 3];
    assert_eq!(p.map(|x: &u32| x + 1, &arr), vec![2, 3, 4]);
    assert_eq!(p.map(|i: usize| i as u32 + 1, 0..1000), want);
    assert_eq!(p.map(|i: usize| i as u32 + 1, 0..=999), want);
    assert_eq!(p.map(|i: usize| i, 5..3), Vec::<usize>::new());
    assert_eq!(p.map(|i: usize| i, 3..=2), Vec::<usize>::new());
    let flat: Vec<f32> = (0..60).map(|i| i as f32).collect();
    let rows = Rows::new(&flat, 6).unwrap();
    let sums = p.map(|r: &[f32]| r.iter().sum::<f32>(), rows);
    let want_sums: Vec<f32> = flat.chunks(6).map(|r| r.iter().sum()).collect();
    assert_eq!(sums, want_sums);
    assert_eq!(p.map(|r: &[f32]| r.len(), &rows), vec![6; 10]);
}

#[test]
fn empty_and_single_inputs() {
    let p = Pool::new().unwrap();
    assert!(p.map(|x: &f64| x * 2.0, &Vec::<f64>::new()).is_empty());
    assert_eq!(p.map(|x: &f64| x * 2.0, &[4.0]), vec![8.0]);
    let mut out: Vec<f64> = vec![];
    p.map_into(|x: &f64| *x, &[] as &[f64], &mut out);
}

#[test]
fn heavy_items_go_parallel_and_stay_ordered() {
    let p = Pool::builder().concurrency(2).build().unwrap();
    // ~20 µs per item: 1,000 items must not be run inline.
    let heavy = |i: usize| {
        let mut x = i as f64;
        for _ in 0..4000 {
            x = (x * 1.000_001).sin() + 1.0;
        }
        (i, x)
    };
    let out = p.map(heavy, 0..1000);
    assert!(out.iter().enumerate().all(|(i, (j, _))| i == *j));
    // Workers took part: some requests were handed to them.
    assert_eq!(p.signals().completed.get(), 1000);
}

#[test]
fn map_into_writes_in_place_and_drops_old_values() {
    let p = Pool::new().unwrap();
    let mut out: Vec<String> = (0..500).map(|i| format!("old{i}")).collect();
    p.map_into(|i: usize| format!("new{i}"), 0..500, &mut out);
    assert!(out.iter().enumerate().all(|(i, s)| *s == format!("new{i}")));
}

#[test]
fn map_into_length_mismatch_panics_naming_both_lengths() {
    let p = Pool::new().unwrap();
    let mut out = vec![0u8; 3];
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        p.map_into(|i: usize| i as u8, 0..5, &mut out);
    }))
    .unwrap_err();
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(msg.contains("length 3") && msg.contains("5 items"), "{msg}");
    assert_eq!(out, [0, 0, 0], "nothing written on a mismatch");
}

#[test]
fn closures_may_borrow_locals_and_the_pool() {
    let p = Pool::builder().concurrency(2).build().unwrap();
    let weights = [0.5f64, 2.0];
    let out = p.map(|i: usize| weights[i % 2] * i as f64, 0..10);
    assert_eq!(out[3], 6.0);
    let nested = p.map(
        |i: usize| p.map(|j: usize| i * j, 0..100).iter().sum::<usize>(),
        0..50,
    );
    let want: Vec<usize> = (0..50).map(|i| (0..100).map(|j| i * j).sum()).collect();
    assert_eq!(nested, want);
}

/// Outputs of 4 MiB and more are advised to huge pages where the system
/// allows it (`madvise`); the advice must change nothing but speed.
#[test]
fn large_outputs_are_exact_with_and_without_huge_pages() {
    let p = Pool::builder().concurrency(2).build().unwrap();
    for n in [(4 << 20) / 4 - 1, (4 << 20) / 4, 3_000_001] {
        let out = p.map(|i: usize| (i as u32).wrapping_mul(2_654_435_761), 0..n);
        assert_eq!(out.len(), n);
        assert!(out
            .iter()
            .enumerate()
            .all(|(i, &v)| v == (i as u32).wrapping_mul(2_654_435_761)));
        let big: Vec<u64> = p.map(|x: &u32| u64::from(*x) + 1, &out);
        assert!(big.iter().zip(&out).all(|(b, o)| *b == u64::from(*o) + 1));
    }
}
