//! `PureData`: the marker for what a `#[pure]` kernel may see.
//!
//! A kernel's inputs (its parameters, the globals its body names, the
//! context arguments of a call) must be plain data. The macros emit a
//! `T: PureData` bound for each of them, so rustc itself resolves aliases,
//! imports, generics and nested types; nothing is decided by a type's
//! name. This file holds the trait, its `# Safety` contract and every impl
//! for std and para types. What is deliberately left out is listed on the
//! trait, with the reason.
//!
//! # Decisions
//! - `PhantomData<T>` is plain data for every `T`: it holds no value, so
//!   there is nothing inside it to mutate or to reach the world through.
//! - `Rc<T>` is not: its shared count is mutated without synchronisation
//!   by every clone and drop through a shared reference, and `Rc` is
//!   neither `Send` nor `Sync`, so it could not reach a worker thread
//!   anyway. `Arc<T>` is: its count is atomic and is not the value; only
//!   `Arc::strong_count` and friends observe it, and those are trusted
//!   like the methods of a user type (documented on the trait).
//! - `BuildHasherDefault<H>` is plain data for every `H`: it stores no
//!   hasher and builds a fresh `H::default()` for each hash, so a map's
//!   order depends only on its keys and on `H::default()`. That is
//!   deterministic for std's `DefaultHasher` (fixed keys) and for the
//!   usual fixed hashers (FxHash, FNV, ahash's fixed state); a `Default`
//!   that reads a random seed is the user's broken promise. A bound
//!   `H: PureData` would refuse every hasher from a crate that does not
//!   depend on para: the orphan rule keeps its users from adding the impl.
//! - `Cow<'_, B>` is plain data when both `B` and `B::Owned` are: it is
//!   one or the other.

use std::borrow::{Cow, ToOwned};
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::hash::{BuildHasherDefault, DefaultHasher};
use std::marker::PhantomData;
use std::num::{NonZero, Saturating, Wrapping};
use std::ops::{Bound, Range, RangeFrom, RangeFull, RangeInclusive, RangeTo, RangeToInclusive};
use std::sync::Arc;
use std::time::Duration;

use crate::input::{Chunks, Lines, OwnedRows, Rows};

/// Plain data: a type whose values a `#[pure]` kernel may see.
///
/// Every input of a kernel, that is each parameter, each `static` or
/// `const` its body names and each context argument of a call, must
/// implement `PureData`. `#[pure]` and the call macros emit the bound, so
/// a type alias, an import or a generic parameter is checked for what it
/// is, not for how it is spelled.
///
/// For your own type, derive it: `#[derive(para::PureData)]` checks that
/// every field is `PureData` (and adds a `T: PureData` bound to each type
/// parameter). A type with a field that is not plain data does not get
/// the impl: the derive fails at that field.
///
/// # Implemented for
/// `bool`, `char`, all integers, `f32`, `f64`, `()`, `str`, `String`,
/// `[T]`, `[T; N]`, tuples up to 12 elements, `Vec`, `VecDeque`, `Box<T>`
/// and `Arc<T>` (also of unsized `T`: `Box<str>`, `Arc<[T]>`), `Option`,
/// `Result`, `BTreeMap`, `BTreeSet`, `HashMap<K, V, S>` and
/// `HashSet<T, S>` when the hasher builder `S` is (`BuildHasherDefault<H>`
/// is, for any `H`; std's `RandomState` is not), `DefaultHasher`, the
/// ranges (`a..b`, `a..=b`, `a..`, `..b`, `..=b`, `..`) and `Bound`,
/// `Duration`, `cmp::Ordering`, `PhantomData<T>` (any `T`: it holds
/// nothing), `NonZero<_>` of every integer, `Wrapping`, `Saturating`,
/// `Reverse`, `Cow<'_, B>` (when `B` and its owned form are), `&T`,
/// para's [`Rows`] and [`OwnedRows`]; each generic one when its
/// parameters are `PureData`.
///
/// # Not implemented, on purpose
/// - interior mutability at any depth: `Cell`, `RefCell`, `UnsafeCell`,
///   atomics, `Mutex`, `RwLock`, `OnceCell`, `OnceLock`, `LazyLock`, and
///   `Rc` (its count is a shared, unsynchronised cell);
/// - `&mut T` (the one exception is a kernel's `#[out]` slot), raw
///   pointers, fn pointers, `dyn Fn*` and other callables: calling one
///   runs code the checker never saw;
/// - handles whose methods act on the world: files, sockets, stdio,
///   channel ends, `Instant`, `SystemTime`, `Path` and `PathBuf`, process
///   and thread handles, para's own `Pool`, `Signal` and `Signals`;
/// - `RandomState`: its seed is random per process, so the iteration
///   order of a `HashMap` built with it, and any result that depends on
///   that order, varies from run to run.
///
/// # What stays trusted
/// The trait is about the value, not about code: the methods and
/// operator impls of a `PureData` type (a user type's own, and `Arc`'s
/// count readers) are trusted to be pure when a kernel calls them, as is
/// `Drop`. Deriving or implementing `PureData` for your type is your
/// promise that its methods called from kernels are.
///
/// # Safety
/// Implementing `PureData` promises, for every value of the type and for
/// everything reachable from it (fields, pointees, elements):
///
/// 1. **No interior mutability at any depth**: nothing reachable holds an
///    `UnsafeCell` (so no `Cell`, `RefCell`, atomic, lock or once-cell)
///    through which a shared reference could change what the value reads
///    as. A kernel's inputs are read by several worker threads at once,
///    without synchronisation, and must read the same at every one of
///    them. (`Arc`'s reference counts are the one cell std's impls admit:
///    bookkeeping of the allocation, not part of the value.)
/// 2. **No handle to the world**: the value is not, and does not hold, a
///    way to act on or observe anything outside itself: no file, socket,
///    clock, environment, process, thread, channel or global state, no
///    `&mut`, no raw pointer to memory it does not own, no callable.
/// 3. **Deterministic observable behaviour**: the std trait methods of
///    the type (`Clone`, `PartialEq`, `Ord`, `Hash`, `Debug`, iteration
///    order, ...) give results that depend only on the value, never on a
///    random seed, the time or the calling thread, so that the same input
///    gives the same bits on every run and thread count. (Every value has
///    an address, which `{:p}` and `ptr::eq` can see; kernels are trusted
///    not to let a result depend on it.)
///
/// A type whose fields are all `PureData` meets the contract when it adds
/// no `UnsafeCell` and no `unsafe` code of its own that breaks it; that
/// is what `#[derive(para::PureData)]` checks. A hand-written
/// `unsafe impl` (for a union, or a type wrapping raw memory that is
/// plain data) is the implementer's promise.
///
/// ```
/// use para_runtime::PureData;
///
/// fn is_pure<T: ?Sized + PureData>() {}
///
/// // What a derive would check, written by hand: both fields are plain data.
/// struct Grid {
///     cells: Vec<f32>,
///     width: usize,
/// }
/// // SAFETY: `Vec<f32>` and `usize` are plain data; `Grid` adds nothing.
/// unsafe impl PureData for Grid {}
///
/// is_pure::<Grid>();
/// is_pure::<&[Grid]>();
/// is_pure::<(u32, Option<Box<str>>)>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not plain data (`para::PureData`), so a #[pure] kernel may not see it",
    label = "not plain data: a kernel's inputs must implement `para::PureData`",
    note = "interior mutability is never plain data: \
            `Cell`, `RefCell`, atomics, locks, `OnceLock`, `Rc`",
    note = "nor are `&mut`, raw pointers, fn pointers, closures, \
            or handles (files, sockets, `Instant`, `Path`)",
    note = "for your own type, `#[derive(para::PureData)]`: every field must be `PureData`",
    note = "to share data with a kernel, pass it as a context argument",
    note = "for a `HashMap`/`HashSet`, use `BTreeMap`/`BTreeSet` \
            or a fixed hasher (`BuildHasherDefault<_>`):",
    note = "`RandomState`'s seed makes iteration order vary from run to run"
)]
pub unsafe trait PureData {}

/// `unsafe impl PureData` for each listed type, with no parameters.
macro_rules! plain {
    ($($t:ty),* $(,)?) => {
        $(
            // SAFETY: a value of this type is its own bytes: no `UnsafeCell`,
            // no pointer, and std's methods on it are deterministic.
            unsafe impl PureData for $t {}
        )*
    };
}

plain! {
    bool, char, (), str, String,
    u8, u16, u32, u64, u128, usize,
    i8, i16, i32, i64, i128, isize,
    f32, f64,
    NonZero<u8>, NonZero<u16>, NonZero<u32>, NonZero<u64>, NonZero<u128>, NonZero<usize>,
    NonZero<i8>, NonZero<i16>, NonZero<i32>, NonZero<i64>, NonZero<i128>, NonZero<isize>,
    Duration, Ordering, RangeFull,
    // Keys fixed at zero: `DefaultHasher::new()` hashes the same on every
    // run and thread (std may change the algorithm between releases, never
    // within one build).
    DefaultHasher,
}

/// `unsafe impl<T: PureData> PureData for Wrapper<T>` for each wrapper that
/// owns its `T`s (by value or behind a unique owning pointer) and adds no
/// cell of its own.
macro_rules! owns {
    ($($w:ident),* $(,)?) => {
        $(
            // SAFETY: the wrapper's own state is plain (lengths, capacities,
            // tags, bounds, an owning pointer); every `T` it reaches is
            // `PureData`, and its std methods are deterministic given its `T`s.
            unsafe impl<T: PureData> PureData for $w<T> {}
        )*
    };
}

owns! {
    Vec, VecDeque, Option, BTreeSet,
    Range, RangeInclusive, RangeFrom, RangeTo, RangeToInclusive, Bound,
    Wrapping, Saturating, Reverse,
}

// SAFETY: an array or slice is its elements, each `PureData`.
unsafe impl<T: PureData, const N: usize> PureData for [T; N] {}
// SAFETY: as for arrays.
unsafe impl<T: PureData> PureData for [T] {}
// SAFETY: a shared reference gives read-only access to a `PureData` value
// and adds nothing but its address (see the contract's point 3).
unsafe impl<T: ?Sized + PureData> PureData for &T {}
// SAFETY: `Box` owns its `T` uniquely and adds no cell.
unsafe impl<T: ?Sized + PureData> PureData for Box<T> {}
// SAFETY: the pointee is `PureData` and reachable only through shared
// references (or uniquely, through `get_mut`). The atomic counts are not
// the value: only `Arc::strong_count`/`weak_count` read them, trusted like
// any type's methods (see "What stays trusted").
unsafe impl<T: ?Sized + PureData> PureData for Arc<T> {}
// SAFETY: a tag and one of two `PureData` values.
unsafe impl<T: PureData, E: PureData> PureData for Result<T, E> {}
// SAFETY: an ordered tree of `PureData` keys and values; its order depends
// only on the keys' `Ord`.
unsafe impl<K: PureData, V: PureData> PureData for BTreeMap<K, V> {}
// SAFETY: a hash table of `PureData` keys and values whose order depends
// only on the keys and the hasher builder `S`, itself `PureData` (so not
// `RandomState`, whose seed is random per process).
unsafe impl<K: PureData, V: PureData, S: PureData> PureData for HashMap<K, V, S> {}
// SAFETY: as for `HashMap`.
unsafe impl<T: PureData, S: PureData> PureData for HashSet<T, S> {}
// SAFETY: a zero-sized type that stores no hasher; each `build_hasher`
// makes a fresh `H::default()`, deterministic for `DefaultHasher` and the
// usual fixed hashers (see the module's "Decisions" for why `H` is not
// bounded).
unsafe impl<H> PureData for BuildHasherDefault<H> {}
// SAFETY: holds no value of `T` at all.
unsafe impl<T: ?Sized> PureData for PhantomData<T> {}
// SAFETY: either a shared reference to a `PureData` `B` or an owned
// `B::Owned`, also `PureData`.
unsafe impl<B> PureData for Cow<'_, B>
where
    B: ?Sized + ToOwned + PureData,
    B::Owned: PureData,
{
}
// SAFETY: a shared slice of `PureData` items and a width.
unsafe impl<T: PureData> PureData for Rows<'_, T> {}
// SAFETY: an owned `Vec` of `PureData` items and a width.
unsafe impl<T: PureData> PureData for OwnedRows<T> {}
// SAFETY: a shared slice of `PureData` items and a chunk length.
unsafe impl<T: PureData> PureData for Chunks<'_, T> {}
// SAFETY: a shared `str` and shared, never-mutated line offsets.
unsafe impl PureData for Lines<'_> {}

/// `unsafe impl PureData` for tuples of each arity up to the list's length.
macro_rules! tuples {
    ($($name:ident)+) => {
        // SAFETY: a tuple is its fields, each `PureData`.
        unsafe impl<$($name: PureData),+> PureData for ($($name,)+) {}
    };
}

tuples! { A }
tuples! { A B }
tuples! { A B C }
tuples! { A B C D }
tuples! { A B C D E }
tuples! { A B C D E F }
tuples! { A B C D E F G }
tuples! { A B C D E F G H }
tuples! { A B C D E F G H I }
tuples! { A B C D E F G H I J }
tuples! { A B C D E F G H I J K }
tuples! { A B C D E F G H I J K L }
