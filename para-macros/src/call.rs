//! `pmap!`, `preduce!`, `pmap_reduce!`: parse the kernel(s), the
//! positional arguments and the options, check closure kernels like a
//! `#[pure]` body, and expand into the runtime's pool.
//!
//! Input:  `pmap!(score, rows, chunk_size = 64)`
//! Output (shape):
//! ```text
//! match rows { input => {
//!     let src = <input as a Source; other IntoIterators collected>;
//!     pool(None).map_with(options(None, Some(64)),
//!         item_fn(&src, |item| <score>::__para_fn(arg(item))), AsIs(src))
//! } }
//! ```
//! The kernel is called through its marker type (`<score>::__para_fn`), so
//! a local fn or closure that shadows `score` can never take its place.

use crate::ctxt::Ctxt;
use crate::pure::{binding_probe, generic_names, Checker};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Token};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Map,
    Reduce,
    MapReduce,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Map => "pmap",
            Kind::Reduce => "preduce",
            Kind::MapReduce => "pmap_reduce",
        }
    }
    fn usage(self) -> &'static str {
        match self {
            Kind::Map => "pmap!(kernel, input, options...)",
            Kind::Reduce => "preduce!(f, init, input, options...)",
            Kind::MapReduce => "pmap_reduce!(kernel, f, init, input, options...)",
        }
    }
    fn positional(self) -> usize {
        match self {
            Kind::Map => 2,
            Kind::Reduce => 3,
            Kind::MapReduce => 4,
        }
    }
}

#[derive(Default)]
struct Options {
    concurrency: Option<Expr>,
    chunk_size: Option<Expr>,
    pool: Option<Expr>,
    cluster: Option<Expr>,
}

pub(crate) fn expand(kind: Kind, input: TokenStream) -> TokenStream {
    let mut cx = Ctxt::default();
    match expand_inner(&mut cx, kind, input) {
        Ok(t) if !cx.has_errors() => t,
        Ok(_) => cx.into_compile_errors(),
        Err(e) => {
            cx.push(e);
            cx.into_compile_errors()
        }
    }
}

fn expand_inner(cx: &mut Ctxt, kind: Kind, input: TokenStream) -> syn::Result<TokenStream> {
    let args = Punctuated::<Expr, Token![,]>::parse_terminated.parse2(input.clone())?;
    let args: Vec<Expr> = args.into_iter().collect();
    let n = kind.positional();
    if args.len() < n || args[..n].iter().any(is_option) {
        let span = args.last().map_or_else(|| input.span(), Spanned::span);
        return Err(syn::Error::new(
            span,
            format!(
                "{}! needs {n} positional arguments: {}",
                kind.name(),
                kind.usage()
            ),
        ));
    }
    let opts = parse_options(cx, &args[n..]);
    let mut checks = TokenStream::new();
    let (call, reduce, init, input_expr) = match kind {
        Kind::Map => (
            Some(map_kernel(cx, &mut checks, &args[0])?),
            None,
            None,
            &args[1],
        ),
        Kind::Reduce => (
            None,
            Some(reduce_kernel(cx, &mut checks, &args[0])?),
            Some(&args[1]),
            &args[2],
        ),
        Kind::MapReduce => (
            Some(map_kernel(cx, &mut checks, &args[0])?),
            Some(reduce_kernel(cx, &mut checks, &args[1])?),
            Some(&args[2]),
            &args[3],
        ),
    };
    if cx.has_errors() {
        return Ok(TokenStream::new());
    }
    let pool = opts.pool.as_ref().map_or_else(
        || quote!(::core::option::Option::None),
        |p| quote!(::core::option::Option::Some(#p)),
    );
    let some = |e: &Option<Expr>| {
        e.as_ref().map_or_else(
            || quote!(::core::option::Option::None),
            |e| quote!(::core::option::Option::Some(#e)),
        )
    };
    let (conc, chunk) = (some(&opts.concurrency), some(&opts.chunk_size));
    let options = quote!(::para::__private::options(#conc, #chunk));
    let ids: Vec<TokenStream> = match kind {
        Kind::Map => vec![kernel_id(&args[0])],
        Kind::Reduce => vec![kernel_id(&args[0])],
        Kind::MapReduce => vec![kernel_id(&args[0]), kernel_id(&args[1])],
    };
    if let Some(cluster) = &opts.cluster {
        let span = cluster.span();
        let id = quote!(&[#(#ids),*]);
        let body = match kind {
            Kind::Map => quote_spanned! {span=>
                ::para::__private::cluster_map(
                    #cluster, #pool, #id, #options, &__para_src,
                    ::para::__private::local_item_fn(&__para_src, #call),
                )
            },
            Kind::Reduce => quote_spanned! {span=>
                ::para::__private::cluster_reduce(
                    #cluster, #pool, #id, #options, &__para_src,
                    ::para::__private::value_fn(#reduce), #init,
                )
            },
            Kind::MapReduce => quote_spanned! {span=>
                ::para::__private::cluster_map_reduce(
                    #cluster, #pool, #id, #options, &__para_src,
                    ::para::__private::local_item_fn(&__para_src, #call),
                    ::para::__private::value_fn(#reduce), #init,
                )
            },
        };
        return Ok(wrap(checks, input_expr, body));
    }
    let body = match kind {
        Kind::Map => quote! {
            ::para::__private::pool(#pool).map_with(
                #options,
                ::para::__private::item_fn(&__para_src, #call),
                ::para::__private::AsIs(__para_src),
            )
        },
        Kind::Reduce => quote! {
            ::para::__private::pool(#pool).reduce_with(
                #options,
                ::para::__private::value_fn(#reduce),
                #init,
                ::para::__private::AsIs(__para_src),
            )
        },
        Kind::MapReduce => quote! {
            ::para::__private::pool(#pool).map_reduce_with(
                #options,
                ::para::__private::item_fn(&__para_src, #call),
                ::para::__private::value_fn(#reduce),
                #init,
                ::para::__private::AsIs(__para_src),
            )
        },
    };
    Ok(wrap(checks, input_expr, body))
}

/// The shell every expansion shares: the closure checks, then the input
/// converted to a source inside a `match`, so that temporaries in the input
/// expression live for the whole call.
fn wrap(checks: TokenStream, input: &Expr, body: TokenStream) -> TokenStream {
    quote! {{
        #checks
        match #input {
            __para_input => {
                #[allow(unused_imports)]
                use ::para::__private::{IterKind as _, SourceKind as _};
                let __para_src = (&::para::__private::tag_of(&__para_input)).para_conv().convert(__para_input);
                #body
            }
        }
    }}
}

/// What identifies a kernel on every rank of a cluster call: a marker's
/// registry name and path as written, or a closure's source location.
fn kernel_id(k: &Expr) -> TokenStream {
    match k {
        Expr::Path(p) if p.qself.is_none() => {
            let path = marker_path(&p.path);
            let text = quote!(#path).to_string();
            quote!(::para::__private::kernel_id(&[<#path as ::para::__private::Kernel>::NAME, #text]).as_str())
        }
        _ => quote!(::core::concat!(
            "closure@",
            ::core::file!(),
            ":",
            ::core::line!(),
            ":",
            ::core::column!()
        )),
    }
}

fn is_option(e: &Expr) -> bool {
    matches!(e, Expr::Assign(a) if matches!(&*a.left, Expr::Path(p) if p.path.get_ident().is_some()))
}

fn parse_options(cx: &mut Ctxt, rest: &[Expr]) -> Options {
    let mut o = Options::default();
    for e in rest {
        let Expr::Assign(a) = e else {
            cx.error(
                e,
                "expected an option `concurrency = N`, `chunk_size = N` or `pool = &pool`",
            );
            continue;
        };
        let key = match &*a.left {
            Expr::Path(p) if p.path.get_ident().is_some() => {
                p.path.get_ident().cloned().expect("checked")
            }
            other => {
                cx.error(
                    other,
                    "expected an option name: `concurrency`, `chunk_size` or `pool`",
                );
                continue;
            }
        };
        let value = (*a.right).clone();
        let slot = match key.to_string().as_str() {
            "concurrency" | "chunk_size" => {
                if let Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Int(i),
                    ..
                }) = &value
                {
                    if i.base10_parse::<u128>().ok() == Some(0) {
                        cx.error(i, format!("`{key}` must be at least 1 (got 0)"));
                    }
                }
                if key == "concurrency" {
                    &mut o.concurrency
                } else {
                    &mut o.chunk_size
                }
            }
            "pool" => &mut o.pool,
            "cluster" => &mut o.cluster,
            _ => {
                cx.error(
                    &key,
                    format!(
                        "unknown option `{key}`; expected `concurrency`, `chunk_size` or `pool`"
                    ),
                );
                continue;
            }
        };
        if slot.is_some() {
            cx.error(&key, format!("option `{key}` is given twice"));
            continue;
        }
        *slot = Some(value);
    }
    o
}

/// Check a closure kernel like a `#[pure]` body; its compile-time checks
/// go into `checks`, in the caller's scope (a captured local fails them:
/// "expected type, found local variable").
fn check_closure(
    cx: &mut Ctxt,
    checks: &mut TokenStream,
    c: &syn::ExprClosure,
) -> syn::ExprClosure {
    let mut checker = Checker::new(cx, generic_names(&syn::Generics::default()));
    checker.statement_checks = true;
    for p in &c.inputs {
        checker.bind_pat(p);
    }
    // Checked in place, with no checks spliced into its blocks: every check
    // lands in the caller's scope, where a captured local is visible and
    // fails its check with "expected type, found local variable"; kernel
    // calls are rewritten to go through their markers.
    let mut c = c.clone();
    checker.visit_in_place(&mut c.body);
    let loose = std::mem::take(&mut checker.loose);
    checks.extend(loose);
    c
}

fn map_kernel(cx: &mut Ctxt, checks: &mut TokenStream, k: &Expr) -> syn::Result<TokenStream> {
    match k {
        Expr::Path(p) if p.qself.is_none() => {
            let call = crate::pure::kernel_path(&p.path);
            let span = k.span();
            Ok(quote_spanned! {span=>
                |__para_item| #call(::para::__private::arg(__para_item))
            })
        }
        Expr::Closure(c) => {
            let c = &check_closure(cx, checks, c);
            let annotated = c.inputs.iter().all(|p| matches!(p, syn::Pat::Type(_)));
            if c.inputs.len() != 1 {
                cx.error(&c.inputs, "a map kernel takes one parameter: the item");
            }
            let checked = checked_closure(c);
            Ok(if annotated {
                quote!(|__para_item| (#checked)(::para::__private::arg(__para_item)))
            } else {
                quote!(|__para_item| (#checked)(__para_item))
            })
        }
        other => Err(not_a_kernel(other)),
    }
}

fn reduce_kernel(cx: &mut Ctxt, checks: &mut TokenStream, k: &Expr) -> syn::Result<TokenStream> {
    match k {
        Expr::Path(p) if p.qself.is_none() => {
            // The marker's fn itself: it takes `(a, b)` as `f` does.
            let call = crate::pure::kernel_path(&p.path);
            Ok(quote!(#call))
        }
        Expr::Closure(c) => {
            let c = &check_closure(cx, checks, c);
            if c.inputs.len() != 2 {
                cx.error(
                    &c.inputs,
                    "a reduce function takes two parameters: `|a, b| ...`",
                );
            }
            Ok(checked_closure(c))
        }
        other => Err(not_a_kernel(other)),
    }
}

/// The closure with a `PureData` check of each parameter binding as the
/// first statement of its body, where rustc knows the parameter's type,
/// annotated or inferred (`|x: &Vec<Cell<u32>>|` fails there, on `x`).
/// Its other checks are emitted beside the call.
fn checked_closure(c: &syn::ExprClosure) -> TokenStream {
    let mut idents = Vec::new();
    for p in &c.inputs {
        binding_idents(p, &mut idents);
    }
    if idents.is_empty() {
        return quote!(#c);
    }
    let checks = idents.iter().map(binding_probe);
    let body = &c.body;
    let mut checked = c.clone();
    *checked.body = syn::parse_quote!({ #(#checks)* #body });
    quote!(#checked)
}

/// The identifiers a closure parameter's pattern binds.
fn binding_idents(p: &syn::Pat, out: &mut Vec<syn::Ident>) {
    match p {
        syn::Pat::Ident(i) => {
            if i.ident != "_" {
                out.push(i.ident.clone());
            }
            if let Some((_, sub)) = &i.subpat {
                binding_idents(sub, out);
            }
        }
        syn::Pat::Type(t) => binding_idents(&t.pat, out),
        syn::Pat::Reference(r) => binding_idents(&r.pat, out),
        syn::Pat::Paren(p) => binding_idents(&p.pat, out),
        syn::Pat::Tuple(t) => t.elems.iter().for_each(|e| binding_idents(e, out)),
        syn::Pat::TupleStruct(t) => t.elems.iter().for_each(|e| binding_idents(e, out)),
        syn::Pat::Struct(s) => s.fields.iter().for_each(|f| binding_idents(&f.pat, out)),
        syn::Pat::Slice(s) => s.elems.iter().for_each(|e| binding_idents(e, out)),
        _ => {}
    }
}

fn marker_path(p: &syn::Path) -> syn::Path {
    let mut p = p.clone();
    for seg in p.segments.iter_mut() {
        seg.arguments = syn::PathArguments::None;
    }
    p
}

fn not_a_kernel(e: &Expr) -> syn::Error {
    syn::Error::new_spanned(
        e,
        "the kernel must be a path to a #[para::pure] function or a closure literal that captures nothing",
    )
}
