//! Collects every violation, so a kernel with three impure lines gets three
//! errors (the habit of serde_derive's `Ctxt`). Dropping a `Ctxt` that
//! still holds errors is a bug in the macro (the errors would be lost, and
//! the user's bad code accepted): it panics, as serde_derive's does.

use std::fmt::Display;

#[derive(Default)]
pub(crate) struct Ctxt {
    errors: Vec<syn::Error>,
}

impl Ctxt {
    pub(crate) fn error(&mut self, tokens: impl quote::ToTokens, msg: impl Display) {
        self.errors.push(syn::Error::new_spanned(tokens, msg));
    }

    pub(crate) fn error_at(&mut self, span: proc_macro2::Span, msg: impl Display) {
        self.errors.push(syn::Error::new(span, msg));
    }

    pub(crate) fn push(&mut self, e: syn::Error) {
        self.errors.push(e);
    }

    pub(crate) fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// All errors as `compile_error!` invocations.
    pub(crate) fn into_compile_errors(mut self) -> proc_macro2::TokenStream {
        std::mem::take(&mut self.errors)
            .into_iter()
            .map(|e| e.into_compile_error())
            .collect()
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        if !self.errors.is_empty() && !std::thread::panicking() {
            panic!(
                "para-macros: {} error(s) collected but never reported",
                self.errors.len()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reported_errors_are_taken() {
        let mut cx = Ctxt::default();
        cx.error_at(proc_macro2::Span::call_site(), "one");
        cx.error_at(proc_macro2::Span::call_site(), "two");
        let out = cx.into_compile_errors().to_string();
        assert_eq!(out.matches("compile_error").count(), 2);
    }

    #[test]
    #[should_panic(expected = "1 error(s) collected but never reported")]
    fn dropping_unreported_errors_panics() {
        let mut cx = Ctxt::default();
        cx.error_at(proc_macro2::Span::call_site(), "lost");
    }
}
