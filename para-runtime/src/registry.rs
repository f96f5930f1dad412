//! The registry of `#[pure]` kernels: filled at link time through
//! `inventory`, read by [`kernels`] and by `Pool::dispatch`.

use std::any::{Any, TypeId};
use std::fmt;

/// One registered kernel, as `#[pure]` recorded it.
///
/// Registration covers non-generic kernels whose parameters and return
/// type have an owned, `Send + 'static` form (see `dispatch`).
pub struct KernelInfo {
    /// Registry name: the fn's name, or `#[pure(name = "...")]`.
    pub name: &'static str,
    /// `module_path!()` of the kernel's definition.
    pub path: &'static str,
    /// The signature as written (`fn score(row: &[f32]) -> f32`).
    pub signature: &'static str,
    #[doc(hidden)]
    pub __args: fn() -> (TypeId, &'static str),
    #[doc(hidden)]
    pub __ret: fn() -> (TypeId, &'static str),
    #[doc(hidden)]
    pub __invoke: fn(Box<dyn Any + Send>) -> Box<dyn Any + Send>,
}

impl KernelInfo {
    /// `path::name`: the name that always identifies this kernel, even when
    /// another module registers the same name.
    pub fn full_name(&self) -> String {
        format!("{}::{}", self.path, self.name)
    }

    /// Type name of the owned argument form `dispatch` expects (a tuple for
    /// several parameters, `()` for none).
    pub fn arg_type(&self) -> &'static str {
        (self.__args)().1
    }

    /// Type name of the kernel's return type.
    pub fn return_type(&self) -> &'static str {
        (self.__ret)().1
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

inventory::collect!(KernelInfo);

/// Every registered kernel, in unspecified order.
///
/// A kernel defined in a dependency crate that the final binary never
/// mentions is not linked, so not listed: name the crate once
/// (`use that_crate as _;`).
pub fn kernels() -> impl Iterator<Item = &'static KernelInfo> {
    inventory::iter::<KernelInfo>.into_iter()
}
