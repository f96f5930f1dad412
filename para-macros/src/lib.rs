//! Procedural macros of [para](https://docs.rs/para): `#[pure]` and the
//! kernel-call macros `pmap!`, `preduce!`, `pmap_reduce!`.
//!
//! Use them through the `para` crate, whose documentation describes them;
//! the expansions refer to `::para::__private` only.
#![warn(missing_docs, unreachable_pub)]

mod call;
mod ctxt;
mod derive;
mod pure;
mod symbols;

use proc_macro::TokenStream;

/// Check at compile time that a function is a pure kernel, and register it.
/// See `para::pure` for the rules.
#[proc_macro_attribute]
pub fn pure(args: TokenStream, item: TokenStream) -> TokenStream {
    pure::pure(args.into(), item.into()).into()
}

/// Map a pure kernel over an input in parallel. See `para::pmap!`.
#[proc_macro]
pub fn pmap(input: TokenStream) -> TokenStream {
    call::expand(call::Kind::Map, input.into()).into()
}

/// Reduce an input in parallel, deterministically. See `para::preduce!`.
#[proc_macro]
pub fn preduce(input: TokenStream) -> TokenStream {
    call::expand(call::Kind::Reduce, input.into()).into()
}

/// Map then reduce, fused. See `para::pmap_reduce!`.
#[proc_macro]
pub fn pmap_reduce(input: TokenStream) -> TokenStream {
    call::expand(call::Kind::MapReduce, input.into()).into()
}

macro_rules! call_macro {
    ($($(#[$doc:meta])* $name:ident => $kind:ident;)*) => {$(
        $(#[$doc])*
        #[proc_macro]
        pub fn $name(input: TokenStream) -> TokenStream {
            call::expand(call::Kind::$kind, input.into()).into()
        }
    )*};
}

call_macro! {
    /// Map into an existing output. See `para::pmap_into!`.
    pmap_into => Into;
    /// Fold into an accumulator of any type. See `para::pfold!`.
    pfold => Fold;
    /// Map a fallible kernel. See `para::try_pmap!`.
    try_pmap => TryMap;
    /// Inclusive prefix scan. See `para::pscan!`.
    pscan => Scan;
    /// Keep the items a predicate accepts. See `para::pfilter!`.
    pfilter => Filter;
    /// `pmap!` as a future. See `para::pmap_async!`.
    pmap_async => MapAsync;
    /// `preduce!` as a future. See `para::preduce_async!`.
    preduce_async => ReduceAsync;
    /// `pmap_reduce!` as a future. See `para::pmap_reduce_async!`.
    pmap_reduce_async => MapReduceAsync;
}

/// Implement `para::PureData` for a struct or enum whose every field is
/// `PureData` (a type parameter gets a `PureData` bound). See
/// `para::PureData`.
#[proc_macro_derive(PureData)]
pub fn derive_pure_data(input: TokenStream) -> TokenStream {
    derive::derive(input.into()).into()
}
