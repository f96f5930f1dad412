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
use quote::{quote, quote_spanned, ToTokens};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Token};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Map,
    Reduce,
    MapReduce,
    Into,
    Fold,
    TryMap,
    Scan,
    Filter,
    MapAsync,
    ReduceAsync,
    MapReduceAsync,
}

/// What a positional argument of a call macro is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Arg {
    /// A kernel called once per item (holes: the item).
    Item,
    /// A fold kernel (holes: the accumulator, then the item).
    Fold,
    /// A `pmap_into!` kernel (holes: the item; the output slot is passed
    /// after them).
    Into,
    /// A function of two values (`preduce!`'s and `pscan!`'s `f`, `pfold!`'s
    /// combine): a path or a closure, no holes.
    Values,
    /// Any expression (`init`).
    Init,
    /// The input.
    Input,
    /// `pmap_into!`'s output.
    Out,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Map => "pmap",
            Kind::Reduce => "preduce",
            Kind::MapReduce => "pmap_reduce",
            Kind::Into => "pmap_into",
            Kind::Fold => "pfold",
            Kind::TryMap => "try_pmap",
            Kind::Scan => "pscan",
            Kind::Filter => "pfilter",
            Kind::MapAsync => "pmap_async",
            Kind::ReduceAsync => "preduce_async",
            Kind::MapReduceAsync => "pmap_reduce_async",
        }
    }
    fn usage(self) -> &'static str {
        match self {
            Kind::Map | Kind::MapAsync | Kind::TryMap | Kind::Filter => {
                "(kernel, input, options...)"
            }
            Kind::Reduce | Kind::ReduceAsync | Kind::Scan => "(f, init, input, options...)",
            Kind::MapReduce | Kind::MapReduceAsync => "(kernel, f, init, input, options...)",
            Kind::Into => "(kernel, input, out, options...)",
            Kind::Fold => "(fold, combine, init, input, options...)",
        }
    }
    fn args(self) -> &'static [Arg] {
        use Arg::*;
        match self {
            Kind::Map | Kind::MapAsync | Kind::TryMap | Kind::Filter => &[Item, Input],
            Kind::Reduce | Kind::ReduceAsync | Kind::Scan => &[Values, Init, Input],
            Kind::MapReduce | Kind::MapReduceAsync => &[Item, Values, Init, Input],
            Kind::Into => &[Into, Input, Out],
            Kind::Fold => &[Fold, Values, Init, Input],
        }
    }
    fn is_async(self) -> bool {
        matches!(
            self,
            Kind::MapAsync | Kind::ReduceAsync | Kind::MapReduceAsync
        )
    }
    fn clusters(self) -> bool {
        matches!(self, Kind::Map | Kind::Reduce | Kind::MapReduce)
    }
}

#[derive(Default)]
struct Options {
    concurrency: Option<Expr>,
    chunk_size: Option<Expr>,
    pool: Option<Expr>,
    cluster: Option<Expr>,
}

/// A context argument of a call-shaped kernel: evaluated once, bound to
/// `name`, passed to every item (`by_ref`: an async call's `&x`, where `x`
/// moves into the future and each item gets `&x`).
struct Context {
    expr: Expr,
    name: syn::Ident,
    by_ref: bool,
}

/// Everything the expansion collects while it reads the kernels.
struct Build<'c> {
    cx: &'c mut Ctxt,
    /// Compile-time checks of closure kernels, in the caller's scope.
    checks: TokenStream,
    contexts: Vec<Context>,
    /// Items per input element: 1, or the arity of a zipped tuple input.
    arity: usize,
    is_async: bool,
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

fn none_or_some(e: &Option<Expr>) -> TokenStream {
    e.as_ref().map_or_else(
        || quote!(::core::option::Option::None),
        |e| quote!(::core::option::Option::Some(#e)),
    )
}

fn expand_inner(cx: &mut Ctxt, kind: Kind, input: TokenStream) -> syn::Result<TokenStream> {
    let args = Punctuated::<Expr, Token![,]>::parse_terminated.parse2(input.clone())?;
    let args: Vec<Expr> = args.into_iter().collect();
    let roles = kind.args();
    let n = roles.len();
    if args.len() < n || args[..n].iter().any(is_option) {
        let span = args.last().map_or_else(|| input.span(), Spanned::span);
        return Err(syn::Error::new(
            span,
            format!(
                "{name}! needs {n} positional arguments: {name}!{}",
                kind.usage(),
                name = kind.name()
            ),
        ));
    }
    let opts = parse_options(cx, &args[n..]);
    if let (Some(c), false) = (&opts.cluster, kind.clusters()) {
        cx.error(
            c,
            format!(
                "`cluster` is an option of `pmap!`, `preduce!` and `pmap_reduce!`, not of `{}!`",
                kind.name()
            ),
        );
    }
    let input_at = roles.iter().position(|r| *r == Arg::Input).expect("input");
    let input_expr = &args[input_at];
    let arity = zip_arity(input_expr);
    let mut b = Build {
        cx,
        checks: TokenStream::new(),
        contexts: Vec::new(),
        arity,
        is_async: kind.is_async(),
    };
    // The positional arguments, each as the expansion uses it.
    let mut parts: Vec<TokenStream> = Vec::with_capacity(n);
    let mut out_expr = None;
    for (role, arg) in roles.iter().zip(&args) {
        let t = match role {
            Arg::Item | Arg::Fold | Arg::Into => b.kernel(*role, arg)?,
            Arg::Values => values_kernel(&mut b, arg)?,
            Arg::Init => quote!(#arg),
            Arg::Input => TokenStream::new(),
            Arg::Out => {
                out_expr = Some(arg);
                TokenStream::new()
            }
        };
        parts.push(t);
    }
    if b.cx.has_errors() {
        return Ok(TokenStream::new());
    }
    let pool = none_or_some(&opts.pool);
    let (conc, chunk) = (
        none_or_some(&opts.concurrency),
        none_or_some(&opts.chunk_size),
    );
    let options = quote!(::para::__private::options(#conc, #chunk));
    let src = quote!(::para::__private::AsIs(__para_src));
    if let Some(cluster) = &opts.cluster {
        return Ok(wrap(
            &b,
            input_expr,
            None,
            cluster_body(kind, &args, &parts, cluster, &pool, &options),
        ));
    }
    let on = quote!(::para::__private::pool(#pool));
    let body = match kind {
        Kind::Map => {
            let f = item_fn(&parts[0]);
            quote!(#on.map_with(#options, #f, #src))
        }
        Kind::MapAsync => {
            let f = item_fn(&parts[0]);
            quote!(#on.map_async_with(#options, #f, #src))
        }
        Kind::TryMap => {
            let f = item_fn(&parts[0]);
            quote!(#on.try_map_with(#options, #f, #src))
        }
        Kind::Filter => {
            let f = item_fn(&parts[0]);
            quote!(#on.filter_with(#options, #f, #src))
        }
        Kind::Reduce | Kind::ReduceAsync | Kind::Scan => {
            let (f, init) = (&parts[0], &parts[1]);
            let method = match kind {
                Kind::Reduce => quote!(reduce_with),
                Kind::ReduceAsync => quote!(reduce_async_with),
                _ => quote!(scan_with),
            };
            quote!(#on.#method(#options, ::para::__private::value_fn(#f), #init, #src))
        }
        Kind::MapReduce | Kind::MapReduceAsync => {
            let (f, g, init) = (item_fn(&parts[0]), &parts[1], &parts[2]);
            let method = if kind == Kind::MapReduce {
                quote!(map_reduce_with)
            } else {
                quote!(map_reduce_async_with)
            };
            quote!(#on.#method(#options, #f, ::para::__private::value_fn(#g), #init, #src))
        }
        Kind::Into => {
            let f = &parts[0];
            quote!(#on.map_outputs_with(
                #options,
                ::para::__private::into_fn(&__para_src, &__para_out, #f),
                #src,
                ::para::__private::AsIsOut(__para_out),
            ))
        }
        Kind::Fold => {
            let (f, g, init) = (&parts[0], &parts[1], &parts[2]);
            quote!(#on.fold_with(
                #options,
                ::para::__private::fold_fn(&__para_src, #f),
                ::para::__private::value_fn(#g),
                #init,
                #src,
            ))
        }
    };
    Ok(wrap(&b, input_expr, out_expr, body))
}

fn item_fn(f: &TokenStream) -> TokenStream {
    quote!(::para::__private::item_fn(&__para_src, #f))
}

/// The body of a call with the `cluster = &c` option.
fn cluster_body(
    kind: Kind,
    args: &[Expr],
    parts: &[TokenStream],
    cluster: &Expr,
    pool: &TokenStream,
    options: &TokenStream,
) -> TokenStream {
    let span = cluster.span();
    let ids: Vec<TokenStream> = match kind {
        Kind::MapReduce => vec![kernel_id(&args[0]), kernel_id(&args[1])],
        _ => vec![kernel_id(&args[0])],
    };
    let id = quote!(&[#(#ids),*]);
    match kind {
        Kind::Map => {
            let call = &parts[0];
            quote_spanned! {span=>
                ::para::__private::cluster_map(
                    #cluster, #pool, #id, #options, &__para_src,
                    ::para::__private::local_item_fn(&__para_src, #call),
                )
            }
        }
        Kind::Reduce => {
            let (reduce, init) = (&parts[0], &parts[1]);
            quote_spanned! {span=>
                ::para::__private::cluster_reduce(
                    #cluster, #pool, #id, #options, &__para_src,
                    ::para::__private::value_fn(#reduce), #init,
                )
            }
        }
        _ => {
            let (call, reduce, init) = (&parts[0], &parts[1], &parts[2]);
            quote_spanned! {span=>
                ::para::__private::cluster_map_reduce(
                    #cluster, #pool, #id, #options, &__para_src,
                    ::para::__private::local_item_fn(&__para_src, #call),
                    ::para::__private::value_fn(#reduce), #init,
                )
            }
        }
    }
}

/// How many inputs a syntactic tuple of 2 to 4 elements zips (1 for
/// anything else).
fn zip_arity(input: &Expr) -> usize {
    match input {
        Expr::Tuple(t) if (2..=4).contains(&t.elems.len()) => t.elems.len(),
        _ => 1,
    }
}

/// The shell every expansion shares: the closure checks, then the context
/// arguments, the input (and `pmap_into!`'s output) bound in one `match`,
/// so that temporaries in them live for the whole call; each context value
/// checked `PureData + Sync` at its token; the input converted to a source.
fn wrap(b: &Build<'_>, input: &Expr, out: Option<&Expr>, body: TokenStream) -> TokenStream {
    let checks = &b.checks;
    let ctx_exprs = b.contexts.iter().map(|c| match (&c.expr, c.by_ref) {
        (Expr::Reference(r), true) => {
            let e = &r.expr;
            quote!(#e)
        }
        (e, _) => quote!(#e),
    });
    let ctx_names: Vec<&syn::Ident> = b.contexts.iter().map(|c| &c.name).collect();
    let ctx_checks = b.contexts.iter().map(|c| {
        let name = &c.name;
        let span = c.expr.span();
        quote_spanned! {span=> ::para::__private::assert_pure_ctx(&#name); }
    });
    let (out_expr, out_bind, out_conv) = match out {
        Some(o) => (
            quote!(#o,),
            quote!(__para_out_arg,),
            quote!(let __para_out = ::para::__private::outputs_of(__para_out_arg);),
        ),
        None => Default::default(),
    };
    quote! {{
        #checks
        #[allow(clippy::double_parens, unused_parens)]
        match (#(#ctx_exprs,)* #input, #out_expr) {
            (#(#ctx_names,)* __para_input, #out_bind) => {
                #(#ctx_checks)*
                #[allow(unused_imports)]
                use ::para::__private::{IterKind as _, SourceKind as _};
                let __para_src = (&::para::__private::tag_of(&__para_input)).para_conv().convert(__para_input);
                #out_conv
                #body
            }
        }
    }}
}

/// What identifies a kernel on every rank of a cluster call: a marker's
/// registry name and path as written, or a closure's source location.
fn kernel_id(k: &Expr) -> TokenStream {
    if let Expr::Call(c) = k {
        if matches!(&*c.func, Expr::Path(_)) {
            return kernel_id(&c.func);
        }
    }
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

impl Build<'_> {
    /// A kernel in one of the per-item roles, as the closure the pool calls:
    /// `|__para_item| ..` (Item), `|__para_acc, __para_item| ..` (Fold) or
    /// `|__para_item, __para_slot| ..` (Into).
    fn kernel(&mut self, role: Arg, k: &Expr) -> syn::Result<TokenStream> {
        let k_items = self.arity;
        let item_names: Vec<syn::Ident> = if k_items == 1 {
            vec![syn::Ident::new(
                "__para_item",
                proc_macro2::Span::call_site(),
            )]
        } else {
            (0..k_items)
                .map(|i| quote::format_ident!("__para_i{}", i))
                .collect()
        };
        let destructure = if k_items == 1 {
            TokenStream::new()
        } else {
            quote!(let (#(#item_names),*) = __para_item;)
        };
        let items_arg: Vec<TokenStream> = item_names
            .iter()
            .map(|i| quote!(::para::__private::arg(#i)))
            .collect();
        let lead: Vec<TokenStream> = if role == Arg::Fold {
            vec![quote!(__para_acc)]
        } else {
            Vec::new()
        };
        let entry = if role == Arg::Into {
            "__para_into"
        } else {
            "__para_fn"
        };
        let call = match k {
            Expr::Path(p) if p.qself.is_none() => {
                let f = crate::pure::kernel_entry(&p.path, entry);
                let args = lead.iter().chain(&items_arg);
                let slot = (role == Arg::Into).then(|| quote!(, __para_slot));
                let span = k.span();
                quote_spanned! {span=> #f(#(#args),* #slot) }
            }
            Expr::Call(c) if matches!(&*c.func, Expr::Path(p) if p.qself.is_none()) => {
                let Expr::Path(p) = &*c.func else {
                    unreachable!("matched above")
                };
                let holes = c
                    .args
                    .iter()
                    .filter(|a| matches!(a, Expr::Infer(_)))
                    .count();
                let want = lead.len() + k_items;
                if holes != want {
                    let what = match (role, k_items) {
                        (Arg::Fold, 1) => "an accumulator and an item: `f(.., _, _)`".to_string(),
                        (Arg::Fold, k) => format!("an accumulator and {k} zipped items"),
                        (_, 1) => "the item: `f(.., _)`".to_string(),
                        (_, k) => format!("the {k} items of the zipped input, in order"),
                    };
                    return Err(syn::Error::new_spanned(
                        &c.args,
                        format!(
                            "this kernel call has {holes} `_` hole{} but takes {want}: the holes receive {what}; the other arguments are context, evaluated once and shared by every item",
                            if holes == 1 { "" } else { "s" }
                        ),
                    ));
                }
                let mut fill = lead.iter().chain(&items_arg);
                let mut args = Vec::new();
                for a in &c.args {
                    if matches!(a, Expr::Infer(_)) {
                        args.push(fill.next().expect("counted").clone());
                    } else {
                        // Spanned on the user's expression, so that its
                        // check below reports there.
                        let name = quote::format_ident!(
                            "__para_ctx{}",
                            self.contexts.len(),
                            span = a.span()
                        );
                        let by_ref = self.is_async
                            && matches!(a, Expr::Reference(r) if r.mutability.is_none());
                        args.push(if by_ref {
                            quote!(&#name)
                        } else {
                            quote!(#name)
                        });
                        self.contexts.push(Context {
                            expr: a.clone(),
                            name,
                            by_ref,
                        });
                    }
                }
                if role == Arg::Into {
                    args.push(quote!(__para_slot));
                }
                let f = crate::pure::kernel_entry(&p.path, entry);
                let span = c.func.span();
                quote_spanned! {span=> #f(#(#args),*) }
            }
            Expr::Closure(c) => {
                self.check_captures(c);
                let c = &check_closure(self.cx, &mut self.checks, c);
                let p = c.inputs.len();
                let annotated: Vec<bool> = c
                    .inputs
                    .iter()
                    .map(|p| matches!(p, syn::Pat::Type(_)))
                    .collect();
                let pass = |i: usize, t: TokenStream| {
                    if annotated.get(i).copied().unwrap_or(false) {
                        quote!(::para::__private::arg(#t))
                    } else {
                        t
                    }
                };
                let whole = quote!(__para_item);
                let spread: Vec<TokenStream> = item_names.iter().map(|i| quote!(#i)).collect();
                let lead_n = lead.len();
                // The items as the closure takes them: the tuple whole (one
                // parameter) or spread over one parameter each.
                let (items, extra) = match role {
                    Arg::Item | Arg::Fold => {
                        if p == lead_n + 1 {
                            (vec![whole], 0)
                        } else if k_items > 1 && p == lead_n + k_items {
                            (spread, 0)
                        } else {
                            let want = match role {
                                Arg::Fold => "two parameters: `|acc, item| ...`",
                                _ => "one parameter: the item",
                            };
                            self.cx
                                .error(&c.inputs, format!("this kernel takes {want}"));
                            return Ok(TokenStream::new());
                        }
                    }
                    _ => {
                        if k_items > 1 && p == k_items {
                            (spread, 0)
                        } else if k_items > 1 && p == k_items + 1 {
                            (spread, 1)
                        } else if p == 1 {
                            (vec![whole], 0)
                        } else if p == 2 {
                            (vec![whole], 1)
                        } else {
                            self.cx.error(
                                &c.inputs,
                                "a `pmap_into!` closure takes the item and returns the output (`|x| ..`), or takes the item and its output slot (`|x, row: &mut [f32]| ..`)",
                            );
                            return Ok(TokenStream::new());
                        }
                    }
                };
                // The output slot of a `pmap_into!` closure is its one
                // `&mut`, like a kernel's `#[out]`: not a thing it reads.
                let checked = checked_closure_but(c, extra);
                let mut args: Vec<TokenStream> = lead.clone();
                for (i, t) in items.into_iter().enumerate() {
                    args.push(pass(lead_n + i, t));
                }
                if role == Arg::Into {
                    if extra == 1 {
                        args.push(quote!(__para_slot));
                        quote!((#checked)(#(#args),*))
                    } else {
                        quote!(*__para_slot = (#checked)(#(#args),*))
                    }
                } else {
                    quote!((#checked)(#(#args),*))
                }
            }
            other => return Err(not_a_kernel(other)),
        };
        let mv = if self.is_async {
            quote!(move)
        } else {
            TokenStream::new()
        };
        Ok(match role {
            Arg::Fold => quote!(#mv |__para_acc, __para_item| { #destructure #call }),
            Arg::Into => quote!(#mv |__para_item, __para_slot| { #destructure #call }),
            _ => quote!(#mv |__para_item| { #destructure #call }),
        })
    }

    /// A closure kernel that names a lowercase variable it does not bind is
    /// almost always capturing a local of the caller: say so, and point to
    /// context arguments (rustc's own check, "expected type, found local
    /// variable", stays the proof for every other name).
    fn check_captures(&mut self, c: &syn::ExprClosure) {
        let mut v = Captures::default();
        for p in &c.inputs {
            v.bind(p);
        }
        syn::visit::Visit::visit_expr(&mut v, &c.body);
        let mut seen = std::collections::HashSet::new();
        for id in v.used {
            let name = id.to_string();
            if v.bound.contains(&name) || !seen.insert(name.clone()) {
                continue;
            }
            self.cx.error(
                &id,
                format!(
                    "a kernel cannot capture `{name}` from the caller: kernels see only their parameters and context arguments. \
                     Pass it as a context argument: write the kernel as a `#[para::pure] fn` with a parameter for it and call it with a `_` hole for the item, \
                     e.g. `pmap!(kernel({name}, _), input)` (`&{name}` for data behind a reference); or use `Pool::map`, whose closures may capture. \
                     (A lowercase `static` is named by path: `self::{name}`.)"
                ),
            );
        }
    }
}

/// The names a closure body uses as single-segment lowercase values, and
/// every name bound anywhere in it (an over-approximation of its scopes:
/// a name bound anywhere is never reported).
#[derive(Default)]
struct Captures {
    used: Vec<syn::Ident>,
    bound: std::collections::HashSet<String>,
}

impl Captures {
    fn bind(&mut self, p: &syn::Pat) {
        let mut ids = Vec::new();
        binding_idents(p, &mut ids);
        self.bound.extend(ids.iter().map(ToString::to_string));
    }
}

impl<'ast> syn::visit::Visit<'ast> for Captures {
    fn visit_pat(&mut self, p: &'ast syn::Pat) {
        self.bind(p);
        syn::visit::visit_pat(self, p);
    }
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.bound.insert(f.sig.ident.to_string());
    }
    fn visit_item(&mut self, i: &'ast syn::Item) {
        if let syn::Item::Fn(f) = i {
            self.bound.insert(f.sig.ident.to_string());
        }
        // Items inside the body are checked by the checker; their bodies
        // cannot see the closure's locals anyway.
    }
    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        // A callee path is a kernel call (checked as one), not a capture.
        if !matches!(&*c.func, Expr::Path(_)) {
            self.visit_expr(&c.func);
        }
        for a in &c.args {
            self.visit_expr(a);
        }
    }
    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        if p.qself.is_none() {
            if let Some(id) = p.path.get_ident() {
                let s = id.to_string();
                if s.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
                    && s != "self"
                    && !s.starts_with("__para")
                {
                    self.used.push(id.clone());
                }
            }
        }
    }
    fn visit_macro(&mut self, _: &'ast syn::Macro) {}
}

/// `preduce!`'s / `pscan!`'s `f` and `pfold!`'s combine: a path to a
/// `#[pure]` fn (its marker entry takes `(a, b)`) or a two-parameter
/// closure.
fn values_kernel(b: &mut Build<'_>, k: &Expr) -> syn::Result<TokenStream> {
    match k {
        Expr::Path(p) if p.qself.is_none() => {
            Ok(crate::pure::kernel_path(&p.path).into_token_stream())
        }
        Expr::Closure(c) => {
            b.check_captures(c);
            let c = &check_closure(b.cx, &mut b.checks, c);
            if c.inputs.len() != 2 {
                b.cx.error(
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
    checked_closure_but(c, 0)
}

/// [`checked_closure`], the last `skip_last` parameters unchecked.
fn checked_closure_but(c: &syn::ExprClosure, skip_last: usize) -> TokenStream {
    let mut idents = Vec::new();
    let keep = c.inputs.len().saturating_sub(skip_last);
    for p in c.inputs.iter().take(keep) {
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
        "the kernel must be a path to a #[para::pure] function, a call of one with `_` holes for the item (`kernel(&context, _)`), or a closure literal that captures nothing",
    )
}
