//! ndarray inputs and outputs (cargo feature `ndarray`) through the pool's
//! methods and the macros, against ndarray's own sequential results: 1-D
//! views of any stride, rows of standard, sliced (with a step) and
//! transposed views, `pmap_into!` into `ArrayViewMut2` / `ArrayViewMut1`,
//! results into `Array1` without a copy, and reductions bit-identical to
//! the slice forms, across concurrency 1, 2 and the default.
#![cfg(feature = "ndarray")]

mod common;

use common::Rng;
use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2, Axis};
use para::input::{ArrayRows, StridedRow, StridedRows};
use para::{pmap, pmap_into, pmap_reduce, preduce, pure, Pool, Rows};
use std::panic::{catch_unwind, AssertUnwindSafe};

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
    v.extend((0..5).map(|_| rng.below(10_000)));
    v
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn random_matrix(rng: &mut Rng, rows: usize, cols: usize) -> Array2<f32> {
    Array2::from_shape_simple_fn((rows, cols), || rng.f32() * 2.0 - 1.0)
}

fn panic_message(f: impl FnOnce()) -> String {
    let p = catch_unwind(AssertUnwindSafe(f)).expect_err("should panic");
    match p.downcast::<String>() {
        Ok(s) => *s,
        Err(p) => p.downcast_ref::<&str>().expect("a string").to_string(),
    }
}

#[pure]
fn score(row: &[f32]) -> f32 {
    row.iter().fold(0.0, |a, x| a + x * x)
}

#[pure]
fn strided_score(row: StridedRow<'_, f32>) -> f32 {
    row.iter().fold(0.0, |a, x| a + x * x)
}

#[pure]
fn add(a: f32, b: f32) -> f32 {
    a + b
}

#[pure]
fn triple(x: &f32) -> f32 {
    x * 3.0
}

#[pure]
fn fill_row(y: usize, #[out] row: &mut [f32]) {
    for (j, c) in row.iter_mut().enumerate() {
        *c = (y * 1000 + j) as f32;
    }
}

/// What ndarray computes sequentially: the same fold over each row.
fn ndarray_scores(v: ArrayView2<'_, f32>) -> Vec<f32> {
    v.axis_iter(Axis(0))
        .map(|r| r.iter().fold(0.0, |a, x| a + x * x))
        .collect()
}

#[test]
fn one_dimensional_views_map_like_ndarray_map() {
    let mut rng = Rng::new(18);
    for p in pools() {
        for n in lengths(&mut rng) {
            let a = Array1::from_shape_simple_fn(n, || rng.f32());
            let views: [ArrayView1<'_, f32>; 4] = [
                a.view(),
                a.slice(s![..;3]),
                a.slice(s![..;-2]),
                a.slice(s![n / 3..]),
            ];
            for v in views {
                let want = v.map(|x| x * 3.0).to_vec();
                assert_eq!(bits(&p.map(|x: &f32| x * 3.0, v)), bits(&want));
                assert_eq!(bits(&pmap!(triple, v, pool = &p)), bits(&want));
            }
            // An owned array by reference.
            assert_eq!(
                bits(&pmap!(triple, &a, pool = &p)),
                bits(&a.map(|x| x * 3.0).to_vec())
            );
        }
    }
}

#[test]
fn reductions_over_arrays_are_bit_identical_to_the_slice_forms() {
    let mut rng = Rng::new(19);
    let want_pool = Pool::builder().concurrency(1).build().unwrap();
    for n in lengths(&mut rng) {
        let a = Array1::from_shape_simple_fn(n, || rng.f32() * 1e3);
        let slice = a.as_slice().unwrap();
        let want = want_pool.reduce(|x, y| x + y, 0.0, slice).to_bits();
        // A strided view against its elements collected.
        let every_third = a.slice(s![..;3]);
        let collected: Vec<f32> = every_third.to_vec();
        let want_strided = want_pool.reduce(|x, y| x + y, 0.0, &collected).to_bits();
        for p in pools() {
            assert_eq!(p.reduce(|x, y| x + y, 0.0, &a).to_bits(), want);
            assert_eq!(p.reduce(|x, y| x + y, 0.0, a.view()).to_bits(), want);
            assert_eq!(preduce!(add, 0.0, &a, pool = &p).to_bits(), want);
            assert_eq!(
                preduce!(add, 0.0, every_third, pool = &p).to_bits(),
                want_strided
            );
            assert_eq!(
                pmap_reduce!(triple, add, 0.0, &a, pool = &p).to_bits(),
                pmap_reduce!(triple, add, 0.0, slice, pool = &want_pool).to_bits()
            );
        }
    }
}

#[test]
fn rows_of_standard_and_sliced_views_are_slices_like_ndarray_rows() {
    let mut rng = Rng::new(20);
    for p in pools() {
        for rows in lengths(&mut rng).into_iter().map(|n| n / 10) {
            let cols = 1 + rng.below(40);
            let a = random_matrix(&mut rng, rows, cols);
            let views = [
                a.view(),
                // A row step and a column range: rows stay contiguous.
                a.slice(s![..;3, 1.min(cols - 1)..]),
                a.slice(s![..;-2, ..]),
            ];
            for v in views {
                let want = ndarray_scores(v);
                assert_eq!(bits(&pmap!(score, v, pool = &p)), bits(&want));
                assert_eq!(bits(&p.map(|r: &[f32]| score(r), v)), bits(&want));
                // Any layout through the strided rows, the same values.
                let strided = StridedRows::new(v);
                assert_eq!(bits(&pmap!(strided_score, strided, pool = &p)), bits(&want));
            }
            assert_eq!(
                bits(&pmap!(score, &a, pool = &p)),
                bits(&ndarray_scores(a.view()))
            );
        }
    }
}

#[test]
fn transposed_and_column_stepped_views_go_through_strided_rows() {
    let mut rng = Rng::new(21);
    for p in pools() {
        for rows in lengths(&mut rng).into_iter().map(|n| n / 10) {
            let cols = 1 + rng.below(12);
            let a = random_matrix(&mut rng, rows, cols);
            for v in [
                a.t(),
                a.slice(s![.., ..;2]),
                a.slice(s![..;-3, ..;-1]).reversed_axes(),
            ] {
                let want = ndarray_scores(v);
                let got = pmap!(strided_score, StridedRows::new(v), pool = &p);
                assert_eq!(bits(&got), bits(&want), "strides {:?}", v.strides());
                // Column sums: the rows of the transposed view.
                let sums = p.map(
                    |c: StridedRow<'_, f32>| c.iter().sum::<f32>(),
                    StridedRows::new(v),
                );
                let want_sums: Vec<f32> = v.axis_iter(Axis(0)).map(|r| r.iter().sum()).collect();
                assert_eq!(bits(&sums), bits(&want_sums));
            }
        }
    }
}

#[test]
fn a_strided_view_as_slice_rows_panics_naming_its_strides() {
    let a = Array2::<f32>::zeros((3, 4));
    let msg = panic_message(|| {
        let _ = pmap!(score, a.t());
    });
    assert_eq!(
        msg,
        "para: ndarray input: the rows of this 4x3 view are not contiguous \
         (strides [1, 4], column stride must be 1); \
         pass it through para::input::StridedRows::new for rows of any layout"
    );
    assert!(ArrayRows::new(a.t()).is_none());
    assert!(ArrayRows::new(a.slice(s![.., ..;2])).is_none());
    // One column: a row of one item is contiguous whatever the stride.
    assert!(ArrayRows::new(a.slice(s![.., ..;4])).is_some());
}

#[test]
fn standard_rows_match_para_rows() {
    let data: Vec<i32> = (0..60).collect();
    let a = Array2::from_shape_vec((12, 5), data.clone()).unwrap();
    let rows = ArrayRows::new(a.view()).unwrap();
    let flat = Rows::new(&data, 5).unwrap();
    assert_eq!(rows.as_rows().unwrap().data(), flat.data());
    assert_eq!((rows.len(), rows.width()), (12, 5));
    assert_eq!(rows.row(11), flat.row(11));
    assert!(ArrayRows::new(a.slice(s![..;2, ..]))
        .unwrap()
        .as_rows()
        .is_none());
}

#[test]
fn pmap_into_writes_rows_of_a_mutable_view_like_a_loop() {
    let mut rng = Rng::new(22);
    for p in pools() {
        for rows in lengths(&mut rng).into_iter().map(|n| n / 10) {
            let cols = rng.below(20);
            let mut want = Array2::<f32>::from_elem((rows, cols), -1.0);
            for (y, mut row) in want.axis_iter_mut(Axis(0)).enumerate() {
                for (j, c) in row.iter_mut().enumerate() {
                    *c = (y * 1000 + j) as f32;
                }
            }
            let mut out = Array2::<f32>::from_elem((rows, cols), -1.0);
            pmap_into!(fill_row, 0..rows, out.view_mut(), pool = &p);
            assert_eq!(out, want);
            let mut out2 = Array2::<f32>::from_elem((rows, cols), -1.0);
            pmap_into!(fill_row, 0..rows, &mut out2, pool = &p);
            assert_eq!(out2, want);

            // Every other row of a taller array, backwards: the others stay.
            let mut tall = Array2::<f32>::from_elem((2 * rows, cols), -1.0);
            pmap_into!(fill_row, 0..rows, tall.slice_mut(s![..;-2, ..]), pool = &p);
            for y in 0..rows {
                assert_eq!(tall.row(2 * rows - 1 - 2 * y), want.row(y));
                assert!(tall.row(2 * rows - 2 - 2 * y).iter().all(|x| *x == -1.0));
            }
        }
    }
}

#[test]
fn pmap_into_a_strided_row_output_panics_naming_its_strides() {
    let mut out = Array2::<f32>::zeros((2, 3));
    let msg = panic_message(|| pmap_into!(fill_row, 0..3, out.view_mut().reversed_axes()));
    assert_eq!(
        msg,
        "para: ndarray output: the rows of this 3x2 view are not contiguous \
         (strides [1, 3], column stride must be 1); \
         pass it through para::input::StridedRows::new for rows of any layout"
    );
    assert!(out.iter().all(|x| *x == 0.0), "nothing was written");
}

#[test]
fn pmap_into_a_strided_one_dimensional_view() {
    let mut rng = Rng::new(23);
    for p in pools() {
        for n in lengths(&mut rng) {
            let xs = Array1::from_shape_simple_fn(n, || rng.f32());
            let mut out = Array1::<f32>::from_elem(3 * n, f32::NAN);
            pmap_into!(triple, &xs, out.slice_mut(s![..;3]), pool = &p);
            let want = xs.map(|x| x * 3.0);
            assert_eq!(bits(&out.slice(s![..;3]).to_vec()), bits(&want.to_vec()));
            assert!(out
                .iter()
                .enumerate()
                .all(|(i, x)| i % 3 == 0 || x.is_nan()));
            let mut same = Array1::<f32>::zeros(n);
            pmap_into!(triple, xs.view(), &mut same, pool = &p);
            assert_eq!(bits(&same.to_vec()), bits(&want.to_vec()));
        }
    }
}

#[test]
fn results_become_an_array1_without_a_copy() {
    let a = Array2::from_shape_fn((1000, 8), |(i, j)| (i + j) as f32);
    let scores: Vec<f32> = pmap!(score, &a);
    let ptr = scores.as_ptr();
    let arr = Array1::from(scores);
    assert_eq!(arr.as_ptr(), ptr, "Array1::from(Vec) takes the buffer over");
    assert_eq!(arr.to_vec(), ndarray_scores(a.view()));
}

#[test]
fn strided_row_is_a_row_view() {
    let a = Array2::from_shape_fn((3, 4), |(i, j)| (10 * i + j) as i32);
    let col = StridedRows::new(a.t()).row(1);
    assert_eq!((col.len(), col.is_empty()), (3, false));
    assert_eq!((col[0], col[1], col[2]), (1, 11, 21));
    assert_eq!(col.get(3), None);
    assert_eq!(col.iter().rev().copied().collect::<Vec<_>>(), [21, 11, 1]);
    assert_eq!(col.to_vec(), a.column(1).to_vec());
    assert_eq!(format!("{col:?}"), "[1, 11, 21]");
    assert_eq!(col.as_slice(), None);
    let row = StridedRows::new(a.view()).row(2);
    assert_eq!(row.as_slice(), Some(&[20, 21, 22, 23][..]));
    let msg = panic_message(|| {
        let _ = col[3];
    });
    assert_eq!(msg, "index 3 out of range for a row of 3");
}

/// The README's snippet, as written there.
#[test]
fn the_readme_snippet_runs() {
    #[pure]
    fn col_sum(col: StridedRow<'_, f32>) -> f32 {
        col.iter().sum()
    }
    #[pure]
    fn fill(y: usize, #[out] row: &mut [f32]) {
        row.fill(y as f32)
    }
    let a = Array2::<f32>::ones((1_000, 32));
    let scores = Array1::from(pmap!(score, &a));
    let every_3rd: Vec<f32> = pmap!(score, a.slice(s![..;3, ..]));
    let sums: Vec<f32> = pmap!(col_sum, StridedRows::new(a.t()));
    let total = preduce!(add, 0.0, &scores);
    let mut out = Array2::<f32>::zeros((1_000, 32));
    pmap_into!(fill, 0..1_000, &mut out);
    assert_eq!(
        (scores[0], every_3rd.len(), sums[5], total),
        (32.0, 334, 1000.0, 32_000.0)
    );
    assert_eq!(out.row(7).to_vec(), [7.0; 32]);
}
