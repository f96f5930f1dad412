//! What `#[pure]` emits.
//!
//! Input:
//! ```text
//! #[pure(name = "rankBatch")]
//! pub fn rank_batch(batch: &[f32]) -> Vec<u32> { body }
//! ```
//! Output:
//! ```text
//! pub fn rank_batch(batch: &[f32]) -> Vec<u32> { <compile-time checks> body }
//! #[doc(hidden)] pub struct rank_batch {}                      // the kernel marker
//! impl Kernel for rank_batch { const NAME = "rankBatch"; }
//! impl rank_batch { pub fn __para_fn(p0: &[f32]) -> Vec<u32> { rank_batch(p0) } }
//! const _: () = { #[distributed_slice(KERNELS)] static K: KernelInfo = KernelInfo { .. }; };
//! ```

use super::attr::PureArgs;
use crate::ctxt::Ctxt;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::visit::Visit;
use syn::{FnArg, GenericParam, ItemFn, ReturnType, Type};

/// `original` is the parsed fn (its signature is what counts here); `func`
/// the tokens of the fn to emit (unchanged on error, so callers get no
/// secondary errors and IDEs keep working).
pub(super) fn expand(
    cx: Ctxt,
    args: &PureArgs,
    original: &ItemFn,
    func: TokenStream,
) -> TokenStream {
    let ok = !cx.has_errors();
    let errors = cx.into_compile_errors();
    let ident = &original.sig.ident;
    let vis = &original.vis;
    let name = args
        .name
        .as_ref()
        .map_or_else(|| ident.to_string(), syn::LitStr::value);
    let marker = quote_spanned! {ident.span()=>
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code, clippy::exhaustive_structs)]
        #vis struct #ident {}

        impl ::para::__private::Kernel for #ident {
            const NAME: &'static str = #name;
        }
    };
    let kernel_fn = marker_call(original).unwrap_or_default();
    let register = args.register.as_ref().is_none_or(|b| b.value);
    let registration = if ok && register {
        registration(original, &name).unwrap_or_default()
    } else {
        TokenStream::new()
    };
    quote! {
        #errors
        #func
        #marker
        #kernel_fn
        #registration
    }
}

#[derive(Default)]
struct Scan {
    impl_trait: bool,
    elided: bool,
    lifetimes: bool,
    idents: Vec<String>,
}

impl<'ast> Visit<'ast> for Scan {
    fn visit_type_impl_trait(&mut self, _: &'ast syn::TypeImplTrait) {
        self.impl_trait = true;
    }
    fn visit_type_reference(&mut self, r: &'ast syn::TypeReference) {
        self.lifetimes = true;
        if r.lifetime.as_ref().is_none_or(|l| l.ident == "_") {
            self.elided = true;
        }
        syn::visit::visit_type_reference(self, r);
    }
    fn visit_lifetime(&mut self, l: &'ast syn::Lifetime) {
        self.lifetimes = true;
        if l.ident == "_" {
            self.elided = true;
        }
    }
    fn visit_ident(&mut self, i: &'ast syn::Ident) {
        self.idents.push(i.to_string());
    }
}

fn scan(ty: &Type) -> Scan {
    let mut s = Scan::default();
    s.visit_type(ty);
    s
}

fn param_types(f: &ItemFn) -> Option<Vec<Type>> {
    f.sig
        .inputs
        .iter()
        .map(|a| match a {
            FnArg::Typed(pt) => Some((*pt.ty).clone()),
            FnArg::Receiver(_) => None,
        })
        .collect()
}

/// `impl marker { fn __para_fn(..) }`: the kernel's own signature on its
/// marker type, forwarding to the fn. Calls in `#[pure]` bodies and in the
/// call macros go through it (`<score>::__para_fn(x)`), so a local fn or a
/// closure that shadows the kernel's value can never run in its place, and
/// every signature works: const generics, type parameters that only the
/// return type uses, `impl Trait` parameters, elided lifetimes (the same
/// elision applies). Generic arguments are passed on explicitly where
/// `impl Trait` parameters do not forbid it.
fn marker_call(f: &ItemFn) -> Option<TokenStream> {
    if matches!(f.sig.safety, syn::Safety::Unsafe(_)) {
        return None; // already an error; a call here would add another
    }
    let ident = &f.sig.ident;
    let params = param_types(f)?;
    let names: Vec<syn::Ident> = (0..params.len())
        .map(|i| format_ident!("__para_p{}", i, span = Span::mixed_site()))
        .collect();
    let g = &f.sig.generics;
    let where_clause = &g.where_clause;
    let constness = &f.sig.constness;
    let output = &f.sig.output;
    let vis = &f.vis;
    let any_impl = params.iter().any(|t| scan(t).impl_trait);
    let args: Vec<&syn::Ident> = g
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Type(t) => Some(&t.ident),
            GenericParam::Const(c) => Some(&c.ident),
            GenericParam::Lifetime(_) => None,
        })
        .collect();
    let turbofish = if args.is_empty() || any_impl {
        TokenStream::new()
    } else {
        quote!(::<#(#args),*>)
    };
    let into = into_call(f, &params, &names, &turbofish);
    Some(quote! {
        impl #ident {
            #[doc(hidden)]
            #[inline(always)]
            #[allow(clippy::too_many_arguments, dead_code)]
            #vis #constness fn __para_fn #g (#(#names: #params),*) #output #where_clause {
                #ident #turbofish (#(#names),*)
            }
            #into
        }
    })
}

/// `fn __para_into(.., out)`: the kernel in the one shape `pmap_into!`
/// calls, its output slot last. For a kernel with an `#[out]` parameter
/// (the one `&mut` parameter `check_signature` lets through) that is the
/// parameter moved to the end; for any other kernel a `&mut R` slot that
/// receives the result (not emitted when `R` borrows or is `impl Trait`,
/// since the slot's lifetime could not be tied to the parameters').
fn into_call(
    f: &ItemFn,
    params: &[Type],
    names: &[syn::Ident],
    turbofish: &TokenStream,
) -> TokenStream {
    let ident = &f.sig.ident;
    let g = &f.sig.generics;
    let where_clause = &g.where_clause;
    let vis = &f.vis;
    let out_at = params
        .iter()
        .position(|t| matches!(t, Type::Reference(r) if r.mutability.is_some()));
    let (ins, outs): (Vec<_>, Vec<_>) = (0..params.len()).partition(|&i| Some(i) != out_at);
    let in_names: Vec<&syn::Ident> = ins.iter().map(|&i| &names[i]).collect();
    let in_types: Vec<&Type> = ins.iter().map(|&i| &params[i]).collect();
    let attrs = quote! {
        #[doc(hidden)]
        #[inline(always)]
        #[allow(clippy::too_many_arguments, dead_code)]
    };
    if let Some(&o) = outs.first() {
        let (on, ot) = (&names[o], &params[o]);
        let output = &f.sig.output;
        return quote! {
            #attrs
            #vis fn __para_into #g (#(#in_names: #in_types,)* #on: #ot) #output #where_clause {
                #ident #turbofish (#(#names),*)
            }
        };
    }
    let ret: Type = match &f.sig.output {
        ReturnType::Default => syn::parse_quote!(()),
        ReturnType::Type(_, t) => {
            let s = scan(t);
            if s.lifetimes || s.impl_trait {
                return TokenStream::new();
            }
            (**t).clone()
        }
    };
    let slot = format_ident!("__para_slot", span = Span::mixed_site());
    quote! {
        #attrs
        #vis fn __para_into #g (#(#in_names: #in_types,)* #slot: &mut #ret) #where_clause {
            *#slot = #ident #turbofish (#(#names),*);
        }
    }
}

/// The owned form of a parameter type for `dispatch`: `Vec<T>` for `&[T]`,
/// `String` for `&str`, `T` for `&T`; `None` when the type borrows
/// anything else (it could not cross to a worker as `'static`).
fn owned(ty: &Type) -> Option<(Type, bool)> {
    match ty {
        Type::Reference(r) if r.mutability.is_none() => {
            let inner = &*r.elem;
            if scan(inner).lifetimes {
                return None;
            }
            match inner {
                Type::Slice(s) => {
                    let e = &s.elem;
                    Some((syn::parse_quote!(::std::vec::Vec<#e>), true))
                }
                Type::Path(p) if p.qself.is_none() && p.path.is_ident("str") => {
                    Some((syn::parse_quote!(::std::string::String), true))
                }
                other => Some((other.clone(), true)),
            }
        }
        Type::Paren(p) => owned(&p.elem),
        other if !scan(other).lifetimes && !scan(other).impl_trait => Some((other.clone(), false)),
        _ => None,
    }
}

fn signature_text(f: &ItemFn) -> String {
    let mut sig = f.sig.clone();
    sig.inputs.iter_mut().for_each(|a| {
        if let FnArg::Typed(pt) = a {
            pt.attrs.clear();
        }
    });
    tidy(&sig.into_token_stream().to_string())
}

/// Token text to how a person writes it: `fn score (row : & [f32])` ->
/// `fn score(row: &[f32])`.
fn tidy(s: &str) -> String {
    let mut out = s.to_string();
    for (from, to) in [
        (" (", "("),
        ("( ", "("),
        (" )", ")"),
        (" ,", ","),
        (" :: ", "::"),
        (":: ", "::"),
        (" : ", ": "),
        ("& ", "&"),
        (" [", "["),
        ("[ ", "["),
        (" ]", "]"),
        (" <", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ;", ";"),
        ("' ", "'"),
        ("&mut", "&mut "),
    ] {
        out = out.replace(from, to);
    }
    out.replace("->", " -> ")
        .replace("  ", " ")
        .replace("fn(", "fn (")
        .replace("fn (", "fn(")
}

enum Single<'a> {
    Slice(&'a Type),
    Str,
    Ref(&'a Type),
    Value(&'a Type),
}

/// The kind of a lone parameter, for the shared dispatch entry points.
fn single_kind(ty: &Type) -> Option<Single<'_>> {
    match ty {
        Type::Reference(r) if r.mutability.is_none() && !scan(&r.elem).lifetimes => {
            match &*r.elem {
                Type::Slice(s) => Some(Single::Slice(&s.elem)),
                Type::Path(p) if p.qself.is_none() && p.path.is_ident("str") => Some(Single::Str),
                other => Some(Single::Ref(other)),
            }
        }
        Type::Paren(p) => single_kind(&p.elem),
        other if !scan(other).lifetimes && !scan(other).impl_trait => Some(Single::Value(other)),
        _ => None,
    }
}

/// Registration in the kernel registry, for kernels `dispatch` can call:
/// non-generic, every parameter with an owned `'static` form.
fn registration(f: &ItemFn, name: &str) -> Option<TokenStream> {
    if !f.sig.generics.params.is_empty() {
        return None;
    }
    let params = param_types(f)?;
    let owned: Vec<(Type, bool)> = params.iter().map(owned).collect::<Option<_>>()?;
    let ret: Type = match &f.sig.output {
        ReturnType::Default => syn::parse_quote!(()),
        ReturnType::Type(_, t) => {
            let s = scan(t);
            if s.lifetimes || s.impl_trait {
                return None;
            }
            (**t).clone()
        }
    };
    let ident = &f.sig.ident;
    let span = ident.span();
    let types: Vec<&Type> = owned.iter().map(|(t, _)| t).collect();
    let args_ty = if types.len() == 1 {
        quote!(#(#types)*)
    } else {
        quote!((#(#types,)*))
    };
    let vars: Vec<syn::Ident> = (0..owned.len())
        .map(|i| format_ident!("__para_a{}", i, span = Span::mixed_site()))
        .collect();
    let pass = owned.iter().zip(&vars).map(|((_, by_ref), v)| {
        if *by_ref {
            quote!(::core::borrow::Borrow::borrow(&#v))
        } else {
            quote!(#v)
        }
    });
    let bind = if vars.len() == 1 {
        quote!(#(#vars)*)
    } else {
        quote!((#(#vars,)*))
    };
    let signature = signature_text(f);
    // The thunk calls the kernel through an opaque fn pointer: dispatch is
    // a cold, boxing path, and letting the optimiser inline every kernel's
    // body into its thunk doubled the release build time of kernel crates.
    let param_tys = params.iter();
    // One-parameter kernels share a generic entry point per parameter kind;
    // others get a small shim that borrows the owned arguments.
    let single = if params.len() == 1 {
        single_kind(&params[0])
    } else {
        None
    };
    let (ctor, shim) = match single {
        Some(Single::Slice(t)) => (quote!(__slice::<#t, #ret>), TokenStream::new()),
        Some(Single::Str) => (quote!(__str::<#ret>), TokenStream::new()),
        Some(Single::Ref(t)) => (quote!(__by_ref::<#t, #ret>), TokenStream::new()),
        Some(Single::Value(t)) => (quote!(__value::<#t, #ret>), TokenStream::new()),
        None => (
            quote!(__value::<#args_ty, #ret>),
            quote! {
                fn __para_call(#bind: #args_ty) -> #ret {
                    let __para_f: fn(#(#param_tys),*) -> #ret = ::core::hint::black_box(#ident);
                    __para_f(#(#pass),*)
                }
            },
        ),
    };
    let callee = if shim.is_empty() {
        quote!(#ident)
    } else {
        quote!(__para_call)
    };
    // The entry goes through the companion macro that
    // `#[linkme::distributed_slice]` generated for `KERNELS` (it adds the
    // per-platform `link_section` and `#[used]`), not through linkme's
    // element attribute: that attribute also emits a type-check fn with two
    // closures per element, which was a fifth of the build time of a crate
    // of 200 kernels. The element type here is `KernelInfo` by
    // construction, so the check had nothing to catch. This relies on the
    // companion macro's input form, hence the exact linkme version in the
    // workspace manifest; the registry tests fail if it breaks.
    Some(quote_spanned! {span=>
        #[doc(hidden)]
        #[allow(non_snake_case, clippy::all)]
        const _: () = {
            #shim
            ::para::__private::KERNELS! {
                #![linkme_macro = ::para::__private::KERNELS]
                static __PARA_KERNEL: ::para::__private::KernelInfo =
                    ::para::__private::KernelInfo::#ctor(#name, ::core::module_path!(), #signature, #callee);
            }
        };
    })
}
