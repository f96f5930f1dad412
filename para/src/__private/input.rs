//! How the call macros turn their arguments into a pool call: the input
//! into a `Source` (`tag_of(..).para_conv().convert(..)`), the kernel into a
//! closure over the source's items (`item_fn`, `arg`), the reduce function
//! (`value_fn`), the options (`options`) and the `pool` option (`pool`).

use core::marker::PhantomData;
use para_runtime::{CallOptions, IntoSource, Item, Pool, Source, VecSource};

/// Input conversion in the macros: sources as they are, any other
/// `IntoIterator` collected into a `Vec` first (autoref specialisation:
/// `SourceKind` is found at the first probing step, `IterKind` one
/// autoref later).
pub struct Tag<T>(PhantomData<T>);

#[inline(always)]
pub fn tag_of<T>(_: &T) -> Tag<T> {
    Tag(PhantomData)
}

pub struct SourceConv;
pub struct IterConv;

pub trait SourceKind {
    fn para_conv(&self) -> SourceConv {
        SourceConv
    }
}
impl<T: IntoSource> SourceKind for Tag<T> {}

pub trait IterKind {
    fn para_conv(&self) -> IterConv {
        IterConv
    }
}
impl<T: IntoIterator> IterKind for &Tag<T> {}

impl SourceConv {
    #[inline(always)]
    pub fn convert<T: IntoSource>(self, x: T) -> T::Source {
        x.into_source()
    }
}

impl IterConv {
    #[inline(always)]
    pub fn convert<T: IntoIterator>(self, x: T) -> VecSource<T::Item>
    where
        T::Item: Sync + Send + Clone,
    {
        VecSource(x.into_iter().collect())
    }
}

#[inline(always)]
pub fn pool(p: Option<&Pool>) -> &Pool {
    match p {
        Some(p) => p,
        None => para_runtime::global(),
    }
}

/// Builds the options of a macro call; a runtime 0 panics with a clear
/// message (a literal 0 is already a compile error).
pub fn options(concurrency: Option<usize>, chunk_size: Option<usize>) -> CallOptions {
    let mut o = CallOptions::default();
    if let Some(c) = concurrency {
        o = o.concurrency(c);
    }
    if let Some(c) = chunk_size {
        o = o.chunk_size(c);
    }
    o
}

/// Forces the closure's parameter type to be higher-ranked over the
/// source's item lifetimes (closure signature deduction).
#[inline(always)]
pub fn item_fn<S: Source, U, F>(_: &S, f: F) -> F
where
    F: for<'s> Fn(Item<'s, S>) -> U,
{
    f
}

#[inline(always)]
pub fn value_fn<V, F>(f: F) -> F
where
    F: Fn(V, V) -> V,
{
    f
}

/// Adapts what an input yields to what a kernel takes: the item itself, or
/// a copy of a borrowed `Copy` item (`fn cheap(x: f32)` over `&[f32]`).
pub trait IntoArg<A> {
    fn into_arg(self) -> A;
}

impl<X> IntoArg<X> for X {
    #[inline(always)]
    fn into_arg(self) -> X {
        self
    }
}

impl<T: Copy> IntoArg<T> for &T {
    #[inline(always)]
    fn into_arg(self) -> T {
        *self
    }
}

#[inline(always)]
pub fn arg<A, I: IntoArg<A>>(item: I) -> A {
    item.into_arg()
}

/// [`item_fn`] for a fold kernel: `(acc, item) -> acc`, higher-ranked over
/// the source's item lifetimes.
#[inline(always)]
pub fn fold_fn<S: Source, A, F>(_: &S, f: F) -> F
where
    F: for<'s> Fn(A, Item<'s, S>) -> A,
{
    f
}
