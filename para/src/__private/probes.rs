//! Compile-time probes the expansions call: each is a plain function whose
//! bound carries the check, so rustc's own error lands on the user's token
//! with the bound's message (`PureData`'s, `PureStdType`'s).

use core::marker::PhantomData;
use core::num::{
    NonZeroI128, NonZeroI16, NonZeroI32, NonZeroI64, NonZeroI8, NonZeroIsize, NonZeroU128,
    NonZeroU16, NonZeroU32, NonZeroU64, NonZeroU8, NonZeroUsize,
};
use core::sync::atomic::{
    AtomicBool, AtomicI16, AtomicI32, AtomicI64, AtomicI8, AtomicIsize, AtomicU16, AtomicU32,
    AtomicU64, AtomicU8, AtomicUsize,
};
use para_runtime::PureData;

/// `assert_pure_data::<T>()` is an E0277 with `PureData`'s message unless
/// `T` is plain data; emitted on the user's type (`#[pure]` parameters,
/// `#[derive(PureData)]` fields).
#[inline(always)]
pub fn assert_pure_data<T: ?Sized + PureData>() {}

/// As [`assert_pure_data`], for the type of a value the caller cannot name
/// (a global the body reads, a closure kernel's inferred parameter).
#[inline(always)]
pub fn assert_pure_val<T: ?Sized + PureData>(_: &T) {}

/// A context argument (`kernel(&ctx, _)`) is shared read-only by every
/// item, on every thread, so it must be `Sync`. That it is `PureData` is
/// the kernel's signature's part: a parameter's type is checked at the
/// kernel's definition, a generic parameter carries a `PureData` bound
/// that the call must meet (one error each, at the user's token).
#[inline(always)]
pub fn assert_pure_ctx<T: ?Sized + Sync>(_: &T) {}

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
    AtomicBool,
    AtomicU8,
    AtomicU16,
    AtomicU32,
    AtomicU64,
    AtomicUsize,
    AtomicI8,
    AtomicI16,
    AtomicI32,
    AtomicI64,
    AtomicIsize,
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
    NonZeroU8,
    NonZeroU16,
    NonZeroU32,
    NonZeroU64,
    NonZeroU128,
    NonZeroUsize,
    NonZeroI8,
    NonZeroI16,
    NonZeroI32,
    NonZeroI64,
    NonZeroI128,
    NonZeroIsize,
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
