//! Macros in a kernel's body: I/O macros are rejected, the pure std macros
//! and para's own call macros have their arguments parsed and checked like
//! the rest of the body, and anything else is refused (a macro's output
//! cannot be seen).

use super::check::Checker;
use crate::symbols::*;
use syn::punctuated::Punctuated;
use syn::{Expr, Macro, Pat, Path, Token};

impl Checker<'_> {
    pub(super) fn check_macro(&mut self, mac: &Macro) {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if let Some((_, why)) = IO_MACROS.iter().find(|(m, _)| *m == name) {
            return self.cx.error(
                &mac.path,
                format!("#[pure] function: `{name}!` performs I/O (it {why}); a kernel may only compute and return values"),
            );
        }
        if name == "thread_local" {
            return self.cx.error(
                &mac.path,
                "#[pure] function: `thread_local!` declares hidden per-thread state; pass state in as a parameter",
            );
        }
        if name == "matches" {
            return self.check_matches(mac);
        }
        if let Some((_, kernels)) = PARA_MACROS.iter().find(|(m, _)| *m == name) {
            return self.check_para_macro(mac, *kernels);
        }
        let is_write = name == "write" || name == "writeln";
        if !is_write && !PURE_EXPR_MACROS.contains(&name.as_str()) {
            return self.cx.error(
                &mac.path,
                format!(
                    "#[pure] function: cannot see inside the macro `{name}!`; a kernel may use the pure std macros \
                     (vec!, format!, assert!, assert_eq!, panic!, matches!, unreachable!, ...) and para's pmap!, \
                     preduce!, pmap_reduce!; move this code into a #[pure] function"
                ),
            );
        }
        if name == "vec" {
            if let Ok((elem, len)) = mac.parse_body_with(parse_vec_repeat) {
                self.visit_copy(elem);
                self.visit_copy(len);
                return;
            }
        }
        let args = match mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
            Ok(a) => a,
            Err(_)
                if [
                    "concat",
                    "stringify",
                    "cfg",
                    "env",
                    "option_env",
                    "include_str",
                    "include_bytes",
                    "line",
                    "column",
                    "file",
                    "module_path",
                ]
                .contains(&name.as_str()) =>
            {
                return
            }
            Err(e) => return self.cx.push(e),
        };
        let args: Vec<Expr> = args.into_iter().collect();
        if is_write {
            match args.first() {
                Some(dest) if self.is_local_place(dest) => {}
                Some(dest) => {
                    return self.cx.error(
                        dest,
                        format!("#[pure] function: `{name}!` may only write to a local String; this destination may be I/O or shared state"),
                    )
                }
                None => return,
            }
        }
        // Named arguments (`format!("{n}", n = x)`): `n` is the macro's
        // own name, not a variable; only `x` is read.
        let named: Vec<String> = args
            .iter()
            .filter_map(|a| match a {
                Expr::Assign(asg) => match &*asg.left {
                    Expr::Path(p) => p.path.get_ident().map(ToString::to_string),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        if let Some((_, skip)) = FORMAT_MACROS.iter().find(|(m, _)| *m == name) {
            if let Some(Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            })) = args.get(*skip)
            {
                self.check_inline_format_args(s, &named);
            }
        }
        for a in args {
            match a {
                Expr::Assign(asg) if !named.is_empty() => self.visit_copy(*asg.right),
                other => self.visit_copy(other),
            }
        }
    }

    fn is_local_place(&self, e: &Expr) -> bool {
        match e {
            Expr::Path(p) => {
                p.qself.is_none()
                    && p.path.segments.len() == 1
                    && self.scopes.is_local(&p.path.segments[0].ident.to_string())
            }
            Expr::Reference(r) => self.is_local_place(&r.expr),
            Expr::Paren(p) => self.is_local_place(&p.expr),
            // `write!(acc.text, ..)`: a field of a local.
            Expr::Field(f) => self.is_local_place(&f.base),
            _ => false,
        }
    }

    fn check_inline_format_args(&mut self, s: &syn::LitStr, named: &[String]) {
        for name in inline_format_names(&s.value()) {
            if named.contains(&name) {
                continue;
            }
            let ident = syn::Ident::new(&name, s.span());
            let path: Path = ident.into();
            let _ = self.check_path(&path, false, false);
        }
    }

    fn check_matches(&mut self, mac: &Macro) {
        let parsed = mac.parse_body_with(|input: syn::parse::ParseStream<'_>| {
            let e: Expr = input.parse()?;
            input.parse::<Token![,]>()?;
            let pat = Pat::parse_multi_with_leading_vert(input)?;
            let guard = if input.peek(Token![if]) {
                input.parse::<Token![if]>()?;
                Some(input.parse::<Expr>()?)
            } else {
                None
            };
            let _ = input.parse::<Option<Token![,]>>()?;
            Ok((e, pat, guard))
        });
        match parsed {
            Ok((e, pat, guard)) => {
                self.visit_copy(e);
                self.scopes.push();
                self.bind_pat(&pat);
                if let Some(g) = guard {
                    self.visit_copy(g);
                }
                self.scopes.pop();
            }
            Err(e) => self.cx.push(e),
        }
    }

    /// `pmap!(k, input, opt = v)`: the kernels are checked by that macro's
    /// own expansion; the other arguments are checked here.
    fn check_para_macro(&mut self, mac: &Macro, kernels: usize) {
        if let Ok(args) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
            for (i, a) in args.into_iter().enumerate() {
                if i < kernels {
                    continue;
                }
                match a {
                    Expr::Assign(asg) => self.visit_copy(*asg.right),
                    other => self.visit_copy(other),
                }
            }
        }
    }
}

fn parse_vec_repeat(input: syn::parse::ParseStream<'_>) -> syn::Result<(Expr, Expr)> {
    let e: Expr = input.parse()?;
    input.parse::<Token![;]>()?;
    let n: Expr = input.parse()?;
    Ok((e, n))
}

/// Identifiers named inline in a format string: `{x}`, `{x:?}`, `{x:>8}`.
pub(crate) fn inline_format_names(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '{' {
            continue;
        }
        if chars.peek() == Some(&'{') {
            chars.next();
            continue;
        }
        let mut name = String::new();
        while let Some(&d) = chars.peek() {
            if d == '}' || d == ':' {
                break;
            }
            name.push(d);
            chars.next();
        }
        let name = name.trim().to_string();
        if name
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        {
            out.push(name);
        }
    }
    out
}
