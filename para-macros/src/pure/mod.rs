//! `#[pure]`: parse the attribute, check the signature and the body, then
//! expand into the function, its kernel marker and its registration.

mod attr;
mod check;
mod expand;
mod params;

pub(crate) use check::{generic_names, Checker};

use crate::ctxt::Ctxt;
use proc_macro2::TokenStream;
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
            return quote::quote!(#e #item);
        }
    };
    params::check_signature(&mut cx, &func.sig);
    let mut checked = func.clone();
    {
        let mut checker = Checker::new(&mut cx, generic_names(&func.sig.generics));
        for arg in &func.sig.inputs {
            if let syn::FnArg::Typed(pt) = arg {
                checker.bind_pat(&pt.pat);
            }
        }
        checker.visit_block_mut(&mut checked.block);
    }
    expand::expand(cx, &args, &func, checked)
}
