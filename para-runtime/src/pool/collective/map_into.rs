//! Map into caller-owned outputs: `map_rows_into` (rows of a flat slice)
//! and `map_outputs_with`, the generic form behind `pmap_into!`. Each item
//! `i` writes slot `i` of the [`Outputs`] in place, from one thread.

use super::super::{CallOptions, Pool};
use crate::calibrate::{key_of, CallKind};
use crate::input::{IntoOutputs, IntoSource, Item, Outputs, RowsMut, Source};
use crate::wide;
use std::ops::Range;

/// An in-place map's chunk loop, `f(src[i], slot i)`; a [`wide::Body`]
/// so that the loop is always compiled into the AVX2 copy.
struct SlotFill<'a, S, O, F> {
    src: &'a S,
    outs: &'a O,
    f: &'a F,
}

impl<S, O, F> wide::Body for SlotFill<'_, S, O, F>
where
    S: Source,
    O: Outputs,
    F: for<'s, 'r> Fn(Item<'s, S>, &'r mut O::Slot),
{
    type Out = usize;
    #[inline(always)]
    fn run(&self, r: Range<usize>) -> usize {
        let len = r.len();
        let (outs, f) = (self.outs, self.f);
        self.src.for_each_in(r, |i, x| {
            // SAFETY: `i < n == outs.len()` (the `Source` contract:
            // `for_each_in` hands out exactly the indices of `r`, a
            // sub-range of `0..n`, once each), and chunks partition `0..n`,
            // so no other reference to slot `i` is live.
            f(x, unsafe { outs.slot(i) });
        });
        len
    }
}

/// The cache key's tag of an in-place map (its cost differs from the same
/// closure's in a plain map).
struct MapOutputsKey;

impl Pool {
    /// Run `f(item i, row i)` for every item of `input`, in parallel, where
    /// row `i` is the `i`-th row of `out`, written in place. Allocates
    /// nothing.
    ///
    /// # Panics
    /// If `out` has not as many rows as the input has items (before
    /// anything runs; the message gives both lengths), or re-raising a
    /// panic of `f` (rows already written keep what was written).
    ///
    /// ```
    /// let pool = para_runtime::Pool::new()?;
    /// let img: Vec<f32> = (0..12).map(|i| i as f32).collect();
    /// let src = para_runtime::Rows::new(&img, 4)?;
    /// let mut out = vec![0.0_f32; 12];
    /// let dst = para_runtime::RowsMut::new(&mut out, 4)?;
    /// // Each output row is its input row reversed.
    /// pool.map_rows_into(
    ///     |row: &[f32], o: &mut [f32]| {
    ///         for (d, s) in o.iter_mut().zip(row.iter().rev()) {
    ///             *d = *s;
    ///         }
    ///     },
    ///     src,
    ///     dst,
    /// );
    /// assert_eq!(&out[..4], &[3.0, 2.0, 1.0, 0.0]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn map_rows_into<I, F, T>(&self, f: F, input: I, out: RowsMut<'_, T>)
    where
        I: IntoSource,
        F: for<'s, 'r> Fn(Item<'s, I::Source>, &'r mut [T]) + Sync,
        T: Send,
    {
        self.map_outputs_with(CallOptions::default(), f, input, out);
    }

    /// [`map_rows_into`](Pool::map_rows_into) with explicit
    /// [`CallOptions`].
    #[inline(always)]
    pub fn map_rows_into_with<I, F, T>(
        &self,
        opts: CallOptions,
        f: F,
        input: I,
        out: RowsMut<'_, T>,
    ) where
        I: IntoSource,
        F: for<'s, 'r> Fn(Item<'s, I::Source>, &'r mut [T]) + Sync,
        T: Send,
    {
        self.map_outputs_with(opts, f, input, out);
    }

    /// Run `f(item i, slot i)` for every item of `input`, in parallel, slot
    /// `i` of `out` written in place (the generic form of
    /// [`map_into`](Pool::map_into) and
    /// [`map_rows_into`](Pool::map_rows_into), what `pmap_into!` calls).
    ///
    /// # Panics
    /// If `out` has not as many slots as the input has items (before
    /// anything runs), or re-raising a panic of `f`.
    ///
    /// ```
    /// let pool = para_runtime::Pool::new()?;
    /// let mut out = vec![0_u32; 4];
    /// pool.map_outputs_with(
    ///     para_runtime::CallOptions::default(),
    ///     |i: usize, o: &mut u32| *o = 10 * i as u32,
    ///     0..4,
    ///     &mut out,
    /// );
    /// assert_eq!(out, [0, 10, 20, 30]);
    /// # Ok::<(), para_runtime::BuildError>(())
    /// ```
    #[doc(hidden)]
    #[inline(always)]
    pub fn map_outputs_with<I, O, F>(&self, opts: CallOptions, f: F, input: I, out: O)
    where
        I: IntoSource,
        O: IntoOutputs,
        F: for<'s, 'r> Fn(Item<'s, I::Source>, &'r mut <O::Outputs as Outputs>::Slot) + Sync,
    {
        let src = input.into_source();
        let outs = out.into_outputs();
        let n = src.len();
        if outs.len() != n {
            length_mismatch(outs.len(), n);
        }
        let fill = SlotFill {
            src: &src,
            outs: &outs,
            f: &f,
        };
        let body = |r: Range<usize>| wide::call(&fill, r);
        self.shared.run(
            key_of::<(MapOutputsKey, F)>(CallKind::Map),
            n,
            opts,
            body,
            || {},
        );
    }
}

/// The panic of an in-place map whose output does not match its input.
#[cold]
#[inline(never)]
#[track_caller]
fn length_mismatch(out: usize, n: usize) -> ! {
    panic!("para: map_into: the output has length {out} but the input has {n} items")
}
