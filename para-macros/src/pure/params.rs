//! The signature rules: no `unsafe fn`, no methods, no `&mut` parameters,
//! no parameters of interior-mutable types or raw pointers.

use crate::ctxt::Ctxt;
use crate::symbols::{is_atomic, INTERIOR_MUTABLE_TYPES};
use syn::visit::Visit;
use syn::{FnArg, Signature, Type};

pub(crate) fn check_signature(cx: &mut Ctxt, sig: &Signature) {
    if let syn::Safety::Unsafe(tok) = &sig.safety {
        cx.error(
            tok,
            "#[pure] function: `unsafe fn` is not allowed; the compiler cannot check what unsafe code does",
        );
    }
    for arg in &sig.inputs {
        match arg {
            FnArg::Receiver(r) => cx.error(
                r,
                "#[pure] applies to free functions only; move the method's body into a free #[pure] function",
            ),
            FnArg::Typed(pt) => check_param_type(cx, &pt.ty),
        }
    }
}

fn check_param_type(cx: &mut Ctxt, ty: &Type) {
    struct V<'a> {
        cx: &'a mut Ctxt,
    }
    impl<'ast> Visit<'ast> for V<'_> {
        fn visit_type_reference(&mut self, r: &'ast syn::TypeReference) {
            if let Some(m) = &r.mutability {
                self.cx.error(
                    {
                        let and = r.and_token;
                        quote::quote!(#and #m)
                    },
                    "#[pure] function: `&mut` parameters let a kernel change its caller's data; \
                     take the value (or a shared reference) and return the result instead",
                );
            }
            syn::visit::visit_type_reference(self, r);
        }
        fn visit_type_ptr(&mut self, p: &'ast syn::TypePtr) {
            self.cx.error(
                p,
                "#[pure] function: raw pointer parameters are not allowed; pass a reference or a value",
            );
        }
        fn visit_path_segment(&mut self, seg: &'ast syn::PathSegment) {
            let name = seg.ident.to_string();
            if INTERIOR_MUTABLE_TYPES.contains(&name.as_str()) || is_atomic(&name) {
                self.cx.error(
                    &seg.ident,
                    format!(
                        "#[pure] function: a parameter of type `{name}` has interior mutability \
                         (hidden shared state the kernel could change); pass plain values instead"
                    ),
                );
            }
            syn::visit::visit_path_segment(self, seg);
        }
    }
    V { cx }.visit_type(ty);
}
