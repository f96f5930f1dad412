//! Items the macros expand into. Not part of the public API: names and
//! shapes here may change in any release.
#![allow(missing_docs, missing_debug_implementations)]

use core::marker::PhantomData;
pub use para_runtime::{
    AsIs, CallOptions, IntoSource, Item, KernelInfo, Pool, Source, VecSource, KERNELS,
};

/// Implemented by the marker type `#[pure]` emits next to each kernel.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a #[pure] kernel",
    label = "expected a function marked #[para::pure]",
    note = "mark the function #[para::pure], or pass a closure literal that captures nothing"
)]
pub trait Kernel {
    /// Registry name.
    const NAME: &'static str;
}

/// Std types whose associated functions a kernel may call by path
/// (`Vec::new`, `Duration::from_millis`); the check that the owner of
/// `Owner::f(..)` is one, when the macro cannot tell from the name alone
/// (a type alias, a renamed import). The functions that are not pure
/// (`Instant::now`, `HashMap::new`, `Box::leak`, ...) are rejected by name
/// before this check.
#[diagnostic::on_unimplemented(
    message = "#[pure] function: cannot verify the associated functions of `{Self}`",
    label = "not a std type whose associated functions are known to be pure",
    note = "a macro cannot see whether a user type's functions are pure: call a #[para::pure] free function instead (associated functions of std's collections, strings, numbers and `Duration` are allowed)"
)]
pub trait PureStdType {}

macro_rules! pure_std {
    ($($t:ty),* $(,)?) => { $(impl PureStdType for $t {})* };
}
pure_std!(
    bool,
    char,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    f32,
    f64,
    str,
    String,
    core::time::Duration,
    core::cmp::Ordering,
    std::hash::DefaultHasher,
    core::sync::atomic::AtomicBool,
    core::sync::atomic::AtomicU8,
    core::sync::atomic::AtomicU16,
    core::sync::atomic::AtomicU32,
    core::sync::atomic::AtomicU64,
    core::sync::atomic::AtomicUsize,
    core::sync::atomic::AtomicI8,
    core::sync::atomic::AtomicI16,
    core::sync::atomic::AtomicI32,
    core::sync::atomic::AtomicI64,
    core::sync::atomic::AtomicIsize,
);
impl<T> PureStdType for Vec<T> {}
impl<T> PureStdType for std::collections::VecDeque<T> {}
impl<T> PureStdType for std::collections::BTreeSet<T> {}
impl<K, V> PureStdType for std::collections::BTreeMap<K, V> {}
impl<T> PureStdType for std::collections::BinaryHeap<T> {}
impl<K, V, S> PureStdType for std::collections::HashMap<K, V, S> {}
impl<T, S> PureStdType for std::collections::HashSet<T, S> {}
impl<T: ?Sized> PureStdType for Box<T> {}
impl<T: ?Sized> PureStdType for std::sync::Arc<T> {}
impl<T: ?Sized> PureStdType for std::rc::Rc<T> {}
impl<T> PureStdType for Option<T> {}
impl<T, E> PureStdType for Result<T, E> {}
impl<B: ?Sized + ToOwned> PureStdType for std::borrow::Cow<'_, B> {}
impl<T> PureStdType for core::num::Wrapping<T> {}
impl<T> PureStdType for core::num::Saturating<T> {}
impl<T> PureStdType for core::cmp::Reverse<T> {}
impl<T: ?Sized> PureStdType for PhantomData<T> {}
pure_std!(
    core::num::NonZeroU8,
    core::num::NonZeroU16,
    core::num::NonZeroU32,
    core::num::NonZeroU64,
    core::num::NonZeroU128,
    core::num::NonZeroUsize,
    core::num::NonZeroI8,
    core::num::NonZeroI16,
    core::num::NonZeroI32,
    core::num::NonZeroI64,
    core::num::NonZeroI128,
    core::num::NonZeroIsize,
);
impl<H> PureStdType for std::hash::BuildHasherDefault<H> {}
impl<T> PureStdType for core::ops::Range<T> {}
impl<T> PureStdType for core::ops::RangeInclusive<T> {}
impl<T: ?Sized> PureStdType for core::cell::Cell<T> {}
impl<T: ?Sized> PureStdType for core::cell::RefCell<T> {}
impl<T> PureStdType for core::cell::OnceCell<T> {}
impl<T> PureStdType for [T] {}
impl<T, const N: usize> PureStdType for [T; N] {}

/// Fails to compile unless `T` is a [`PureStdType`].
pub fn assert_std_type<T: ?Sized + PureStdType>() {}

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

/// Compile-time probe of a global a kernel reads: a byte read of the value
/// in const evaluation. It compiles for consts and immutable statics of
/// plain types, and fails (E0080, "constant accesses mutable global
/// memory") for statics with interior mutability at any depth.
///
/// The bound is the other half of the check: the global's type must be
/// `PureData` (a `const` holding a reference to an atomic, a fn pointer or
/// a table of them fail there, E0277, where the byte read succeeds).
pub const fn probe_global<T: PureData>(r: &T) {
    if core::mem::size_of::<T>() > 0 {
        // SAFETY: `r` is a valid reference to at least one byte; reading it
        // as `MaybeUninit<u8>` is defined even where the byte is padding.
        let _ = unsafe { (r as *const T).cast::<core::mem::MaybeUninit<u8>>().read() };
    }
}

// ---------------------------------------------------------------- inputs

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

// ------------------------------------------------------------- clusters

/// Identity of a kernel across ranks: its parts joined (a marker's name
/// and path, or a closure's source location).
pub fn kernel_id(parts: &[&str]) -> String {
    parts.join("|")
}

#[cfg(feature = "mpi")]
mod cluster {
    use super::{pool, CallOptions, Item, Pool};
    use para_runtime::mpi::{Cluster, ClusterSource};
    use para_runtime::Source;

    pub fn local_item_fn<S: ClusterSource, U, F>(_: &S, f: F) -> F
    where
        F: for<'s> Fn(Item<'s, S::Local>) -> U,
    {
        f
    }

    fn fail(what: &str, e: para_runtime::mpi::ClusterError) -> ! {
        panic!("para: cluster {what}: {e}")
    }

    pub fn cluster_map<S, F, U>(
        c: &Cluster,
        p: Option<&Pool>,
        id: &[&str],
        opts: CallOptions,
        src: &S,
        f: F,
    ) -> Option<Vec<U>>
    where
        S: ClusterSource,
        F: for<'s> Fn(Item<'s, S::Local>) -> U + Sync,
        U: para_runtime::mpi::MpiEquivalence + Send + Default + Clone,
    {
        c.map(pool(p), opts, &super::kernel_id(id), src, f)
            .unwrap_or_else(|e| fail("pmap!", e))
    }

    pub fn cluster_reduce<S, G, V>(
        c: &Cluster,
        p: Option<&Pool>,
        id: &[&str],
        opts: CallOptions,
        src: &S,
        g: G,
        init: V,
    ) -> Option<V>
    where
        S: ClusterSource,
        S::Local: Source<Value = V>,
        G: Fn(V, V) -> V + Sync,
        V: para_runtime::mpi::MpiEquivalence + Clone + Send + Sync + Default,
    {
        c.reduce(pool(p), opts, &super::kernel_id(id), src, g, init)
            .unwrap_or_else(|e| fail("preduce!", e))
    }

    #[allow(clippy::too_many_arguments)]
    pub fn cluster_map_reduce<S, F, G, V>(
        c: &Cluster,
        p: Option<&Pool>,
        id: &[&str],
        opts: CallOptions,
        src: &S,
        f: F,
        g: G,
        init: V,
    ) -> Option<V>
    where
        S: ClusterSource,
        F: for<'s> Fn(Item<'s, S::Local>) -> V + Sync,
        G: Fn(V, V) -> V + Sync,
        V: para_runtime::mpi::MpiEquivalence + Clone + Send + Sync + Default,
    {
        c.map_reduce(pool(p), opts, &super::kernel_id(id), src, f, g, init)
            .unwrap_or_else(|e| fail("pmap_reduce!", e))
    }
}

#[cfg(feature = "mpi")]
pub use cluster::{cluster_map, cluster_map_reduce, cluster_reduce, local_item_fn};

/// Without the `mpi` feature, the `cluster` option is a compile error
/// with this message, spanned on the option's value.
#[cfg(not(feature = "mpi"))]
#[diagnostic::on_unimplemented(
    message = "the `cluster` option needs para's `mpi` cargo feature",
    label = "clusters need `features = [\"mpi\"]` on the `para` dependency",
    note = "the `mpi` feature builds against an MPI library (Open MPI) and needs libclang; see para's README"
)]
pub trait MpiFeature {}

#[cfg(not(feature = "mpi"))]
mod no_cluster {
    use super::{CallOptions, MpiFeature, Pool};

    pub fn local_item_fn<S, F>(_: &S, f: F) -> F {
        f
    }

    pub fn cluster_map<C: MpiFeature, S, F, U>(
        _: &C,
        _: Option<&Pool>,
        _: &[&str],
        _: CallOptions,
        _: &S,
        _: F,
    ) -> Option<Vec<U>> {
        unreachable!("rejected at compile time")
    }

    pub fn cluster_reduce<C: MpiFeature, S, G, V>(
        _: &C,
        _: Option<&Pool>,
        _: &[&str],
        _: CallOptions,
        _: &S,
        _: G,
        _: V,
    ) -> Option<V> {
        unreachable!("rejected at compile time")
    }

    #[allow(clippy::too_many_arguments)]
    pub fn cluster_map_reduce<C: MpiFeature, S, F, G, V>(
        _: &C,
        _: Option<&Pool>,
        _: &[&str],
        _: CallOptions,
        _: &S,
        _: F,
        _: G,
        _: V,
    ) -> Option<V> {
        unreachable!("rejected at compile time")
    }
}

#[cfg(not(feature = "mpi"))]
pub use no_cluster::{cluster_map, cluster_map_reduce, cluster_reduce, local_item_fn};

pub use para_runtime::PureData;

/// `assert_pure_data::<T>()` is an E0277 with `PureData`'s message unless
/// `T` is plain data; emitted on the user's type (`#[pure]` parameters,
/// `#[derive(PureData)]` fields).
#[inline(always)]
pub fn assert_pure_data<T: ?Sized + PureData>() {}

/// As [`assert_pure_data`], for the type of a value the caller cannot name
/// (a global the body reads, a closure kernel's inferred parameter).
#[inline(always)]
pub fn assert_pure_val<T: ?Sized + PureData>(_: &T) {}
