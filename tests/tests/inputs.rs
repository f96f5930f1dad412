//! The zipped, chunked and line inputs through map, reduce, map_reduce and
//! the macros, against sequential references.

mod common;

use common::Rng;
use para::{Chunks, Lines, Pool, RowsError};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Pools of concurrency 1, 2 and the default.
fn pools() -> Vec<Pool> {
    vec![
        Pool::builder().concurrency(1).build().unwrap(),
        Pool::builder().concurrency(2).build().unwrap(),
        Pool::new().unwrap(),
    ]
}

/// Random lengths in 0..10_000, the edges included.
fn lengths(rng: &mut Rng) -> Vec<usize> {
    let mut v = vec![0, 1, 2, 7, 9_999];
    v.extend((0..6).map(|_| rng.below(10_000)));
    v
}

fn panic_message(f: impl FnOnce()) -> String {
    let p = catch_unwind(AssertUnwindSafe(f)).expect_err("should panic");
    match p.downcast::<String>() {
        Ok(s) => *s,
        Err(p) => p
            .downcast_ref::<&str>()
            .expect("a string payload")
            .to_string(),
    }
}

#[test]
fn zip2_maps_and_reduces_like_iter_zip() {
    let mut rng = Rng::new(1);
    for p in pools() {
        for n in lengths(&mut rng) {
            let x: Vec<f32> = (0..n).map(|_| rng.f32()).collect();
            let y: Vec<f32> = (0..n).map(|_| rng.f32()).collect();
            let want: Vec<f32> = x.iter().zip(&y).map(|(a, b)| a + b).collect();
            assert_eq!(p.map(|(a, b): (&f32, &f32)| a + b, (&x, &y)), want);
            // Index and row, the example of the docs.
            let rows = para::Rows::new(&y, 1).unwrap();
            let got = p.map(|(i, r): (usize, &[f32])| i as f32 * r[0], (0..n, rows));
            let want: Vec<f32> = y.iter().enumerate().map(|(i, v)| i as f32 * v).collect();
            assert_eq!(got, want);
            // Reduce folds the tuple of values.
            let v: Vec<u64> = (0..n as u64).collect();
            let (s, t) = p.reduce(|a, b| (a.0 + b.0, a.1 ^ b.1), (0, 0), (&v, &v));
            assert_eq!((s, t), (v.iter().sum(), v.iter().fold(0, |a, b| a ^ b)));
            let dot = p.map_reduce(
                |(a, b): (&u64, usize)| a * b as u64,
                |a, b| a + b,
                0,
                (&v, 0..n),
            );
            assert_eq!(dot, v.iter().map(|a| a * a).sum::<u64>());
        }
    }
}

#[test]
fn zip3_and_zip4_walk_in_lockstep() {
    let mut rng = Rng::new(2);
    for p in pools() {
        for n in lengths(&mut rng) {
            let a: Vec<u32> = (0..n).map(|_| rng.next() as u32 >> 8).collect();
            let b: Vec<u32> = (0..n).map(|_| rng.next() as u32 >> 8).collect();
            let got = p.map(
                |(i, x, y): (usize, &u32, &u32)| i as u64 + (x ^ y) as u64,
                (0..n, &a, &b),
            );
            let want: Vec<u64> = (0..n).map(|i| i as u64 + (a[i] ^ b[i]) as u64).collect();
            assert_eq!(got, want);
            let got = p.map(
                |(x, y, i, z): (&u32, &u32, usize, &u32)| (*x, *y, i, *z),
                (&a, b.clone(), 0..n, a.as_slice()),
            );
            let want: Vec<_> = (0..n).map(|i| (a[i], b[i], i, a[i])).collect();
            assert_eq!(got, want);
            let sums = p.reduce(
                |s, t| (s.0.wrapping_add(t.0), s.1 + t.1, s.2.max(t.2)),
                (0_u32, 0_usize, 0_u32),
                (&a, 0..n, &b),
            );
            let want = (
                a.iter().fold(0_u32, |s, x| s.wrapping_add(*x)),
                (0..n).sum(),
                b.iter().copied().max().unwrap_or(0),
            );
            assert_eq!(sums, want);
        }
    }
}

#[test]
fn zip_lengths_differing_panic_before_anything_runs() {
    let p = Pool::builder().concurrency(2).build().unwrap();
    let v = [1_u8, 2, 3, 4];
    let ran = std::sync::atomic::AtomicUsize::new(0);
    let count = |_: (usize, &u8)| ran.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(
        panic_message(|| drop(p.map(count, (0..3, &v)))),
        "para: zip: the inputs have different lengths: 3 and 4"
    );
    assert_eq!(ran.load(std::sync::atomic::Ordering::Relaxed), 0);
    assert_eq!(
        panic_message(|| drop(p.map(|_: (usize, &u8, usize)| 0, (0..3, &v, 0..5)))),
        "para: zip: the inputs have different lengths: 3, 4 and 5"
    );
    assert_eq!(
        panic_message(|| {
            let _ = p.reduce(|a, _| a, (0, 0, 0, 0), (0..2, 0..2, 0..2, 0..7));
        }),
        "para: zip: the inputs have different lengths: 2, 2, 2 and 7"
    );
    assert_eq!(
        panic_message(|| drop(para::pmap!(
            |(a, b): (&u8, usize)| *a as usize + b,
            (&v, 0..5)
        ))),
        "para: zip: the inputs have different lengths: 4 and 5"
    );
    // The pool still works.
    assert_eq!(
        p.map(|(a, b): (&u8, usize)| *a as usize + b, (&v, 0..4)),
        [1, 3, 5, 7]
    );
}

#[test]
fn float_reductions_over_zips_have_the_same_bits_at_every_concurrency() {
    let mut rng = Rng::new(3);
    let pools = pools();
    for n in lengths(&mut rng).into_iter().chain([100_000, 1_000_003]) {
        let x: Vec<f64> = (0..n).map(|_| rng.f64()).collect();
        let y: Vec<f32> = (0..n).map(|_| rng.f32()).collect();
        let dots: Vec<u64> = pools
            .iter()
            .map(|p| {
                p.map_reduce(
                    |(a, b): (&f64, &f32)| a * *b as f64,
                    |s, t| s + t,
                    0.0,
                    (&x, &y),
                )
                .to_bits()
            })
            .collect();
        assert!(dots.iter().all(|d| *d == dots[0]), "{n}: {dots:?}");
        let sums: Vec<(u64, u32)> = pools
            .iter()
            .map(|p| {
                let (s, t) = p.reduce(|s, t| (s.0 + t.0, s.1 + t.1), (0.0, 0.0), (&x, &y));
                (s.to_bits(), t.to_bits())
            })
            .collect();
        assert!(sums.iter().all(|s| *s == sums[0]), "{n}: {sums:?}");
        // And the macro with the same input and default options agrees.
        let m = para::pmap_reduce!(
            |(a, b): (&f64, &f32)| a * *b as f64,
            |s, t| s + t,
            0.0,
            (&x, &y)
        );
        assert_eq!(m.to_bits(), dots[0], "{n}");
    }
}

#[test]
fn chunks_match_slice_chunks() {
    let mut rng = Rng::new(4);
    for p in pools() {
        for len in lengths(&mut rng) {
            let data: Vec<u32> = (0..len).map(|_| rng.next() as u32).collect();
            for n in [1, 2, 3, 64, 1000, 20_000, 1 + rng.below(200)] {
                let c = Chunks::new(&data, n).unwrap();
                let want: Vec<&[u32]> = data.chunks(n).collect();
                assert_eq!(
                    (c.len(), c.is_empty(), c.chunk_len()),
                    (want.len(), len == 0, n)
                );
                let got = p.map(|r: &[u32]| r, c);
                assert_eq!(got, want);
                let lens = para::pmap!(|r: &[u32]| r.len(), c, pool = &p);
                assert_eq!(lens, want.iter().map(|r| r.len()).collect::<Vec<_>>());
                // Through a reference, too.
                let by_ref: &Chunks<'_, u32> = &c;
                let xor = p.map_reduce(
                    |r: &[u32]| r.iter().fold(0, |a, b| a ^ b),
                    |a, b| a ^ b,
                    0,
                    by_ref,
                );
                assert_eq!(xor, data.iter().fold(0, |a, b| a ^ b));
                // Reduce folds the chunk slices themselves: the first of
                // the longest is the first chunk.
                let longest = p.reduce(|a, b| if b.len() > a.len() { b } else { a }, &[][..], c);
                assert_eq!(longest, want.first().copied().unwrap_or(&[]));
                let last = p.reduce(|a, b| if b.is_empty() { a } else { b }, &[][..], c);
                assert_eq!(last, want.last().copied().unwrap_or(&[]));
            }
        }
    }
}

#[test]
fn chunks_with_options_and_errors() {
    let data: Vec<u16> = (0..1000).collect();
    assert_eq!(Chunks::new(&data, 0).unwrap_err(), RowsError::ZeroWidth);
    assert_eq!(
        Chunks::new(&[] as &[u8], 0).unwrap_err(),
        RowsError::ZeroWidth
    );
    let c = Chunks::new(&data, 7).unwrap();
    let d = c; // Copy
    assert!(format!("{d:?}").starts_with("Chunks"));
    let firsts = para::pmap!(|r: &[u16]| r[0], c, chunk_size = 3, concurrency = 2);
    assert_eq!(firsts, (0..1000).step_by(7).collect::<Vec<u16>>());
    let total: u64 = para::pmap_reduce!(
        |r: &[u16]| r.iter().map(|&x| u64::from(x)).sum::<u64>(),
        |a, b| a + b,
        0,
        c
    );
    assert_eq!(total, 999 * 1000 / 2);
}

/// A random text of about `len` bytes: words with multi-byte characters,
/// `\n`, `\r\n`, lone `\r`, empty lines, with or without a final newline.
fn random_text(rng: &mut Rng, len: usize) -> String {
    let pieces = [
        "a", "bc", "def", " ", "é", "€", "𝄞", "\n", "\n", "\r\n", "\r", "\n\n", "\r\n\r\n", "xyz",
    ];
    let mut s = String::with_capacity(len + 8);
    while s.len() < len {
        s.push_str(pieces[rng.below(pieces.len())]);
    }
    match rng.below(4) {
        0 => s.push('\n'),
        1 => s.push_str("\r\n"),
        2 => s.push('\r'),
        _ => {}
    }
    s
}

#[test]
fn lines_match_str_lines() {
    let mut rng = Rng::new(5);
    let pools = pools();
    let mut texts: Vec<String> = lengths(&mut rng)
        .into_iter()
        .map(|n| random_text(&mut rng, n))
        .collect();
    texts.extend(["", "\n", "\r", "\r\n", "a", "a\r", "\n\n\r\n"].map(String::from));
    // Several MB: the boundaries are found on the global pool.
    texts.push(random_text(&mut rng, 5_000_000));
    // Long lines only, spanning the scan's spans.
    texts.push("x".repeat(300_000) + "\r\n" + &"y".repeat(200_001));
    for text in &texts {
        let want: Vec<&str> = text.lines().collect();
        let lines = Lines::new(text);
        assert_eq!(
            (lines.len(), lines.is_empty()),
            (want.len(), want.is_empty())
        );
        assert!(format!("{lines:?}").starts_with("Lines"));
        for p in &pools {
            assert_eq!(p.map(|l: &str| l, &lines), want);
            let total = p.map_reduce(|l: &str| l.len(), |a, b| a + b, 0, &lines);
            assert_eq!(total, want.iter().map(|l| l.len()).sum::<usize>());
            let first_longest = p.reduce(
                |a: &str, b: &str| if b.len() > a.len() { b } else { a },
                "",
                lines.clone(),
            );
            let mut want_longest = "";
            for l in &want {
                if l.len() > want_longest.len() {
                    want_longest = l;
                }
            }
            assert_eq!(first_longest, want_longest);
        }
        let crs = para::pmap!(|l: &str| l.bytes().filter(|&b| b == b'\r').count(), &lines);
        let want_crs: Vec<usize> = want
            .iter()
            .map(|l| l.bytes().filter(|&b| b == b'\r').count())
            .collect();
        assert_eq!(crs, want_crs);
        let chars = para::pmap!(
            |l: &str| l.chars().count(),
            para::Lines::new(text),
            chunk_size = 5
        );
        assert_eq!(
            chars,
            want.iter().map(|l| l.chars().count()).collect::<Vec<_>>()
        );
    }
}

#[test]
fn lines_zip_with_an_index() {
    let text = "one\ntwo\r\n\nfour";
    let lines = Lines::new(text);
    let got = para::pmap!(
        |(i, l): (usize, &str)| format!("{i}:{l}"),
        (0..lines.len(), &lines)
    );
    assert_eq!(got, ["0:one", "1:two", "2:", "3:four"]);
}
