//! `#[pure]`: parse the attribute, check the signature and the body, then
//! expand into the function, its kernel marker and its registration.

mod attr;
mod check;
mod expand;
mod macros;
mod params;
mod probes;
mod rules;
mod scope;

pub(crate) use check::Checker;
pub(crate) use probes::{binding as binding_probe, kernel_entry, kernel_path};

use crate::ctxt::Ctxt;
use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::ToTokens;
use syn::visit_mut::VisitMut;

pub(crate) fn pure(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut cx = Ctxt::default();
    let args: attr::PureArgs = match syn::parse2(args) {
        Ok(a) => a,
        Err(e) => {
            cx.push(e);
            attr::PureArgs::default()
        }
    };
    let func: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            // On error, still emit the item so callers get no secondary
            // "cannot find function" noise.
            let e = syn::Error::new_spanned(
                &item,
                "#[pure] applies to free functions (`fn name(...) -> T { ... }`)",
            )
            .into_compile_error();
            let earlier = cx.into_compile_errors();
            return quote::quote!(#earlier #e #item);
        }
    };
    params::check_signature(&mut cx, &func.sig);
    // The signature as emitted: every type parameter and `impl Trait`
    // parameter bounded by `PureData`, `#[out]` markers removed.
    let mut checked = func;
    let signature_changed = params::bound_signature(&mut checked.sig);
    let (mut top, nested_splices, rewrites) = {
        let mut checker = Checker::new(&mut cx, generic_names(&checked.sig.generics));
        checker.keep_top = true;
        for arg in &checked.sig.inputs {
            if let syn::FnArg::Typed(pt) = arg {
                checker.bind_pat(&pt.pat);
            }
        }
        checker.visit_block_mut(&mut checked.block);
        (checker.top, checker.nested_splices, checker.rewrites)
    };
    // Every parameter's type must be `PureData` (rustc resolves aliases,
    // imports and generics); first, so its errors come first.
    let mut param_checks = params::type_checks(&checked.sig);
    param_checks.append(&mut top);
    let top = param_checks;
    // The function as emitted: on error, the user's tokens unchanged (so
    // callers get no secondary errors); else the user's tokens with the
    // checks in front of the body where that is the only change, else the
    // checked syntax tree printed back.
    let func = if cx.has_errors() {
        // The user's tokens, less the `#[out]` markers rustc does not know
        // (they would add a second error to the first).
        strip_out(item)
    } else {
        let spliced = if nested_splices == 0 && rewrites == 0 && !signature_changed {
            splice_front(&item, &top)
        } else {
            None
        };
        spliced.unwrap_or_else(|| {
            let mut f = checked.clone();
            let mut stmts: Vec<syn::Stmt> = top
                .iter()
                .map(|c| syn::Stmt::Item(syn::Item::Verbatim(c.clone())))
                .collect();
            stmts.append(&mut f.block.stmts);
            f.block.stmts = stmts;
            f.into_token_stream()
        })
    };
    expand::expand(cx, &args, &checked, func)
}

/// `item` with every `#[out]` parameter attribute removed (unchanged
/// tokens when it has none).
fn strip_out(item: TokenStream) -> TokenStream {
    match syn::parse2::<syn::ItemFn>(item.clone()) {
        Ok(f)
            if !f.sig.inputs.iter().any(
                |a| matches!(a, syn::FnArg::Typed(pt) if pt.attrs.iter().any(|x| x.path().is_ident("out"))),
            ) =>
        {
            item
        }
        Ok(mut f) => {
            for arg in f.sig.inputs.iter_mut() {
                if let syn::FnArg::Typed(pt) = arg {
                    pt.attrs.retain(|a| !a.path().is_ident("out"));
                }
            }
            f.into_token_stream()
        }
        Err(_) => item,
    }
}

/// The generic parameter names of a signature (types and consts).
pub(crate) fn generic_names(g: &syn::Generics) -> std::collections::HashSet<String> {
    g.params
        .iter()
        .filter_map(|p| match p {
            syn::GenericParam::Type(t) => Some(t.ident.to_string()),
            syn::GenericParam::Const(c) => Some(c.ident.to_string()),
            syn::GenericParam::Lifetime(_) => None,
        })
        .collect()
}

/// `item` (a fn whose last token tree is its body) with `checks` put at
/// the start of the body; `None` where the body starts with an inner
/// attribute, which must stay first.
fn splice_front(item: &TokenStream, checks: &[TokenStream]) -> Option<TokenStream> {
    if checks.is_empty() {
        return Some(item.clone());
    }
    let mut trees: Vec<TokenTree> = item.clone().into_iter().collect();
    let Some(TokenTree::Group(body)) = trees.pop() else {
        return None;
    };
    if body.delimiter() != Delimiter::Brace {
        return None;
    }
    let inner = body.stream();
    let mut first = inner.clone().into_iter();
    if let (Some(TokenTree::Punct(p)), Some(TokenTree::Punct(q))) = (first.next(), first.next()) {
        if p.as_char() == '#' && q.as_char() == '!' {
            return None;
        }
    }
    let mut stream: TokenStream = checks.iter().cloned().collect();
    stream.extend(inner);
    let mut group = Group::new(Delimiter::Brace, stream);
    group.set_span(body.span());
    trees.push(TokenTree::Group(group));
    Some(trees.into_iter().collect())
}
