//! `pmap_into!`'s output: the macro converts its `out` argument once
//! (`outputs_of`), pins its kernel's signature against the slot type
//! (`into_fn`) and passes the converted outputs on as they are (`AsIsOut`).

use para_runtime::{IntoOutputs, Item, Outputs, Source};

/// Converts `pmap_into!`'s `out` argument (`&mut [U]`, `&mut Vec<U>`,
/// `RowsMut`, ...).
#[inline(always)]
pub fn outputs_of<O: IntoOutputs>(o: O) -> O::Outputs {
    o.into_outputs()
}

/// Outputs already converted, passed through.
pub struct AsIsOut<O>(pub O);

impl<O: Outputs> IntoOutputs for AsIsOut<O> {
    type Outputs = O;
    #[inline(always)]
    fn into_outputs(self) -> O {
        self.0
    }
}

/// Forces a `pmap_into!` kernel's closure to be higher-ranked over the
/// source's items and the output slot.
#[inline(always)]
pub fn into_fn<S: Source, O: Outputs, F>(_: &S, _: &O, f: F) -> F
where
    F: for<'s, 'r> Fn(Item<'s, S>, &'r mut O::Slot),
{
    f
}
