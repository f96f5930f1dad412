//! The blocking calls of a pool: map, map_into, reduce, map_reduce and
//! their `_with` forms. Each builds its units and hands them to the one
//! driver (`drive.rs`): a map its chunk loop, through `Shared::run`; a
//! reduction its block [`Tree`], as [`Folds`].

use super::drive::{Folds, Work};
use super::{CallOptions, Pool, SendPtr};
use crate::calibrate::{key_of, CallKind};
use crate::chunk;
use crate::input::{IntoSource, Item, Source};
use crate::reduce::Tree;
use crate::wide;
use std::ops::Range;

impl Pool {
    /// Apply `f` to every item of `input`, in parallel; `out[i] ==
    /// f(input[i])`, same length, same order.
    ///
    /// `f` may capture and borrow anything `Sync` (locals, this pool for a
    /// nested call). Annotate its parameter where inference cannot see it
    /// (`|row: &[f32]| ...`). A panic in `f` stops the call early and is
    /// re-raised here with its original payload; outputs already produced
    /// are leaked, not dropped. The call returns or unwinds only once no
    /// thread runs any of its chunks, and the payloads of other chunks
    /// that panicked are dropped inside the call, contained even if their
    /// `Drop` panics. (A `Drop` of the kernel's own locals that panics
    /// *during* the unwind of another panic aborts the process: that is
    /// Rust's rule for any code.)
    ///
    /// # Panics
    /// Re-raising a panic of `f`, and when the output cannot be allocated
    /// (the message names the item count and size).
    ///
    /// On Linux, an output of 4 MiB or more is advised to transparent huge
    /// pages (`madvise(MADV_HUGEPAGE)`): page faults of a fresh output
    /// dominate cheap maps at that size, and huge pages cut them 512-fold.
    /// `PARA_HUGEPAGES=0` in the environment turns this off.
    ///
    /// On x86 and x86-64 CPUs with AVX2, the loop over each chunk runs a
    /// copy of itself compiled for AVX2 (chosen at run time, same results:
    /// no fused multiply-add, no reordering), so cheap kernels vectorise
    /// 256 bits wide without `-C target-cpu`. `PARA_AVX2=0` turns it off.
    ///
    /// ```
    /// let pool = para_runtime::Pool::new()?;
    /// let w = 2.0_f32;
    /// let out = pool.map(|x: &f32| x * w, &[1.0_f32, 2.0, 3.0]);
    /// assert_eq!(out, [2.0, 4.0, 6.0]);
    /// let squares = pool.map(|i: usize| i * i, 0..4);
    /// assert_eq!(squares, [0, 1, 4, 9]);
    /// # Ok::<(), para_runtime::BuildError>(())
    /// ```
    pub fn map<I, F, U>(&self, f: F, input: I) -> Vec<U>
    where
        I: IntoSource,
        F: for<'s> Fn(Item<'s, I::Source>) -> U + Sync,
        U: Send,
    {
        self.map_with(CallOptions::default(), f, input)
    }

    /// [`map`](Pool::map) with explicit [`CallOptions`].
    // Always inlined: a small call is the loop itself plus a cache lookup,
    // and out of line it measured 1.5x a plain loop at 100 items, against
    // 1.04x inlined (the large-call path is one call into `drive`).
    #[inline(always)]
    pub fn map_with<I, F, U>(&self, opts: CallOptions, f: F, input: I) -> Vec<U>
    where
        I: IntoSource,
        F: for<'s> Fn(Item<'s, I::Source>) -> U + Sync,
        U: Send,
    {
        let src = input.into_source();
        let n = src.len();
        // One compare against a constant: an output that cannot exist gets
        // para's message, not std's "capacity overflow" (`with_capacity`
        // stays: `try_reserve_exact` goes through an out-of-line grow path
        // that measured 1.40x the plain loop at 100 items, against 1.1x
        // to 1.2x with `with_capacity`, in two alternating runs).
        if std::mem::size_of::<U>() != 0 && n > isize::MAX as usize / std::mem::size_of::<U>() {
            output_too_large::<U>(n);
        }
        let mut out: Vec<U> = Vec::with_capacity(n);
        let dst = SendPtr(out.as_mut_ptr());
        // SAFETY: `out` has capacity `n == src.len()`; `run` hands each
        // index to one chunk only, and nothing else touches the buffer
        // until it returns.
        let fill = unsafe { wide::MapFill::<_, _, _, false>::new(&src, &f, dst.get()) };
        let body = |r: Range<usize>| wide::call(&fill, r);
        // A call with a big output (never a small one) asks for huge pages
        // first; out of the small-call path, where the extra call measurably
        // slowed the loop.
        let advise = || {
            crate::mem::advise_huge(dst.get().cast(), n.saturating_mul(std::mem::size_of::<U>()));
        };
        self.shared
            .run(key_of::<F>(CallKind::Map), n, opts, body, advise);
        // SAFETY: `run` returned normally, so every index in `0..n` was
        // written exactly once.
        unsafe { out.set_len(n) };
        out
    }

    /// Like [`map`](Pool::map), writing into `out` instead of allocating.
    ///
    /// # Panics
    /// If `out.len()` differs from the input's length (nothing is written
    /// then), or re-raising a panic of `f`.
    ///
    /// ```
    /// let pool = para_runtime::Pool::new()?;
    /// let mut out = vec![0_u64; 5];
    /// pool.map_into(|i: usize| (i as u64) << 1, 0..5, &mut out);
    /// assert_eq!(out, [0, 2, 4, 6, 8]);
    /// # Ok::<(), para_runtime::BuildError>(())
    /// ```
    pub fn map_into<I, F, U>(&self, f: F, input: I, out: &mut [U])
    where
        I: IntoSource,
        F: for<'s> Fn(Item<'s, I::Source>) -> U + Sync,
        U: Send,
    {
        self.map_into_with(CallOptions::default(), f, input, out);
    }

    /// [`map_into`](Pool::map_into) with explicit [`CallOptions`].
    #[inline(always)]
    pub fn map_into_with<I, F, U>(&self, opts: CallOptions, f: F, input: I, out: &mut [U])
    where
        I: IntoSource,
        F: for<'s> Fn(Item<'s, I::Source>) -> U + Sync,
        U: Send,
    {
        let src = input.into_source();
        let n = src.len();
        assert!(
            out.len() == n,
            "para: map_into: the output has length {} but the input has {} items",
            out.len(),
            n
        );
        // SAFETY: `out` holds `n == src.len()` initialised values; `run`
        // hands each index to one chunk only, and `out` stays borrowed
        // until it returns.
        let fill = unsafe { wide::MapFill::<_, _, _, true>::new(&src, &f, out.as_mut_ptr()) };
        let body = |r: Range<usize>| wide::call(&fill, r);
        self.shared
            .run(key_of::<F>(CallKind::Map), n, opts, body, || {});
    }

    /// Fold all items with `f` from `init`, in parallel and
    /// deterministically.
    ///
    /// `f` must be associative and `init` its identity; `f` need not be
    /// commutative (string concatenation, matrix products work). The input
    /// is cut into blocks whose length depends only on the input length
    /// (or on an explicit `chunk_size`); each block folds from `init` (long
    /// blocks as eight contiguous sub-folds, combined pairwise in input
    /// order) and block
    /// results are folded in input order. The association tree therefore
    /// never depends on threads, timing or calibration: floating-point
    /// results are bit-identical for every concurrency and every run. An
    /// empty input returns `init`. Items are cloned into `f`.
    ///
    /// ```
    /// let pool = para_runtime::Pool::new()?;
    /// let words = vec!["a".to_string(), "b".into(), "c".into()];
    /// assert_eq!(pool.reduce(|a, b| a + &b, String::new(), &words), "abc");
    /// assert_eq!(pool.reduce(|a, b| a + b, 0, 1..=100), 5050);
    /// # Ok::<(), para_runtime::BuildError>(())
    /// ```
    pub fn reduce<I, G, V>(&self, f: G, init: V, input: I) -> V
    where
        I: IntoSource,
        I::Source: Source<Value = V>,
        G: Fn(V, V) -> V + Sync,
        V: Clone + Send + Sync,
    {
        self.reduce_with(CallOptions::default(), f, init, input)
    }

    /// [`reduce`](Pool::reduce) with explicit [`CallOptions`]; a
    /// `chunk_size` there is the block length (and so changes the
    /// association tree).
    pub fn reduce_with<I, G, V>(&self, opts: CallOptions, f: G, init: V, input: I) -> V
    where
        I: IntoSource,
        I::Source: Source<Value = V>,
        G: Fn(V, V) -> V + Sync,
        V: Clone + Send + Sync,
    {
        let src = input.into_source();
        let map = |x: Item<'_, I::Source>| <I::Source as Source>::value(x);
        self.fold_blocks(key_of::<G>(CallKind::Reduce), &opts, &src, &map, &f, init)
    }

    /// Map every item with `f` and fold the results with `g` from `init`,
    /// without an intermediate vector. Bit-identical to `reduce(g, init,
    /// &map(f, input))`: the same block tree over the mapped values.
    ///
    /// ```
    /// let pool = para_runtime::Pool::new()?;
    /// let sum_sq = pool.map_reduce(|x: &f64| x * x, |a, b| a + b, 0.0, &[1.0, 2.0, 3.0]);
    /// assert_eq!(sum_sq, 14.0);
    /// # Ok::<(), para_runtime::BuildError>(())
    /// ```
    pub fn map_reduce<I, F, G, U>(&self, f: F, g: G, init: U, input: I) -> U
    where
        I: IntoSource,
        F: for<'s> Fn(Item<'s, I::Source>) -> U + Sync,
        G: Fn(U, U) -> U + Sync,
        U: Clone + Send + Sync,
    {
        self.map_reduce_with(CallOptions::default(), f, g, init, input)
    }

    /// [`map_reduce`](Pool::map_reduce) with explicit [`CallOptions`].
    pub fn map_reduce_with<I, F, G, U>(&self, opts: CallOptions, f: F, g: G, init: U, input: I) -> U
    where
        I: IntoSource,
        F: for<'s> Fn(Item<'s, I::Source>) -> U + Sync,
        G: Fn(U, U) -> U + Sync,
        U: Clone + Send + Sync,
    {
        let src = input.into_source();
        self.fold_blocks(
            key_of::<(F, G)>(CallKind::MapReduce),
            &opts,
            &src,
            &f,
            &g,
            init,
        )
    }

    /// Reduce `src`, each item mapped by `map`, with `g` from `init`: the
    /// [`Tree`] of the call's block length, driven as [`Folds`].
    fn fold_blocks<S, M, G, V>(
        &self,
        key: u64,
        opts: &CallOptions,
        src: &S,
        map: &M,
        g: &G,
        init: V,
    ) -> V
    where
        S: Source,
        M: for<'s> Fn(Item<'s, S>) -> V + Sync,
        G: Fn(V, V) -> V + Sync,
        V: Clone + Send + Sync,
    {
        let n = src.len();
        if n == 0 {
            return init;
        }
        let shared = &self.shared;
        let block = chunk::reduce_block(n, opts.chunk_size.or(shared.chunk_size));
        let tree = Tree::new(src, block, &init, map, g);
        let work = Work {
            key,
            units: tree.blocks.count(),
            unit_items: block,
            // The block length is the reduction's chunk; the driver chooses
            // how many blocks a thread claims at a time.
            chunk: None,
        };
        let mut folds = Folds {
            tree: &tree,
            acc: Some(init.clone()),
        };
        shared.drive(&work, opts, &mut folds);
        folds.acc.take().expect("accumulator present")
    }
}

/// The panic of a map whose output cannot exist: names both sides (the
/// item count and the item size), rather than std's "capacity overflow".
#[cold]
#[inline(never)]
fn output_too_large<U>(n: usize) -> ! {
    panic!(
        "para: map: the output of {n} items of {} bytes each cannot be allocated (more than isize::MAX bytes)",
        std::mem::size_of::<U>()
    )
}
