//! The call macros' kernel forms: context arguments with `_` holes, zipped
//! inputs, `pmap_into!` into slices and rows, `pfold!`, `try_pmap!`,
//! `pscan!` and `pfilter!`, each against a sequential reference, with float
//! bits compared across concurrency 1, 2 and the default.

mod common;

use common::Rng;
use para::{pfilter, pfold, pmap, pmap_into, pmap_reduce, pscan, pure, try_pmap, Pool, RowsMut};

#[pure]
fn dot(a: &[f32], b_t: &[f32], n: usize, ij: usize) -> f32 {
    let (i, j) = (ij / n, ij % n);
    let (ra, rb) = (&a[i * n..i * n + n], &b_t[j * n..j * n + n]);
    ra.iter().zip(rb).map(|(x, y)| x * y).sum()
}

#[pure]
fn axpy(a: f32, x: f32, y: f32) -> f32 {
    a * x + y
}

#[pure]
fn add3(x: &u32, y: &u32, z: &u32) -> u32 {
    x + y + z
}

#[pure]
fn scaled(k: f64, x: &f64) -> f64 {
    k * x
}

#[pure]
fn nearest(centres: &[f32], p: &[f32]) -> u32 {
    let d = centres.len() / p.len();
    let _ = d;
    let dims = p.len();
    let mut best = (f32::INFINITY, 0_u32);
    for (c, centre) in centres.chunks(dims).enumerate() {
        let dist: f32 = centre.iter().zip(p).map(|(a, b)| (a - b) * (a - b)).sum();
        if dist < best.0 {
            best = (dist, c as u32);
        }
    }
    best.1
}

#[pure]
fn blur_row(img: &[f32], w: usize, y: usize, #[out] row: &mut [f32]) {
    let h = img.len() / w;
    for (x, out) in row.iter_mut().enumerate() {
        let mut s = 0.0;
        let mut k = 0.0;
        for yy in y.saturating_sub(1)..=(y + 1).min(h - 1) {
            for xx in x.saturating_sub(1)..=(x + 1).min(w - 1) {
                s += img[yy * w + xx];
                k += 1.0;
            }
        }
        *out = s / k;
    }
}

#[pure]
fn out_first(#[out] row: &mut [u32], base: u32, y: usize) {
    for (x, r) in row.iter_mut().enumerate() {
        *r = base + (y * 10 + x) as u32;
    }
}

#[pure]
fn square(x: &f32) -> f32 {
    x * x
}

#[pure]
fn bump(mut h: [u64; 16], b: &u8) -> [u64; 16] {
    h[(*b % 16) as usize] += 1;
    h
}

#[pure]
fn merge(mut a: [u64; 16], b: [u64; 16]) -> [u64; 16] {
    for i in 0..16 {
        a[i] += b[i];
    }
    a
}

#[pure]
fn assign(centres: &[f32], mut acc: Vec<f64>, x: &f32) -> Vec<f64> {
    let k = (0..centres.len())
        .min_by(|&a, &b| (centres[a] - x).abs().total_cmp(&(centres[b] - x).abs()))
        .unwrap_or(0);
    acc[2 * k] += f64::from(*x);
    acc[2 * k + 1] += 1.0;
    acc
}

#[pure]
fn add_vec(mut a: Vec<f64>, b: Vec<f64>) -> Vec<f64> {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
    a
}

#[pure]
fn parse(line: &str) -> Result<u32, String> {
    line.parse::<u32>().map_err(|e| format!("{line:?}: {e}"))
}

#[pure]
fn above(limit: u32, x: &u32) -> bool {
    *x > limit
}

fn pools() -> Vec<Pool> {
    [1, 2]
        .into_iter()
        .map(|c| Pool::builder().concurrency(c).build().expect("pool"))
        .chain(std::iter::once(Pool::new().expect("pool")))
        .collect()
}

#[test]
fn context_arguments_reach_every_item() {
    let mut rng = Rng::new(7);
    for n in [0, 1, 3, 16, 33] {
        let a: Vec<f32> = (0..n * n).map(|_| rng.f32()).collect();
        let b_t: Vec<f32> = (0..n * n).map(|_| rng.f32()).collect();
        let want: Vec<f32> = (0..n * n).map(|ij| dot(&a, &b_t, n, ij)).collect();
        for p in pools() {
            let got: Vec<f32> = pmap!(dot(&a, &b_t, n, _), 0..n * n, pool = &p);
            assert_eq!(bits(&got), bits(&want), "n = {n}");
        }
    }
}

#[test]
fn context_in_any_position_and_copied_scalars() {
    let xs: Vec<f64> = (0..5000).map(|i| f64::from(i) * 0.5).collect();
    let k = 3.0;
    let got = pmap!(scaled(k, _), &xs);
    assert_eq!(got, xs.iter().map(|x| k * x).collect::<Vec<_>>());
    let pts: Vec<f32> = (0..3000).map(|i| (i % 97) as f32).collect();
    let centres = vec![0.0_f32, 0.0, 50.0, 50.0, 90.0, 90.0];
    let rows = para::Rows::new(&pts, 2).expect("rows");
    let labels: Vec<u32> = pmap!(nearest(&centres, _), rows);
    let want: Vec<u32> = pts.chunks(2).map(|p| nearest(&centres, p)).collect();
    assert_eq!(labels, want);
}

#[test]
fn zipped_inputs_go_to_holes_and_parameters_in_order() {
    let mut rng = Rng::new(11);
    for len in [0, 1, 2, 100, 4099] {
        let x: Vec<f32> = (0..len).map(|_| rng.f32()).collect();
        let y: Vec<f32> = (0..len).map(|_| rng.f32()).collect();
        let want: Vec<f32> = x.iter().zip(&y).map(|(a, b)| 2.5 * a + b).collect();
        for p in pools() {
            let got = pmap!(axpy(2.5, _, _), (&x, &y), pool = &p);
            assert_eq!(bits(&got), bits(&want));
            let spread = pmap!(|a: f32, b: f32| 2.5 * a + b, (&x, &y), pool = &p);
            assert_eq!(bits(&spread), bits(&want));
            let whole = pmap!(|(a, b): (&f32, &f32)| 2.5 * a + b, (&x, &y), pool = &p);
            assert_eq!(bits(&whole), bits(&want));
        }
        let u: Vec<u32> = (0..len as u32).collect();
        let three = pmap!(add3, (&u, &u, &u));
        assert_eq!(three, u.iter().map(|v| 3 * v).collect::<Vec<_>>());
        let fused = pmap_reduce!(axpy(1.0, _, _), |a, b| a + b, 0.0, (&x, &y));
        let seq = para::preduce!(|a, b| a + b, 0.0, &pmap!(axpy(1.0, _, _), (&x, &y)));
        assert_eq!(fused.to_bits(), seq.to_bits());
    }
}

#[test]
fn zip_of_unequal_lengths_panics_with_both_lengths() {
    let x = vec![1.0_f32; 3];
    let y = vec![1.0_f32; 4];
    let err = std::panic::catch_unwind(|| pmap!(axpy(1.0, _, _), (&x, &y))).expect_err("panics");
    let msg = panic_message(&*err);
    assert!(msg.contains('3') && msg.contains('4'), "{msg}");
}

#[test]
fn pmap_into_rows_and_slices() {
    let mut rng = Rng::new(3);
    for (w, h) in [(1, 1), (5, 1), (16, 9), (64, 48), (7, 300)] {
        let img: Vec<f32> = (0..w * h).map(|_| rng.f32()).collect();
        let mut want = vec![0.0_f32; w * h];
        for (y, row) in want.chunks_mut(w).enumerate() {
            blur_row(&img, w, y, row);
        }
        for p in pools() {
            let mut out = vec![f32::NAN; w * h];
            pmap_into!(
                blur_row(&img, w, _),
                0..h,
                RowsMut::new(&mut out, w).expect("rows"),
                pool = &p
            );
            assert_eq!(bits(&out), bits(&want));
            let mut sq = vec![0.0_f32; w * h];
            pmap_into!(square, &img, &mut sq, pool = &p);
            assert_eq!(sq, img.iter().map(|x| x * x).collect::<Vec<_>>());
            let mut v = vec![0.0_f32; w * h];
            pmap_into!(|x: &f32| x + 1.0, &img, &mut v, pool = &p);
            assert_eq!(v, img.iter().map(|x| x + 1.0).collect::<Vec<_>>());
            let mut r = vec![0.0_f32; w * h];
            pmap_into!(
                |y: usize, row: &mut [f32]| row.iter_mut().for_each(|c| *c = y as f32),
                0..h,
                RowsMut::new(&mut r, w).expect("rows"),
                pool = &p
            );
            assert!(r
                .chunks(w)
                .enumerate()
                .all(|(y, row)| row.iter().all(|&c| c == y as f32)));
        }
        let mut first = vec![0_u32; w * h];
        pmap_into!(
            out_first(100, _),
            0..h,
            RowsMut::new(&mut first, w).expect("rows")
        );
        for (y, row) in first.chunks(w).enumerate() {
            for (x, &c) in row.iter().enumerate() {
                assert_eq!(c, 100 + (y * 10 + x) as u32);
            }
        }
    }
}

#[test]
fn pmap_into_length_mismatch_panics_with_both_lengths() {
    let v = vec![1.0_f32; 10];
    let mut out = vec![0.0_f32; 9];
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pmap_into!(square, &v, &mut out);
    }))
    .expect_err("panics");
    let msg = panic_message(&*err);
    assert!(msg.contains("10") && msg.contains('9'), "{msg}");
    assert!(out.iter().all(|&x| x == 0.0), "nothing written");
}

#[test]
fn pfold_histogram_and_kmeans_sums() {
    let mut rng = Rng::new(5);
    for len in [0, 1, 100, 8191, 8193, 70_000] {
        let bytes: Vec<u8> = (0..len).map(|_| (rng.next() as u32) as u8).collect();
        let mut want = [0_u64; 16];
        for b in &bytes {
            want[(*b % 16) as usize] += 1;
        }
        for p in pools() {
            assert_eq!(pfold!(bump, merge, [0; 16], &bytes, pool = &p), want);
        }
        let xs: Vec<f32> = (0..len).map(|_| rng.f32() * 100.0).collect();
        let centres = [10.0_f32, 50.0, 90.0];
        let sums: Vec<Vec<f64>> = pools()
            .iter()
            .map(|p| pfold!(assign(&centres, _, _), add_vec, vec![0.0; 6], &xs, pool = p))
            .collect();
        assert!(sums.windows(2).all(|w| bits64(&w[0]) == bits64(&w[1])));
        let count: f64 = sums[0].iter().skip(1).step_by(2).sum();
        assert_eq!(count, len as f64);
    }
}

#[test]
fn try_pmap_gives_the_lowest_failing_index() {
    let good: Vec<String> = (0..5000).map(|i| i.to_string()).collect();
    let text = good.join("\n");
    let want: Vec<u32> = (0..5000).collect();
    assert_eq!(try_pmap!(parse, para::Lines::new(&text)), Ok(want));
    let mut bad = good.clone();
    bad[4000] = "x".into();
    bad[1234] = "y".into();
    let text = bad.join("\n");
    for p in pools() {
        let got = try_pmap!(parse, para::Lines::new(&text), pool = &p);
        assert_eq!(got, Err(parse("y").expect_err("fails")));
    }
    let opt = try_pmap!(|x: &u32| x.checked_sub(1), &[1_u32, 2, 3]);
    assert_eq!(opt, Some(vec![0, 1, 2]));
    assert_eq!(try_pmap!(|x: &u32| x.checked_sub(1), &[1_u32, 0, 3]), None);
}

#[test]
fn pscan_and_pfilter_match_sequential() {
    let mut rng = Rng::new(9);
    for len in [0, 1, 2, 1000, 9999, 100_000] {
        let xs: Vec<u64> = (0..len)
            .map(|_| u64::from((rng.next() as u32) % 1000))
            .collect();
        let want: Vec<u64> = xs
            .iter()
            .scan(0, |s, x| {
                *s += x;
                Some(*s)
            })
            .collect();
        let fs: Vec<f64> = (0..len).map(|_| f64::from(rng.f32())).collect();
        let mut float_bits = Vec::new();
        for p in pools() {
            assert_eq!(pscan!(|a, b| a + b, 0, &xs, pool = &p), want);
            float_bits.push(bits64(&pscan!(|a, b| a + b, 0.0, &fs, pool = &p)));
            let kept = pfilter!(|x: &u64| x.is_multiple_of(2), &xs, pool = &p);
            assert_eq!(
                kept,
                xs.iter()
                    .copied()
                    .filter(|x| x.is_multiple_of(2))
                    .collect::<Vec<_>>()
            );
        }
        assert!(float_bits.windows(2).all(|w| w[0] == w[1]));
        let us: Vec<u32> = (0..len as u32).collect();
        assert_eq!(
            pfilter!(above(10, _), &us),
            us.iter().copied().filter(|&x| x > 10).collect::<Vec<_>>()
        );
    }
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn bits64(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}
