//! The collective calls beyond map and reduce: map into outputs, fold,
//! try_map, scan and filter, against sequential references.

mod common;
use common::Rng;
use para::{CallOptions, Pool, Rows, RowsError, RowsMut};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Pools of concurrency 1, 2 and the default.
fn pools() -> Vec<Pool> {
    vec![
        Pool::builder().concurrency(1).build().unwrap(),
        Pool::builder().concurrency(2).build().unwrap(),
        Pool::new().unwrap(),
    ]
}

/// Random lengths 0..10_000 (the first few small ones in order), then a
/// few large ones.
fn lengths(rng: &mut Rng, rounds: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (0..10).collect();
    v.extend((0..rounds).map(|_| rng.below(10_000)));
    v.extend([65_537, 300_001]);
    v
}

/// The block length of a reduction over `len` items (`chunk::reduce_block`).
fn reduce_block(len: usize, explicit: Option<usize>) -> usize {
    explicit.map_or_else(|| len.div_ceil(64).clamp(1, 8192), |c| c.max(1))
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

// ---------------------------------------------------------------- map into

#[test]
fn map_into_outputs_matches_sequential_for_every_input_kind() {
    let pools = pools();
    let mut rng = Rng::new(1);
    for (round, n) in lengths(&mut rng, 40).into_iter().enumerate() {
        let p = &pools[round % 3];
        let xs: Vec<u64> = (0..n).map(|_| rng.next()).collect();
        // Slice input, `&mut Vec` output.
        let mut out = vec![0u64; n];
        p.map_outputs_with(
            CallOptions::default(),
            |x: &u64, o: &mut u64| *o = x.rotate_left(7),
            &xs,
            &mut out,
        );
        let want: Vec<u64> = xs.iter().map(|x| x.rotate_left(7)).collect();
        assert_eq!(out, want, "n={n}");
        // Range input, `&mut [U]` output, explicit chunk.
        let mut out = vec![0usize; n];
        let opts = CallOptions::default().chunk_size(1 + rng.below(300));
        p.map_outputs_with(
            opts,
            |i: usize, o: &mut usize| *o = i * 3,
            0..n,
            &mut out[..],
        );
        assert!(out.iter().enumerate().all(|(i, &o)| o == i * 3));
        // Rows input and rows output: each row reversed and doubled.
        let w = 1 + rng.below(5);
        let flat: Vec<u64> = (0..n * w).map(|_| rng.next() % 100).collect();
        let mut dst = vec![0u64; n * w];
        p.map_rows_into(
            |row: &[u64], o: &mut [u64]| {
                for (d, s) in o.iter_mut().zip(row.iter().rev()) {
                    *d = s * 2;
                }
            },
            Rows::new(&flat, w).unwrap(),
            RowsMut::new(&mut dst, w).unwrap(),
        );
        let want: Vec<u64> = flat
            .chunks(w)
            .flat_map(|r| r.iter().rev().map(|s| s * 2))
            .collect();
        assert_eq!(dst, want, "n={n} w={w}");
    }
}

#[test]
fn map_rows_into_fills_rows_from_an_index_range() {
    let p = Pool::builder().concurrency(2).build().unwrap();
    let (h, w) = (1000, 37);
    let mut img = vec![0u32; h * w];
    let rows = RowsMut::new(&mut img, w).unwrap();
    assert_eq!((rows.len(), rows.width(), rows.is_empty()), (h, w, false));
    assert_eq!(format!("{rows:?}"), "RowsMut { len: 1000, width: 37 }");
    p.map_rows_into_with(
        CallOptions::default().chunk_size(3),
        |y: usize, row: &mut [u32]| {
            for (x, v) in row.iter_mut().enumerate() {
                *v = (y * 100 + x) as u32;
            }
        },
        0..h,
        rows,
    );
    for (i, v) in img.iter().enumerate() {
        assert_eq!(*v as usize, (i / w) * 100 + i % w);
    }
}

#[test]
fn rows_mut_errors_are_those_of_rows() {
    let mut data = vec![0u8; 10];
    assert_eq!(
        RowsMut::new(&mut data, 0).unwrap_err(),
        RowsError::ZeroWidth
    );
    assert_eq!(
        RowsMut::new(&mut data, 3).unwrap_err(),
        RowsError::Ragged { len: 10, width: 3 }
    );
    assert_eq!(
        Rows::new(&data, 3).unwrap_err(),
        RowsError::Ragged { len: 10, width: 3 }
    );
    assert!(RowsMut::new(&mut data[..0], 4).unwrap().is_empty());
}

#[test]
fn a_length_mismatch_panics_with_both_lengths_before_anything_runs() {
    let p = Pool::new().unwrap();
    let ran = AtomicUsize::new(0);
    let mut out = vec![7u32; 5];
    let err = catch_unwind(AssertUnwindSafe(|| {
        p.map_outputs_with(
            CallOptions::default(),
            |i: usize, o: &mut u32| {
                ran.fetch_add(1, Ordering::Relaxed);
                *o = i as u32;
            },
            0..6,
            &mut out,
        );
    }))
    .unwrap_err();
    assert_eq!(
        panic_message(&*err),
        "para: map_into: the output has length 5 but the input has 6 items"
    );
    let mut rows = vec![0u8; 8];
    let err = catch_unwind(AssertUnwindSafe(|| {
        p.map_rows_into(
            |_: usize, _: &mut [u8]| {},
            0..3,
            RowsMut::new(&mut rows, 2).unwrap(),
        );
    }))
    .unwrap_err();
    assert_eq!(
        panic_message(&*err),
        "para: map_into: the output has length 4 but the input has 3 items"
    );
    assert_eq!(ran.load(Ordering::Relaxed), 0);
    assert_eq!(out, [7; 5]);
}

#[test]
fn a_panic_in_map_into_is_re_raised_and_the_pool_stays_usable() {
    let p = Pool::builder().concurrency(2).build().unwrap();
    let mut out = vec![0u64; 100_000];
    let err = catch_unwind(AssertUnwindSafe(|| {
        p.map_outputs_with(
            CallOptions::default().chunk_size(1000),
            |i: usize, o: &mut u64| {
                if i == 77_777 {
                    std::panic::panic_any(i);
                }
                *o = i as u64;
            },
            0..100_000,
            &mut out,
        );
    }))
    .unwrap_err();
    assert_eq!(err.downcast_ref::<usize>(), Some(&77_777));
    p.map_outputs_with(
        CallOptions::default(),
        |i: usize, o: &mut u64| *o = i as u64 + 1,
        0..100_000,
        &mut out,
    );
    assert!(out.iter().enumerate().all(|(i, &o)| o == i as u64 + 1));
}

// -------------------------------------------------------------------- fold

fn bump(mut h: [u64; 256], b: &u8) -> [u64; 256] {
    h[*b as usize] += 1;
    h
}

fn merge(mut a: [u64; 256], b: [u64; 256]) -> [u64; 256] {
    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
    a
}

#[test]
fn fold_builds_a_byte_histogram() {
    let pools = pools();
    let mut rng = Rng::new(2);
    for (round, n) in lengths(&mut rng, 40).into_iter().enumerate() {
        let bytes: Vec<u8> = (0..n).map(|_| (rng.next() % 251) as u8).collect();
        let mut want = [0u64; 256];
        for b in &bytes {
            want[*b as usize] += 1;
        }
        let p = &pools[round % 3];
        assert_eq!(p.fold(bump, merge, [0; 256], &bytes), want, "n={n}");
        let opts = CallOptions::default().chunk_size(1 + rng.below(2000));
        assert_eq!(p.fold_with(opts, bump, merge, [0; 256], &bytes), want);
    }
}

/// Per-centroid (sum x, sum y, count) of 2-D points, nearest of 3.
type Sums = [(f64, f64, u64); 3];

const CENTROIDS: [(f64, f64); 3] = [(-0.5, 0.0), (0.5, 0.5), (0.0, -0.5)];

fn assign(mut acc: Sums, p: &(f64, f64)) -> Sums {
    let d = |c: (f64, f64)| (c.0 - p.0).powi(2) + (c.1 - p.1).powi(2);
    let k = (0..3)
        .min_by(|&a, &b| d(CENTROIDS[a]).total_cmp(&d(CENTROIDS[b])))
        .unwrap();
    acc[k].0 += p.0;
    acc[k].1 += p.1;
    acc[k].2 += 1;
    acc
}

fn add_sums(mut a: Sums, b: Sums) -> Sums {
    for k in 0..3 {
        a[k].0 += b[k].0;
        a[k].1 += b[k].1;
        a[k].2 += b[k].2;
    }
    a
}

/// The documented tree, sequentially: blocks folded from `init`, block
/// results combined left to right from the first (`init` for none).
fn fold_tree<T, A: Clone>(
    xs: &[T],
    block: usize,
    init: A,
    fold: impl Fn(A, &T) -> A,
    combine: impl Fn(A, A) -> A,
) -> A {
    xs.chunks(block)
        .map(|c| c.iter().fold(init.clone(), &fold))
        .reduce(combine)
        .unwrap_or(init)
}

fn bits(s: &Sums) -> Vec<u64> {
    s.iter()
        .flat_map(|(x, y, c)| [x.to_bits(), y.to_bits(), *c])
        .collect()
}

#[test]
fn fold_k_means_sums_are_bit_identical_across_concurrency_and_the_tree() {
    let mut pools = pools();
    let solo = Pool::builder().concurrency(2).build().unwrap();
    solo.dispose();
    pools.push(solo);
    let mut rng = Rng::new(3);
    let zero: Sums = [(0.0, 0.0, 0); 3];
    for n in [0, 1, 63, 64, 65, 1000, 9_999, 200_003] {
        let pts: Vec<(f64, f64)> = (0..n).map(|_| (rng.f64(), rng.f64() * 1e3)).collect();
        let want = fold_tree(&pts, reduce_block(n, None), zero, assign, add_sums);
        let explicit = CallOptions::default().chunk_size(777);
        let want_777 = fold_tree(&pts, 777, zero, assign, add_sums);
        for p in &pools {
            for _ in 0..3 {
                assert_eq!(
                    bits(&p.fold(assign, add_sums, zero, &pts)),
                    bits(&want),
                    "n={n}"
                );
                assert_eq!(
                    bits(&p.fold_with(explicit, assign, add_sums, zero, &pts)),
                    bits(&want_777)
                );
            }
        }
        let counts: u64 = want.iter().map(|s| s.2).sum();
        assert_eq!(counts, n as u64);
    }
}

#[test]
fn fold_keeps_order_for_a_non_commutative_combine() {
    let pools = pools();
    let mut rng = Rng::new(4);
    for (round, n) in lengths(&mut rng, 20).into_iter().enumerate() {
        let n = n.min(20_000);
        let p = &pools[round % 3];
        let got = p.fold(
            |mut s: String, i: usize| {
                s.push_str(&i.to_string());
                s.push(',');
                s
            },
            |a, b| a + &b,
            String::new(),
            0..n,
        );
        let want: String = (0..n).map(|i| format!("{i},")).collect();
        assert_eq!(got, want, "n={n}");
    }
}

#[test]
fn fold_of_nothing_is_init_and_rows_fold() {
    let p = Pool::new().unwrap();
    assert_eq!(
        p.fold(|a: u32, x: &u32| a + x, |a, b| a + b, 9, &Vec::<u32>::new()),
        9
    );
    let flat: Vec<u32> = (0..300).collect();
    let rows = Rows::new(&flat, 3).unwrap();
    let widest = p.fold(
        |a: u32, r: &[u32]| a.max(r.iter().sum()),
        |a, b| a.max(b),
        0,
        rows,
    );
    assert_eq!(widest, 297 + 298 + 299);
}

#[test]
fn a_panic_in_fold_is_re_raised_and_accumulators_are_dropped() {
    static LIVE: AtomicUsize = AtomicUsize::new(0);
    #[derive(Debug)]
    struct Acc(u64);
    impl Clone for Acc {
        fn clone(&self) -> Acc {
            LIVE.fetch_add(1, Ordering::SeqCst);
            Acc(self.0)
        }
    }
    impl Drop for Acc {
        fn drop(&mut self) {
            LIVE.fetch_sub(1, Ordering::SeqCst);
        }
    }
    fn mk(v: u64) -> Acc {
        LIVE.fetch_add(1, Ordering::SeqCst);
        Acc(v)
    }
    let p = Pool::builder().concurrency(2).build().unwrap();
    for (opts, n) in [
        (CallOptions::default().chunk_size(10), 100_000),
        (CallOptions::default(), 1_000_000),
    ] {
        let err = catch_unwind(AssertUnwindSafe(|| {
            p.fold_with(
                opts,
                |a: Acc, i: usize| {
                    if i == n - 5 {
                        panic!("fold {i}");
                    }
                    mk(a.0 + i as u64)
                },
                |a, b| mk(a.0 + b.0),
                mk(0),
                0..n,
            )
        }))
        .unwrap_err();
        assert_eq!(panic_message(&*err), format!("fold {}", n - 5));
        // Every accumulator made (init, its clones, block results) was
        // dropped.
        assert_eq!(LIVE.load(Ordering::SeqCst), 0);
    }
    assert_eq!(
        p.fold(|a: u64, i: usize| a + i as u64, |a, b| a + b, 0, 0..1000),
        499_500
    );
}

// ----------------------------------------------------------------- try_map

#[test]
fn try_map_answers_all_or_the_lowest_failure() {
    let pools = pools();
    let mut rng = Rng::new(5);
    for (round, n) in lengths(&mut rng, 40).into_iter().enumerate() {
        let p = &pools[round % 3];
        let xs: Vec<u64> = (0..n).map(|_| rng.next()).collect();
        // No failure.
        let ok: Result<Vec<u64>, usize> = p.try_map(|x: &u64| Ok(x / 3), &xs);
        assert_eq!(ok.unwrap(), xs.iter().map(|x| x / 3).collect::<Vec<_>>());
        if n == 0 {
            continue;
        }
        // One to four failures at random indices: the lowest wins.
        let fails: Vec<usize> = (0..1 + rng.below(4)).map(|_| rng.below(n)).collect();
        let lowest = *fails.iter().min().unwrap();
        for (c, q) in pools.iter().enumerate() {
            let opts = if c == 1 {
                CallOptions::default().chunk_size(1 + rng.below(100))
            } else {
                CallOptions::default()
            };
            let got = q.try_map_with(
                opts,
                |i: usize| {
                    if fails.contains(&i) {
                        Err(format!("bad {i}"))
                    } else {
                        Ok(i)
                    }
                },
                0..n,
            );
            assert_eq!(got, Err(format!("bad {lowest}")), "n={n} c={c}");
            let opt = q.try_map(|i: usize| (!fails.contains(&i)).then_some(i), 0..n);
            assert_eq!(opt, None);
        }
    }
}

#[test]
fn try_map_over_strings_and_rows() {
    let p = Pool::builder().concurrency(2).build().unwrap();
    let lines: Vec<String> = (0..5000).map(|i| i.to_string()).collect();
    let parsed: Result<Vec<u32>, _> = p.try_map(|s: &String| s.parse::<u32>(), &lines);
    assert_eq!(parsed.unwrap(), (0..5000).collect::<Vec<u32>>());
    let mut bad = lines.clone();
    bad[4321] = "x".into();
    bad[4999] = "y".into();
    let err = p.try_map(|s: &String| s.parse::<u32>(), &bad).unwrap_err();
    assert_eq!(err, "x".parse::<u32>().unwrap_err());
    let flat: Vec<i32> = (0..3000).collect();
    let rows = Rows::new(&flat, 3).unwrap();
    let firsts = p.try_map(|r: &[i32]| r.first().copied(), rows);
    assert_eq!(firsts, Some((0..3000).step_by(3).collect()));
}

#[test]
fn inline_try_map_runs_nothing_after_the_failure() {
    // A disposed pool runs every call on the caller: one thread, in order.
    let p = Pool::builder().concurrency(2).build().unwrap();
    p.dispose();
    let mut rng = Rng::new(6);
    for _ in 0..50 {
        let n = 1 + rng.below(20_000);
        let m = rng.below(n);
        let ran = AtomicUsize::new(0);
        let got = p.try_map(
            |i: usize| {
                ran.fetch_add(1, Ordering::Relaxed);
                if i >= m && i % 2 == m % 2 {
                    Err(i)
                } else {
                    Ok(i)
                }
            },
            0..n,
        );
        assert_eq!(got, Err(m));
        assert_eq!(ran.load(Ordering::Relaxed), m + 1, "n={n} m={m}");
    }
}

#[test]
fn parallel_try_map_runs_every_item_below_the_failure() {
    let p = Pool::builder().concurrency(2).build().unwrap();
    let n = 1_000_000;
    for m in [0, 1, 499_999, 999_999] {
        let ran: Vec<AtomicUsize> = (0..n).map(|_| AtomicUsize::new(0)).collect();
        let got = p.try_map_with(
            CallOptions::default().chunk_size(10_000),
            |i: usize| {
                ran[i].fetch_add(1, Ordering::Relaxed);
                if i >= m {
                    Err(i)
                } else {
                    Ok(i)
                }
            },
            0..n,
        );
        assert_eq!(got, Err(m));
        assert!(ran[..=m].iter().all(|r| r.load(Ordering::Relaxed) == 1));
        assert!(ran.iter().all(|r| r.load(Ordering::Relaxed) <= 1));
    }
}

#[test]
fn outputs_written_before_a_failure_are_dropped_exactly_once() {
    static MADE: AtomicUsize = AtomicUsize::new(0);
    static DROPPED: AtomicUsize = AtomicUsize::new(0);
    #[derive(Debug)]
    struct Out(#[allow(dead_code)] usize);
    impl Drop for Out {
        fn drop(&mut self) {
            DROPPED.fetch_add(1, Ordering::SeqCst);
        }
    }
    let pools = pools();
    let mut rng = Rng::new(7);
    for round in 0..60 {
        let n = if round < 3 {
            300_000
        } else {
            1 + rng.below(10_000)
        };
        let m = rng.below(n);
        let p = &pools[round % 3];
        MADE.store(0, Ordering::SeqCst);
        DROPPED.store(0, Ordering::SeqCst);
        let got = p.try_map(
            |i: usize| {
                if i == m || i == n - 1 {
                    return Err(i);
                }
                MADE.fetch_add(1, Ordering::SeqCst);
                Ok(Out(i))
            },
            0..n,
        );
        assert_eq!(got.unwrap_err(), m);
        let made = MADE.load(Ordering::SeqCst);
        assert!(made >= m, "made={made} m={m}");
        assert_eq!(DROPPED.load(Ordering::SeqCst), made, "n={n} m={m}");
    }
    // On success nothing is dropped until the answer is.
    DROPPED.store(0, Ordering::SeqCst);
    let all: Result<Vec<Out>, ()> = pools[1].try_map(|i: usize| Ok(Out(i)), 0..5000);
    assert_eq!(DROPPED.load(Ordering::SeqCst), 0);
    drop(all);
    assert_eq!(DROPPED.load(Ordering::SeqCst), 5000);
}

#[test]
fn a_panicking_drop_of_an_output_is_contained() {
    struct Bomb;
    impl Drop for Bomb {
        fn drop(&mut self) {
            panic!("bomb");
        }
    }
    let p = Pool::builder().concurrency(2).build().unwrap();
    for n in [10, 100_000] {
        let got = p.try_map(|i: usize| if i == n / 2 { Err(i) } else { Ok(Bomb) }, 0..n);
        assert!(matches!(got, Err(i) if i == n / 2));
    }
    // Failures of higher indices whose drop panics are contained too.
    let got = p.try_map(
        |i: usize| {
            if i % 1000 == 999 {
                Err((i, Bomb))
            } else {
                Ok(i)
            }
        },
        0..100_000,
    );
    let (i, b) = got.unwrap_err();
    assert_eq!(i, 999);
    std::mem::forget(b);
}

#[test]
fn try_map_panics_are_failures_of_their_index() {
    let pools = pools();
    for p in &pools {
        for n in [100, 200_000] {
            // A panic below the lowest error is re-raised with its payload.
            let err = catch_unwind(AssertUnwindSafe(|| {
                p.try_map(
                    |i: usize| {
                        if i == n / 4 {
                            std::panic::panic_any(i);
                        }
                        if i >= n / 2 {
                            Err(i)
                        } else {
                            Ok(i)
                        }
                    },
                    0..n,
                )
            }))
            .unwrap_err();
            assert_eq!(err.downcast_ref::<usize>(), Some(&(n / 4)));
            // An error below every panic wins over them.
            let got = p.try_map(
                |i: usize| {
                    if i > n / 2 {
                        panic!("never re-raised");
                    }
                    if i == n / 2 {
                        Err(i)
                    } else {
                        Ok(i)
                    }
                },
                0..n,
            );
            assert_eq!(got, Err(n / 2));
        }
        let ok: Option<Vec<usize>> = p.try_map(Some, 0..1000);
        assert_eq!(ok.unwrap().len(), 1000);
    }
}

// -------------------------------------------------------------------- scan

/// The documented scan tree, sequentially: blocks of `block` items, each
/// cut into eight lanes from 64 items on (the last lane takes the rest);
/// every lane summed from 0, the prefixes chained through the lane sums,
/// every lane rescanned from its prefix.
fn scan_tree(xs: &[f64], block: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(xs.len());
    let mut prefix = 0.0f64;
    for c in xs.chunks(block) {
        let lanes: Vec<&[f64]> = if c.len() < 64 {
            vec![c]
        } else {
            let q = c.len() / 8;
            (0..8)
                .map(|k| &c[k * q..if k == 7 { c.len() } else { (k + 1) * q }])
                .collect()
        };
        for lane in lanes {
            let s = lane.iter().fold(0.0, |a, x| a + x);
            let mut acc = prefix;
            for x in lane {
                acc += x;
                out.push(acc);
            }
            prefix += s;
        }
    }
    out
}

#[test]
fn scan_matches_the_sequential_prefix_for_exact_types() {
    let pools = pools();
    let mut rng = Rng::new(8);
    for (round, n) in lengths(&mut rng, 60).into_iter().enumerate() {
        let p = &pools[round % 3];
        let xs: Vec<u64> = (0..n).map(|_| rng.next()).collect();
        let want: Vec<u64> = xs
            .iter()
            .scan(0u64, |a, x| {
                *a = a.wrapping_add(*x);
                Some(*a)
            })
            .collect();
        assert_eq!(p.scan(|a, b| a.wrapping_add(b), 0, &xs), want, "n={n}");
        let opts = CallOptions::default().chunk_size(1 + rng.below(3000));
        assert_eq!(p.scan_with(opts, |a, b| a.wrapping_add(b), 0, &xs), want);
        let idx: Vec<usize> = (0..n)
            .scan(0, |a, i| {
                *a += i;
                Some(*a)
            })
            .collect();
        assert_eq!(p.scan(|a, b| a + b, 0, 0..n), idx);
    }
}

#[test]
fn scan_keeps_order_for_a_non_commutative_f() {
    let pools = pools();
    for (k, n) in [0, 1, 2, 100, 3_000, 20_000].into_iter().enumerate() {
        let words: Vec<String> = (0..n).map(|i| format!("{},", i % 10)).collect();
        let mut acc = String::new();
        let want: Vec<String> = words
            .iter()
            .map(|w| {
                acc.push_str(w);
                acc.clone()
            })
            .collect();
        let got = pools[k % 3].scan(|a, b| a + &b, String::new(), &words);
        assert!(got == want, "n={n}");
    }
}

#[test]
fn float_scan_is_bit_identical_across_concurrency_and_the_tree() {
    let mut pools = pools();
    // And on the caller alone, every block inline.
    let solo = Pool::builder().concurrency(2).build().unwrap();
    solo.dispose();
    pools.push(solo);
    let mut rng = Rng::new(9);
    for n in [1, 63, 64, 65, 1000, 10_007, 1_000_003] {
        let xs: Vec<f64> = (0..n).map(|_| rng.f64() * 1e6).collect();
        let want: Vec<u64> = scan_tree(&xs, reduce_block(n, None))
            .iter()
            .map(|x| x.to_bits())
            .collect();
        let want_333: Vec<u64> = scan_tree(&xs, 333).iter().map(|x| x.to_bits()).collect();
        for p in &pools {
            for _ in 0..3 {
                let got: Vec<u64> = p
                    .scan(|a, b| a + b, 0.0, &xs)
                    .iter()
                    .map(|x| x.to_bits())
                    .collect();
                assert!(got == want, "n={n}");
                let got: Vec<u64> = p
                    .scan_with(
                        CallOptions::default().chunk_size(333),
                        |a, b| a + b,
                        0.0,
                        &xs,
                    )
                    .iter()
                    .map(|x| x.to_bits())
                    .collect();
                assert!(got == want_333, "n={n}");
            }
        }
    }
}

#[test]
fn a_panic_in_scan_is_re_raised_and_the_pool_stays_usable() {
    let pools = pools();
    for p in &pools {
        for (n, at) in [(100usize, 50usize), (2_000_000, 1_999_990), (2_000_000, 10)] {
            let err = catch_unwind(AssertUnwindSafe(|| {
                p.scan(
                    |a: usize, b: usize| {
                        if b == at {
                            std::panic::panic_any(b);
                        }
                        a + b
                    },
                    0,
                    0..n,
                )
            }))
            .unwrap_err();
            assert_eq!(err.downcast_ref::<usize>(), Some(&at));
        }
        let xs: Vec<u64> = vec![1; 1_000_000];
        let got = p.scan(|a, b| a + b, 0, &xs);
        assert!(got.iter().enumerate().all(|(i, &v)| v == i as u64 + 1));
    }
}

// ------------------------------------------------------------------ filter

#[test]
fn filter_matches_sequential_for_every_input_kind() {
    let pools = pools();
    let mut rng = Rng::new(10);
    for (round, n) in lengths(&mut rng, 60).into_iter().enumerate() {
        let p = &pools[round % 3];
        let xs: Vec<u64> = (0..n).map(|_| rng.next() % 1000).collect();
        let cut = rng.next() % 1001;
        let want: Vec<u64> = xs.iter().copied().filter(|&x| x < cut).collect();
        assert_eq!(p.filter(|x: &u64| *x < cut, &xs), want, "n={n} cut={cut}");
        // Explicit blocks, some past the bit set on the stack.
        let opts = CallOptions::default().chunk_size(1 + rng.below(20_000));
        assert_eq!(p.filter_with(opts, |x: &u64| *x < cut, &xs), want);
        let idx: Vec<usize> = (0..n).filter(|i| i % 3 != 1).collect();
        assert_eq!(p.filter(|i: usize| i % 3 != 1, 0..n), idx);
        let w = 1 + rng.below(4);
        let flat: Vec<u64> = (0..n * w).map(|_| rng.next() % 10).collect();
        let rows: Vec<&[u64]> = flat.chunks(w).filter(|r| r[0] < 5).collect();
        assert_eq!(
            p.filter(|r: &[u64]| r[0] < 5, Rows::new(&flat, w).unwrap()),
            rows
        );
    }
}

#[test]
fn filter_clones_kept_items_and_keeps_none_or_all() {
    let p = Pool::builder().concurrency(2).build().unwrap();
    let words: Vec<String> = (0..100_000).map(|i| format!("w{i}")).collect();
    let kept = p.filter(|w: &String| w.ends_with('7'), &words);
    let want: Vec<String> = words.iter().filter(|w| w.ends_with('7')).cloned().collect();
    assert_eq!(kept, want);
    assert!(p.filter(|_: &String| false, &words).is_empty());
    assert_eq!(p.filter(|_: &String| true, &words), words);
    assert!(p.filter(|_: usize| true, 0..0).is_empty());
}

#[test]
fn a_panic_in_filter_is_re_raised_and_the_pool_stays_usable() {
    let pools = pools();
    for p in &pools {
        for (n, at) in [(100usize, 99usize), (2_000_000, 5), (2_000_000, 1_999_999)] {
            let err = catch_unwind(AssertUnwindSafe(|| {
                p.filter(
                    |i: usize| {
                        if i == at {
                            std::panic::panic_any(i);
                        }
                        i.is_multiple_of(2)
                    },
                    0..n,
                )
            }))
            .unwrap_err();
            assert_eq!(err.downcast_ref::<usize>(), Some(&at));
        }
        assert_eq!(
            p.filter(|i: usize| i.is_multiple_of(2), 0..1_000_000).len(),
            500_000
        );
    }
}

#[test]
fn a_late_block_is_looked_past_without_changing_the_result() {
    // One item sleeps, so the block after it usually finds no prefix and
    // looks back; the answers must not change.
    let p = Pool::builder().concurrency(2).build().unwrap();
    let n = 200_000;
    let opts = CallOptions::default().chunk_size(1000);
    for late in [1_500, 50_000, 199_999] {
        let slow = |x: usize| {
            if x == late {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        };
        let got = p.scan_with(
            opts,
            |a: usize, b: usize| {
                slow(b);
                a.wrapping_mul(31).wrapping_add(b)
            },
            0,
            0..n,
        );
        let mut want = Vec::with_capacity(n);
        let mut prefix = 0usize;
        // The same tree, sequentially (`f` is not associative, so only
        // the tree gives these values): lanes of 125 items (1000 / 8).
        for lane in (0..n).collect::<Vec<_>>().chunks(125) {
            let s = lane
                .iter()
                .fold(0usize, |a, &b| a.wrapping_mul(31).wrapping_add(b));
            let mut acc = prefix;
            for &x in lane {
                acc = acc.wrapping_mul(31).wrapping_add(x);
                want.push(acc);
            }
            prefix = prefix.wrapping_mul(31).wrapping_add(s);
        }
        assert!(got == want, "late={late}");
        let kept = p.filter_with(
            opts,
            |i: usize| {
                slow(i);
                i % 7 < 3
            },
            0..n,
        );
        assert_eq!(kept, (0..n).filter(|i| i % 7 < 3).collect::<Vec<_>>());
    }
}

/// A predicate that answers `true` only the first time it sees an item (a
/// lying, impure one), with one slow item so that the next block looks
/// back and counts the slow block itself: the two counts of that block
/// disagree. The call must stay sound: either a consistent answer (no look
/// back happened) or a panic naming the problem; never two writes of one
/// slot or an unwritten slot in the answer.
#[test]
fn filter_with_a_predicate_that_changes_its_answer_stays_sound() {
    use std::sync::atomic::{AtomicIsize, AtomicU8};
    static LIVE: AtomicIsize = AtomicIsize::new(0);
    #[derive(Debug)]
    struct Tracked(usize);
    impl Clone for Tracked {
        fn clone(&self) -> Self {
            LIVE.fetch_add(1, Ordering::SeqCst);
            Tracked(self.0)
        }
    }
    impl Drop for Tracked {
        fn drop(&mut self) {
            LIVE.fetch_sub(1, Ordering::SeqCst);
        }
    }
    let p = Pool::builder().concurrency(2).build().expect("pool");
    let n = 200_000;
    let xs: Vec<Tracked> = (0..n).map(Tracked).collect();
    let mut panicked = 0;
    for _ in 0..3 {
        let evals: Vec<AtomicU8> = (0..n).map(|_| AtomicU8::new(0)).collect();
        let before = LIVE.load(Ordering::SeqCst);
        let got = catch_unwind(AssertUnwindSafe(|| {
            p.filter_with(
                CallOptions::default().chunk_size(1000),
                |x: &Tracked| {
                    if x.0 == 50_000 {
                        std::thread::sleep(std::time::Duration::from_millis(5));
                    }
                    evals[x.0].fetch_add(1, Ordering::SeqCst) == 0
                },
                &xs,
            )
        }));
        match got {
            Ok(kept) => {
                assert!(
                    kept.windows(2).all(|w| w[0].0 < w[1].0),
                    "a slot written twice or left unwritten"
                );
                assert_eq!(kept.len() as isize, LIVE.load(Ordering::SeqCst) - before);
                drop(kept);
                assert_eq!(
                    LIVE.load(Ordering::SeqCst),
                    before,
                    "an item leaked or dropped twice"
                );
            }
            Err(e) => {
                panicked += 1;
                assert!(
                    panic_message(&*e).contains("answered differently"),
                    "{}",
                    panic_message(&*e)
                );
            }
        }
        // The pool stays usable.
        assert_eq!(p.filter(|x: &Tracked| x.0 < 3, &xs[..10]).len(), 3);
    }
    eprintln!("filter_with_a_predicate_that_changes_its_answer: {panicked} of 3 runs disagreed");
}

/// `combine` panics (after forgetting its arguments) while the window's
/// other block results, whose `Drop` panics, wait to be combined: the call
/// re-raises `combine`'s payload and the process does not abort (before,
/// they were dropped by the unwind, and the second panicking drop aborted).
#[test]
fn a_panicking_combine_beside_panicking_drops_is_re_raised() {
    use std::sync::atomic::AtomicBool;
    static ARMED: AtomicBool = AtomicBool::new(false);
    #[derive(Clone)]
    struct Bomb(#[allow(dead_code)] u64);
    impl Drop for Bomb {
        fn drop(&mut self) {
            // Even during an unwind (which aborts the process unless the
            // pool drops it contained): only block results, never `init`.
            if ARMED.load(Ordering::SeqCst) && self.0 > 0 {
                panic!("bomb dropped");
            }
        }
    }
    let p = Pool::builder().concurrency(2).build().expect("pool");
    let xs: Vec<u64> = (0..200_000).collect();
    ARMED.store(true, Ordering::SeqCst);
    let got = catch_unwind(AssertUnwindSafe(|| {
        p.fold_with(
            CallOptions::default().chunk_size(1000),
            |acc: Bomb, x: &u64| {
                std::mem::forget(acc);
                Bomb(*x)
            },
            |a: Bomb, b: Bomb| {
                std::mem::forget((a, b));
                panic!("combine failed")
            },
            Bomb(0),
            &xs,
        )
    }));
    ARMED.store(false, Ordering::SeqCst);
    let e = got.err().expect("the combine's panic is re-raised");
    assert_eq!(panic_message(&*e), "combine failed");
    let fut = p.fold_async(
        |acc: Bomb, x: &u64| {
            std::mem::forget(acc);
            Bomb(*x)
        },
        |a: Bomb, b: Bomb| {
            std::mem::forget((a, b));
            panic!("async combine failed")
        },
        Bomb(0),
        xs.clone(),
    );
    ARMED.store(true, Ordering::SeqCst);
    let got = catch_unwind(AssertUnwindSafe(|| futures::executor::block_on(fut)));
    ARMED.store(false, Ordering::SeqCst);
    let e = got.err().expect("re-raised at poll");
    assert_eq!(panic_message(&*e), "async combine failed");
    // The pool keeps working.
    assert_eq!(
        p.fold(|a: u64, x: &u64| a + x, |a, b| a + b, 0, &xs),
        xs.iter().sum::<u64>()
    );
}
