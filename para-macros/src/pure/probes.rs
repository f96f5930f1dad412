//! The compile-time checks `#[pure]` and the call macros emit, each
//! spanned on the user's token so that rustc's error lands there: what
//! only rustc can decide (a type is `PureData`, a callee is a `#[pure]`
//! fn, a global holds no interior mutability, an associated function's
//! owner is a std type).

use proc_macro2::{Span, TokenStream};
use quote::quote_spanned;
use syn::Path;

/// A global the body reads (`COUNTER`, `config::LIMIT`, a CamelCase
/// static used as a place): its type must be `PureData`, and a const-eval
/// byte read of it must succeed (it fails, E0080, for a static with
/// interior mutability at any depth, which `PureData` alone would miss
/// behind a user type's manual `unsafe impl`).
pub(crate) fn global(path: &Path, span: Span) -> TokenStream {
    quote_spanned! {span=>
        const _: () = ::para::__private::probe_global(&#path);
    }
}

/// A callee or function value that must be a `#[pure]` fn, checked
/// through its marker type (`error[E0573]: expected type, found function`
/// on the user's token otherwise). As a statement for closure kernels,
/// whose checks run in the caller's scope.
pub(crate) fn marker(path: &Path, span: Span, statement: bool) -> TokenStream {
    if statement {
        quote_spanned! {span=> let _ = <#path as ::para::__private::Kernel>::NAME; }
    } else {
        quote_spanned! {span=>
            const _: () = {
                let _ = <#path as ::para::__private::Kernel>::NAME;
            };
        }
    }
}

/// `Owner::f(..)` where the lists do not know `Owner`: it must be a std
/// type whose associated functions are pure (an alias of one resolves).
pub(crate) fn std_type(owner: &Path, span: Span, statement: bool) -> TokenStream {
    if statement {
        quote_spanned! {span=> ::para::__private::assert_std_type::<#owner>(); }
    } else {
        quote_spanned! {span=>
            const _: () = {
                #[allow(dead_code)]
                fn __para_std_type_check() {
                    ::para::__private::assert_std_type::<#owner>();
                }
            };
        }
    }
}

/// A parameter's type must be `PureData`: a statement at the top of the
/// body, spanned on the type.
pub(crate) fn param_type(ty: &syn::Type) -> TokenStream {
    let span = syn::spanned::Spanned::span(ty);
    quote_spanned! {span=> let _ = ::para::__private::assert_pure_data::<#ty>; }
}

/// A binding's inferred type must be `PureData` (a closure kernel's
/// parameters, whose types the macro may not see): a statement, spanned on
/// the binding.
pub(crate) fn binding(name: &syn::Ident) -> TokenStream {
    let span = name.span();
    quote_spanned! {span=> ::para::__private::assert_pure_val(&#name); }
}

/// The expression that calls a kernel through its marker type:
/// `<score>::__para_fn`, the generic arguments of the user's last segment
/// kept (`sq::<i32>` becomes `<sq>::__para_fn::<i32>`). A plain fn, a
/// local or a shadowing item fails to resolve as a type there (E0573,
/// "expected type, found function", on the user's token), and a kernel
/// reached through a glob import is called even where a local fn of the
/// same name shadows its value.
pub(crate) fn kernel_path(path: &Path) -> syn::Expr {
    kernel_entry(path, "__para_fn")
}

/// [`kernel_path`] for one of the marker's entry points: `__para_fn` (the
/// kernel's own signature) or `__para_into` (its output slot last, for
/// `pmap_into!`).
pub(crate) fn kernel_entry(path: &Path, entry: &str) -> syn::Expr {
    let entry = syn::Ident::new(entry, proc_macro2::Span::call_site());
    let span = syn::spanned::Spanned::span(path);
    let mut stripped = path.clone();
    let args = stripped
        .segments
        .last()
        .map(|s| s.arguments.clone())
        .unwrap_or(syn::PathArguments::None);
    for seg in stripped.segments.iter_mut() {
        seg.arguments = syn::PathArguments::None;
    }
    let args = match args {
        syn::PathArguments::AngleBracketed(mut a) => {
            a.colon2_token = Some(Default::default());
            quote::quote!(#a)
        }
        _ => TokenStream::new(),
    };
    syn::parse_quote_spanned!(span=> <#stripped>::#entry #args)
}
