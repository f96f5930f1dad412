//! The trait behind each kernel's marker type. `#[pure]` emits a marker
//! next to the fn and implements [`Kernel`] for it; calls inside kernel
//! bodies and the call macros' kernel argument go through the marker
//! (`<score>::__para_fn(x)`, `<score as Kernel>::NAME`), so a path that is
//! not a `#[pure]` fn fails there. Registration uses `KernelInfo` and the
//! `KERNELS` slice, re-exported beside this module.

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
