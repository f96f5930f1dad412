//! The registry of `#[pure]` kernels: a `linkme` distributed slice, filled
//! by the linker (one static per kernel in a link section, no constructor
//! code), read by [`kernels`] and by `Pool::dispatch`.

use std::any::{Any, TypeId};
use std::fmt;

/// One registered kernel, as `#[pure]` recorded it.
///
/// Registration covers non-generic kernels whose parameters and return
/// type have an owned, `Send + 'static` form (see `dispatch`).
///
/// Entries are made only by `#[pure]`, through constructors that take the
/// kernel as a typed fn pointer and pair it with the matching entry point;
/// the erased fields are private, so safe code cannot pair a kernel with
/// the wrong argument type.
pub struct KernelInfo {
    /// Registry name: the fn's name, or `#[pure(name = "...")]`.
    pub name: &'static str,
    /// `module_path!()` of the kernel's definition.
    pub path: &'static str,
    /// The signature as written (`fn score(row: &[f32]) -> f32`).
    pub signature: &'static str,
    args: fn() -> (TypeId, &'static str),
    ret: fn() -> (TypeId, &'static str),
    call: ErasedFn,
    invoke: fn(ErasedFn, Box<dyn Any + Send>) -> Box<dyn Any + Send>,
}

/// A kernel's call shim (`fn(OwnedArgs) -> R`) with its type erased, so
/// that the generic [`invoke`] is instantiated once per signature rather
/// than once per kernel. Only this module makes and reads them.
#[derive(Clone, Copy, Debug)]
struct ErasedFn(*const ());

// SAFETY: a function pointer is plain, immutable code address data.
unsafe impl Send for ErasedFn {}
// SAFETY: as above.
unsafe impl Sync for ErasedFn {}

impl ErasedFn {
    /// Erase a call shim taking the owned arguments.
    const fn new<A, R>(f: fn(A) -> R) -> ErasedFn {
        ErasedFn(f as *const ())
    }

    /// Erase a kernel taking one `&[T]` (owned form `Vec<T>`).
    const fn slice<T, R>(f: fn(&[T]) -> R) -> ErasedFn {
        ErasedFn(f as *const ())
    }

    /// Erase a kernel taking one `&str` (owned form `String`).
    const fn str<R>(f: fn(&str) -> R) -> ErasedFn {
        ErasedFn(f as *const ())
    }

    /// Erase a kernel taking one `&T` (owned form `T`).
    const fn by_ref<T, R>(f: fn(&T) -> R) -> ErasedFn {
        ErasedFn(f as *const ())
    }
}

/// Shared entry points for one-parameter kernels: no per-kernel shim (a
/// crate of 200 kernels builds measurably faster without one each).
fn invoke_slice<T: Any, R: Any + Send>(
    f: ErasedFn,
    args: Box<dyn Any + Send>,
) -> Box<dyn Any + Send> {
    // SAFETY: made by `ErasedFn::slice::<T, R>` for this instantiation.
    let f = unsafe { std::mem::transmute::<*const (), fn(&[T]) -> R>(f.0) };
    let v = args
        .downcast::<Vec<T>>()
        .expect("para: dispatch checks the argument type before invoking");
    // Result first, then the argument's drop: if that drop panics, the
    // result is a local and is dropped while unwinding, not leaked (a
    // return value under construction is leaked, rust-lang/rust#47949).
    let r = f(&v);
    drop(v);
    Box::new(r)
}

fn invoke_str<R: Any + Send>(f: ErasedFn, args: Box<dyn Any + Send>) -> Box<dyn Any + Send> {
    // SAFETY: made by `ErasedFn::str::<R>` for this instantiation.
    let f = unsafe { std::mem::transmute::<*const (), fn(&str) -> R>(f.0) };
    let s = args
        .downcast::<String>()
        .expect("para: dispatch checks the argument type before invoking");
    let r = f(&s);
    drop(s);
    Box::new(r)
}

fn invoke_ref<T: Any, R: Any + Send>(
    f: ErasedFn,
    args: Box<dyn Any + Send>,
) -> Box<dyn Any + Send> {
    // SAFETY: made by `ErasedFn::by_ref::<T, R>` for this instantiation.
    let f = unsafe { std::mem::transmute::<*const (), fn(&T) -> R>(f.0) };
    let t = args
        .downcast::<T>()
        .expect("para: dispatch checks the argument type before invoking");
    let r = f(&t);
    drop(t);
    Box::new(r)
}

/// The shared dispatch entry point: unbox the owned arguments, call the
/// kernel's shim, box the result.
///
/// # Panics
/// If `args` is not an `A` (dispatch checks the type first).
fn invoke<A: Any, R: Any + Send>(f: ErasedFn, args: Box<dyn Any + Send>) -> Box<dyn Any + Send> {
    // SAFETY: `f` was made by `ErasedFn::new::<A, R>` for this very
    // instantiation: `KernelInfo::__value` pairs the two, and the fields that
    // hold them are private, so no other pairing exists. All function
    // pointers share one representation.
    let f = unsafe { std::mem::transmute::<*const (), fn(A) -> R>(f.0) };
    let args = *args
        .downcast::<A>()
        .expect("para: dispatch checks the argument type before invoking");
    Box::new(f(args))
}

/// Type id and name of `T`, for the registry's type checks.
fn type_info<T: Any + ?Sized>() -> (TypeId, &'static str) {
    (TypeId::of::<T>(), std::any::type_name::<T>())
}

/// Const constructors, one per parameter kind: `#[pure]` emits one call
/// per kernel, which type-checks faster than a struct literal naming four
/// generic items.
#[doc(hidden)]
impl KernelInfo {
    /// A kernel taking one `&[T]` (dispatched with a `Vec<T>`).
    pub const fn __slice<T: Any, R: Any + Send>(
        name: &'static str,
        path: &'static str,
        signature: &'static str,
        f: fn(&[T]) -> R,
    ) -> KernelInfo {
        KernelInfo {
            name,
            path,
            signature,
            args: type_info::<Vec<T>>,
            ret: type_info::<R>,
            call: ErasedFn::slice(f),
            invoke: invoke_slice::<T, R>,
        }
    }

    /// A kernel taking one `&str` (dispatched with a `String`).
    pub const fn __str<R: Any + Send>(
        name: &'static str,
        path: &'static str,
        signature: &'static str,
        f: fn(&str) -> R,
    ) -> KernelInfo {
        KernelInfo {
            name,
            path,
            signature,
            args: type_info::<String>,
            ret: type_info::<R>,
            call: ErasedFn::str(f),
            invoke: invoke_str::<R>,
        }
    }

    /// A kernel taking one `&T` (dispatched with a `T`).
    pub const fn __by_ref<T: Any, R: Any + Send>(
        name: &'static str,
        path: &'static str,
        signature: &'static str,
        f: fn(&T) -> R,
    ) -> KernelInfo {
        KernelInfo {
            name,
            path,
            signature,
            args: type_info::<T>,
            ret: type_info::<R>,
            call: ErasedFn::by_ref(f),
            invoke: invoke_ref::<T, R>,
        }
    }

    /// A kernel, or its call shim, taking its owned arguments `A` by value
    /// (a tuple for several parameters).
    pub const fn __value<A: Any, R: Any + Send>(
        name: &'static str,
        path: &'static str,
        signature: &'static str,
        f: fn(A) -> R,
    ) -> KernelInfo {
        KernelInfo {
            name,
            path,
            signature,
            args: type_info::<A>,
            ret: type_info::<R>,
            call: ErasedFn::new(f),
            invoke: invoke::<A, R>,
        }
    }
}

impl KernelInfo {
    /// Run the kernel on boxed owned arguments.
    ///
    /// # Panics
    /// If `args` is not the kernel's owned argument type (dispatch checks it
    /// first with [`KernelInfo::arg_type_id`]), or if the kernel panics.
    pub(crate) fn invoke(&self, args: Box<dyn Any + Send>) -> Box<dyn Any + Send> {
        (self.invoke)(self.call, args)
    }

    /// Type id and name of the owned argument form.
    pub(crate) fn arg_type_id(&self) -> (TypeId, &'static str) {
        (self.args)()
    }

    /// Type id and name of the return type.
    pub(crate) fn return_type_id(&self) -> (TypeId, &'static str) {
        (self.ret)()
    }

    /// `path::name`: the name that always identifies this kernel, even when
    /// another module registers the same name.
    pub fn full_name(&self) -> String {
        format!("{}::{}", self.path, self.name)
    }

    /// Type name of the owned argument form `dispatch` expects (a tuple for
    /// several parameters, `()` for none).
    pub fn arg_type(&self) -> &'static str {
        (self.args)().1
    }

    /// Type name of the kernel's return type.
    pub fn return_type(&self) -> &'static str {
        (self.ret)().1
    }
}

impl fmt::Debug for KernelInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KernelInfo")
            .field("name", &self.name)
            .field("path", &self.path)
            .field("signature", &self.signature)
            .finish()
    }
}

/// Every registered kernel (the linker gathers the entries).
#[doc(hidden)]
#[linkme::distributed_slice]
pub static KERNELS: [KernelInfo];

/// Every registered kernel, in unspecified order.
///
/// A kernel defined in a dependency crate that the final binary never
/// mentions is not linked, so not listed: name the crate once
/// (`use that_crate as _;`).
pub fn kernels() -> impl Iterator<Item = &'static KernelInfo> {
    KERNELS.iter()
}
