//! The signature rules. What a token can show is checked here (no `unsafe
//! fn`, no methods, no `&mut` parameter but the one `#[out]` slot); what
//! only types can show is handed to rustc: every parameter's type must be
//! `para::PureData` (emitted as a statement at the top of the body,
//! spanned on the type), every type parameter and `impl Trait` parameter
//! gets the bound in the emitted signature.

use super::probes;
use crate::ctxt::Ctxt;
use proc_macro2::TokenStream;
use syn::visit_mut::VisitMut;
use syn::{FnArg, Signature, Type};

pub(crate) fn check_signature(cx: &mut Ctxt, sig: &Signature) {
    if let syn::Safety::Unsafe(tok) = &sig.safety {
        cx.error(
            tok,
            "#[pure] function: `unsafe fn` is not allowed; the compiler cannot check what unsafe code does",
        );
    }
    let mut outs = 0;
    for arg in &sig.inputs {
        match arg {
            FnArg::Receiver(r) => cx.error(
                r,
                "#[pure] applies to free functions only; move the method's body into a free #[pure] function",
            ),
            FnArg::Typed(pt) => {
                let out = pt.attrs.iter().find(|a| is_out(a));
                match (&*pt.ty, out) {
                    (Type::Reference(r), Some(_)) if r.mutability.is_some() => outs += 1,
                    (_, Some(attr)) => cx.error(
                        attr,
                        "#[pure] function: `#[out]` marks the kernel's output slot, a `&mut` parameter \
                         (`#[out] row: &mut [f32]`); this parameter is not one",
                    ),
                    (ty, None) => check_no_mut_ref(cx, ty),
                }
                for a in pt.attrs.iter().filter(|a| !is_out(a)) {
                    cx.error(a, "#[pure] function: parameter attributes other than `#[out]` are not supported");
                }
            }
        }
    }
    if outs > 1 {
        cx.error(
            &sig.inputs,
            "#[pure] function: a kernel has at most one `#[out]` parameter (its output slot)",
        );
    }
}

fn is_out(a: &syn::Attribute) -> bool {
    a.path().is_ident("out")
}

fn check_no_mut_ref(cx: &mut Ctxt, ty: &Type) {
    struct V<'a> {
        cx: &'a mut Ctxt,
    }
    impl<'ast> syn::visit::Visit<'ast> for V<'_> {
        fn visit_type_reference(&mut self, r: &'ast syn::TypeReference) {
            if let Some(m) = &r.mutability {
                self.cx.error(
                    {
                        let and = r.and_token;
                        quote::quote!(#and #m)
                    },
                    "#[pure] function: `&mut` parameters let a kernel change its caller's data; \
                     take the value (or a shared reference) and return the result instead, or mark \
                     the kernel's own output slot `#[out]` for `pmap_into!`",
                );
            }
            syn::visit::visit_type_reference(self, r);
        }
    }
    syn::visit::Visit::visit_type(&mut V { cx }, ty);
}

/// Bound the emitted signature: `T: ::para::PureData` on every type
/// parameter, `+ ::para::PureData` on every `impl Trait` parameter, and
/// `#[out]` markers removed (they are not attributes rustc knows). Returns
/// whether anything changed.
pub(crate) fn bound_signature(sig: &mut Signature) -> bool {
    let mut changed = false;
    for p in sig.generics.params.iter_mut() {
        if let syn::GenericParam::Type(t) = p {
            let span = t.ident.span();
            t.bounds
                .push(syn::parse_quote_spanned!(span=> ::para::PureData));
            changed = true;
        }
    }
    struct Impls(bool);
    impl VisitMut for Impls {
        fn visit_type_impl_trait_mut(&mut self, t: &mut syn::TypeImplTrait) {
            let span = syn::spanned::Spanned::span(&t.impl_token);
            t.bounds
                .push(syn::parse_quote_spanned!(span=> ::para::PureData));
            self.0 = true;
            syn::visit_mut::visit_type_impl_trait_mut(self, t);
        }
    }
    let mut impls = Impls(false);
    for arg in sig.inputs.iter_mut() {
        if let FnArg::Typed(pt) = arg {
            let before = pt.attrs.len();
            pt.attrs.retain(|a| !is_out(a));
            changed |= pt.attrs.len() != before;
            impls.visit_type_mut(&mut pt.ty);
        }
    }
    changed || impls.0
}

/// One `PureData` check per parameter whose type can be named in the body
/// (an `impl Trait` parameter is bounded in the signature instead; an
/// `#[out] &mut [U]` slot checks `[U]`; a `&mut` parameter has its own
/// error already). Call after [`bound_signature`].
pub(crate) fn type_checks(sig: &Signature) -> Vec<TokenStream> {
    let mut out = Vec::new();
    for arg in &sig.inputs {
        let FnArg::Typed(pt) = arg else { continue };
        if has_impl_trait(&pt.ty) {
            continue;
        }
        match &*pt.ty {
            Type::Reference(r) if r.mutability.is_some() => out.push(probes::param_type(&r.elem)),
            ty if has_mut_ref(ty) => {}
            ty => out.push(probes::param_type(ty)),
        }
    }
    out
}

fn has_impl_trait(ty: &Type) -> bool {
    struct V(bool);
    impl<'ast> syn::visit::Visit<'ast> for V {
        fn visit_type_impl_trait(&mut self, _: &'ast syn::TypeImplTrait) {
            self.0 = true;
        }
    }
    let mut v = V(false);
    syn::visit::Visit::visit_type(&mut v, ty);
    v.0
}

fn has_mut_ref(ty: &Type) -> bool {
    struct V(bool);
    impl<'ast> syn::visit::Visit<'ast> for V {
        fn visit_type_reference(&mut self, r: &'ast syn::TypeReference) {
            self.0 |= r.mutability.is_some();
            syn::visit::visit_type_reference(self, r);
        }
    }
    let mut v = V(false);
    syn::visit::Visit::visit_type(&mut v, ty);
    v.0
}
