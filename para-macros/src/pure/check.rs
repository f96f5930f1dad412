//! The body checker: one pass over a kernel's body with a stack of scopes,
//! which reports what is impure and collects the compile-time checks that
//! only rustc can decide (is this callee `#[pure]`? is this global a plain
//! constant?). Those checks are spliced at the start of the innermost
//! block that contains the use, where names resolve as they do at the use
//! site (`use` items and nested `#[pure]` fns included).

use crate::ctxt::Ctxt;
use crate::symbols::*;
use proc_macro2::TokenStream;
use quote::quote_spanned;
use std::collections::{HashMap, HashSet};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, Item, Macro, Pat, Path, Stmt, Token};

pub(crate) struct Checker<'a> {
    cx: &'a mut Ctxt,
    scopes: Vec<HashSet<String>>,
    generics: HashSet<String>,
    /// Per open block: `use` aliases (name -> full path) declared in it.
    uses: Vec<HashMap<String, Vec<String>>>,
    /// Per open block: checks to splice at its start.
    frames: Vec<Vec<TokenStream>>,
    /// Checks with no block to go to (a closure kernel's expression body).
    pub(crate) loose: Vec<TokenStream>,
    /// Names already checked per frame, so each gets one check.
    seen: Vec<HashSet<String>>,
    /// Inside a parsed copy of a macro's arguments: blocks there are not
    /// emitted, so their checks go to the enclosing real block.
    in_copy: usize,
    /// Keep the outermost block's checks in `top` instead of splicing
    /// them, so `#[pure]` can put them in front of the original body
    /// tokens (cheaper than printing the whole syntax tree back).
    pub(crate) keep_top: bool,
    /// The outermost block's checks, with `keep_top`.
    pub(crate) top: Vec<TokenStream>,
    /// How many inner blocks got checks spliced in.
    pub(crate) nested_splices: usize,
    /// Emit marker checks as statements (`let _ = <p as Kernel>::NAME;`)
    /// rather than items: for closure kernels, whose checks run in the
    /// caller's scope.
    pub(crate) statement_checks: bool,
}

impl<'a> Checker<'a> {
    pub(crate) fn new(cx: &'a mut Ctxt, generics: HashSet<String>) -> Self {
        Checker {
            cx,
            scopes: vec![HashSet::new()],
            generics,
            uses: vec![HashMap::new()],
            frames: Vec::new(),
            loose: Vec::new(),
            seen: vec![HashSet::new()],
            in_copy: 0,
            keep_top: false,
            top: Vec::new(),
            nested_splices: 0,
            statement_checks: false,
        }
    }

    // ------------------------------------------------------------ scopes

    fn push_scope(&mut self) {
        self.scopes.push(HashSet::new());
    }

    fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    fn is_local(&self, name: &str) -> bool {
        self.scopes.iter().rev().any(|s| s.contains(name))
    }

    fn resolve_use(&self, name: &str) -> Option<Vec<String>> {
        self.uses.iter().rev().find_map(|u| u.get(name).cloned())
    }

    /// Bind the names a pattern introduces in the innermost scope.
    pub(crate) fn bind_pat(&mut self, pat: &Pat) {
        let mut names = Vec::new();
        collect_bindings(pat, &mut names);
        let scope = self.scopes.last_mut().expect("a scope is open");
        scope.extend(names);
    }

    /// Queue a compile-time check for the innermost real block (once per
    /// name and block).
    fn emit(&mut self, key: String, check: TokenStream) {
        let seen = self.seen.last_mut().expect("a frame is open");
        if !seen.insert(key) {
            return;
        }
        match self.frames.last_mut() {
            Some(f) => f.push(check),
            None => self.loose.push(check),
        }
    }

    // ----------------------------------------------------------- globals

    /// A read of a global (`COUNTER`, `config::LIMIT`): it must be a const
    /// or an immutable static of a plain type.
    fn check_global(&mut self, path: &Path) {
        let key = format!("g:{}", path_string(path));
        let span = path.span();
        let check = quote_spanned! {span=>
            const _: () = {
                ::para::__private::probe_global(&#path);
                #[allow(dead_code, unused_imports)]
                fn __para_global_check() {
                    use ::para::__private::{ViaInterior as _, ViaPlain as _};
                    ::para::__private::require_plain((&::para::__private::wrap(&#path)).para_verdict());
                }
            };
        };
        self.emit(key, check);
    }

    /// A callee or function value that must be a `#[pure]` fn: checked
    /// through its marker type (`error[E0573]: expected type, found
    /// function` otherwise, on the user's token).
    fn check_marker(&mut self, path: &Path) {
        let mut p = path.clone();
        for seg in p.segments.iter_mut() {
            seg.arguments = syn::PathArguments::None;
        }
        let key = format!("m:{}", path_string(&p));
        let span = path.span();
        let check = if self.statement_checks {
            quote_spanned! {span=> let _ = <#p as ::para::__private::Kernel>::NAME; }
        } else {
            quote_spanned! {span=>
                const _: () = {
                    let _ = <#p as ::para::__private::Kernel>::NAME;
                };
            }
        };
        self.emit(key, check);
    }

    /// A path in value position (not called).
    fn check_value_path(&mut self, path: &Path, qself: bool) {
        if qself {
            return;
        }
        let segs: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if segs.len() == 1 {
            let name = &segs[0];
            if self.is_local(name)
                || self.generics.contains(name)
                || is_camel(name)
                || name == "self"
            {
                return;
            }
            if let Some(full) = self.resolve_use(name) {
                return self.check_fn_path(path, &full, false);
            }
            if is_upper(name) {
                return self.check_global(path);
            }
            if PURE_BARE_FNS.contains(&name.as_str()) {
                return;
            }
            // A function used as a value (`.map(helper)`): it will run.
            return self.check_marker(path);
        }
        if self.generics.contains(&segs[0]) {
            return;
        }
        let last = segs.last().expect("non-empty path");
        if is_upper(last) {
            return self.check_global(path);
        }
        if is_camel(last) {
            return;
        }
        self.check_fn_path(path, &segs, false);
    }

    /// A call `f(...)` whose callee is a path.
    fn check_callee(&mut self, path: &Path, qself: bool) {
        if qself {
            // `<T as Trait>::f(..)`: trait-generic, trusted (documented).
            return;
        }
        let segs: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let last = segs.last().expect("non-empty path");
        if segs.len() == 1 {
            if self.is_local(last) || is_camel(last) || PURE_BARE_FNS.contains(&last.as_str()) {
                return;
            }
            if let Some(full) = self.resolve_use(last) {
                return self.check_fn_path(path, &full, true);
            }
            if is_upper(last) {
                return self.check_global(path);
            }
            return self.check_marker(path);
        }
        if self.generics.contains(&segs[0]) || segs[0] == "Self" {
            return;
        }
        if is_camel(last) {
            return; // `Shape::Circle(r)`: a constructor
        }
        self.check_fn_path(path, &segs, true);
    }

    /// A multi-segment function path, called or used as a value; `segs` is
    /// the full path (after resolving an in-body `use`).
    fn check_fn_path(&mut self, path: &Path, segs: &[String], called: bool) {
        let what = if called { "call to" } else { "use of" };
        let shown = segs.join("::");
        let first = segs[0].as_str();
        let n = segs.len();
        if n == 1 {
            return self.check_marker(path);
        }
        let last = segs[n - 1].as_str();
        let owner = segs[n - 2].as_str();
        if ["std", "core", "alloc"].contains(&first) {
            let rest = segs[1..].join("::");
            if PURE_STD_FNS.contains(&rest.as_str()) {
                return;
            }
            for (module, why) in IMPURE_STD_MODULES {
                if segs[1] == *module {
                    return self.cx.error(
                        path,
                        format!(
                            "#[pure] function: {what} `{shown}` is not allowed: `{first}::{module}` {why}; \
                             a kernel may only compute from its parameters"
                        ),
                    );
                }
            }
            if is_camel(owner) || PRIMITIVES.contains(&owner) {
                return self.check_assoc(path, owner, last, &shown, what);
            }
            return self.cx.error(
                path,
                format!(
                    "#[pure] function: {what} `{shown}` is not on the allow-list of pure std items; \
                     allowed: the primitive types' functions, std::cmp::{{min, max}}, std::mem::{{swap, replace, take}}, \
                     std::iter::{{once, repeat, zip, ...}} and #[pure] functions"
                ),
            );
        }
        if n == 2 && (PRIMITIVES.contains(&first) || is_camel(first)) {
            return self.check_assoc(path, first, last, &shown, what);
        }
        if is_camel(owner) {
            return self.check_assoc(path, owner, last, &shown, what);
        }
        // `crate::kernels::score`, `helpers::score`: must be #[pure].
        self.check_marker(path);
    }

    fn check_assoc(&mut self, path: &Path, ty: &str, f: &str, shown: &str, what: &str) {
        if let Some((_, _, why)) = IMPURE_ASSOC_FNS
            .iter()
            .find(|(t, n, _)| *t == ty && *n == f)
        {
            return self.cx.error(
                path,
                format!("#[pure] function: {what} `{shown}` is not allowed: it {why}"),
            );
        }
        if PRIMITIVES.contains(&ty) || PURE_STD_TYPES.contains(&ty) || PURE_STD_TRAITS.contains(&ty)
        {
            return;
        }
        self.cx.error(
            path,
            format!(
                "#[pure] function: cannot verify the associated function `{shown}`: \
                 a macro cannot see whether `{ty}::{f}` is pure; \
                 call a #[pure] free function instead, or one of the allow-listed std items"
            ),
        );
    }

    // ------------------------------------------------------------ macros

    fn check_macro(&mut self, mac: &Macro) {
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
        if let Some((_, skip)) = FORMAT_MACROS.iter().find(|(m, _)| *m == name) {
            if let Some(Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            })) = args.get(*skip)
            {
                self.check_inline_format_args(s);
            }
        }
        for a in args {
            self.visit_copy(a);
        }
    }

    fn is_local_place(&self, e: &Expr) -> bool {
        match e {
            Expr::Path(p) => {
                p.qself.is_none()
                    && p.path.segments.len() == 1
                    && self.is_local(&p.path.segments[0].ident.to_string())
            }
            Expr::Reference(r) => self.is_local_place(&r.expr),
            Expr::Paren(p) => self.is_local_place(&p.expr),
            _ => false,
        }
    }

    fn check_inline_format_args(&mut self, s: &syn::LitStr) {
        for name in inline_format_names(&s.value()) {
            let ident = syn::Ident::new(&name, s.span());
            let path: Path = ident.into();
            self.check_value_path(&path, false);
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
                self.push_scope();
                self.bind_pat(&pat);
                if let Some(g) = guard {
                    self.visit_copy(g);
                }
                self.pop_scope();
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

    /// Visit an expression parsed out of a macro's tokens: its checks go to
    /// the enclosing real block; the copy itself is dropped.
    pub(crate) fn visit_copy(&mut self, mut e: Expr) {
        self.in_copy += 1;
        self.visit_expr_mut(&mut e);
        self.in_copy -= 1;
    }

    // ------------------------------------------------------------- items

    fn check_item(&mut self, item: &mut Item) {
        match item {
            Item::Static(s) => {
                let what = if matches!(s.mutability, syn::StaticMutability::Mut(_)) {
                    "static mut"
                } else {
                    "static"
                };
                let span = s.static_token.span;
                self.cx.error_at(
                    span,
                    format!("#[pure] function: `{what}` items declare global state that outlives the call; use a `const` or a local variable"),
                );
            }
            // A nested #[pure] fn is checked by its own expansion.
            Item::Fn(f) if !has_pure_attr(&f.attrs) => {
                self.cx.error(
                    &f.sig.ident,
                    "#[pure] function: functions defined inside a #[pure] function must be #[pure] too; mark this one #[para::pure]",
                );
            }
            Item::Macro(m) => self.check_macro(&m.mac),
            Item::Use(u) => {
                let mut found = Vec::new();
                collect_use(&u.tree, &mut Vec::new(), &mut found);
                let uses = self.uses.last_mut().expect("a block is open");
                for (alias, full) in found {
                    uses.insert(alias, full);
                }
            }
            Item::ForeignMod(f) => self.cx.error(
                f.abi.extern_token,
                "#[pure] function: `extern` blocks declare foreign functions a macro cannot check",
            ),
            _ => {}
        }
    }
}

impl VisitMut for Checker<'_> {
    fn visit_block_mut(&mut self, block: &mut Block) {
        self.push_scope();
        self.uses.push(HashMap::new());
        let real = self.in_copy == 0;
        if real {
            self.frames.push(Vec::new());
            self.seen.push(HashSet::new());
        }
        // `use` items apply to the whole block, before and after them.
        for stmt in block.stmts.iter_mut() {
            if let Stmt::Item(item @ Item::Use(_)) = stmt {
                self.check_item(item);
            }
        }
        for stmt in block.stmts.iter_mut() {
            match stmt {
                Stmt::Local(local) => {
                    if let Some(init) = &mut local.init {
                        self.visit_expr_mut(&mut init.expr);
                        if let Some((_, diverge)) = &mut init.diverge {
                            self.visit_expr_mut(diverge);
                        }
                    }
                    self.bind_pat(&local.pat);
                }
                Stmt::Item(Item::Use(_)) => {}
                Stmt::Item(item) => self.check_item(item),
                Stmt::Expr(e, _) => self.visit_expr_mut(e),
                Stmt::Macro(m) => self.check_macro(&m.mac),
            }
        }
        if real {
            let checks = self.frames.pop().expect("frame pushed above");
            self.seen.pop();
            if self.keep_top && self.frames.is_empty() {
                self.top = checks;
            } else if !checks.is_empty() {
                self.nested_splices += 1;
                let mut new: Vec<Stmt> = checks
                    .into_iter()
                    .map(|c| Stmt::Item(Item::Verbatim(c)))
                    .collect();
                new.append(&mut block.stmts);
                block.stmts = new;
            }
        }
        self.uses.pop();
        self.pop_scope();
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        match e {
            Expr::Closure(c) => {
                self.push_scope();
                for p in &c.inputs {
                    self.bind_pat(p);
                }
                self.visit_expr_mut(&mut c.body);
                self.pop_scope();
            }
            Expr::ForLoop(f) => {
                self.visit_expr_mut(&mut f.expr);
                self.push_scope();
                self.bind_pat(&f.pat);
                self.visit_block_mut(&mut f.body);
                self.pop_scope();
            }
            Expr::If(i) => {
                self.push_scope();
                self.visit_expr_mut(&mut i.cond);
                self.visit_block_mut(&mut i.then_branch);
                self.pop_scope();
                if let Some((_, els)) = &mut i.else_branch {
                    self.visit_expr_mut(els);
                }
            }
            Expr::While(w) => {
                self.push_scope();
                self.visit_expr_mut(&mut w.cond);
                self.visit_block_mut(&mut w.body);
                self.pop_scope();
            }
            Expr::Let(l) => {
                self.visit_expr_mut(&mut l.expr);
                self.bind_pat(&l.pat);
            }
            Expr::Match(m) => {
                self.visit_expr_mut(&mut m.expr);
                for arm in m.arms.iter_mut() {
                    self.push_scope();
                    self.bind_pat(&arm.pat);
                    if let Pat::Guard(g) = &arm.pat {
                        // Checked through a copy: a guard has no block of
                        // its own to hold the checks.
                        self.visit_copy((*g.guard).clone());
                    }
                    self.visit_expr_mut(&mut arm.body);
                    self.pop_scope();
                }
            }
            Expr::Unsafe(u) => {
                self.cx.error(
                    u.unsafe_token,
                    "#[pure] function: `unsafe` blocks are not allowed; the compiler cannot check what they do",
                );
                self.visit_block_mut(&mut u.block);
            }
            Expr::Call(c) => {
                match &*c.func {
                    Expr::Path(p) => {
                        let (path, q) = (p.path.clone(), p.qself.is_some());
                        self.check_callee(&path, q);
                    }
                    _ => self.visit_expr_mut(&mut c.func),
                }
                for a in c.args.iter_mut() {
                    self.visit_expr_mut(a);
                }
            }
            Expr::Path(p) => {
                let (path, q) = (p.path.clone(), p.qself.is_some());
                self.check_value_path(&path, q);
            }
            Expr::Macro(m) => {
                let mac = m.mac.clone();
                self.check_macro(&mac);
            }
            Expr::Struct(s) => {
                for f in s.fields.iter_mut() {
                    self.visit_expr_mut(&mut f.expr);
                }
                if let Some(rest) = &mut s.rest {
                    self.visit_expr_mut(rest);
                }
            }
            Expr::MethodCall(m) => {
                self.visit_expr_mut(&mut m.receiver);
                for a in m.args.iter_mut() {
                    self.visit_expr_mut(a);
                }
            }
            Expr::Cast(c) => self.visit_expr_mut(&mut c.expr),
            _ => visit_mut::visit_expr_mut(self, e),
        }
    }

    fn visit_item_mut(&mut self, item: &mut Item) {
        self.check_item(item);
    }

    fn visit_type_mut(&mut self, _: &mut syn::Type) {}

    fn visit_pat_mut(&mut self, _: &mut Pat) {}
}

/// Names bound by a pattern. By convention, a single `UPPER_CASE` or
/// `CamelCase` identifier in a pattern is a constant or a unit variant
/// (`None`, `MAX`), not a binding.
pub(crate) fn collect_bindings(pat: &Pat, out: &mut Vec<String>) {
    match pat {
        Pat::Ident(i) => {
            let name = i.ident.to_string();
            if i.subpat.is_some()
                || i.by_ref.is_some()
                || i.mutability.is_some()
                || !(is_upper(&name) || is_camel(&name))
            {
                out.push(name);
            }
            if let Some((_, sub)) = &i.subpat {
                collect_bindings(sub, out);
            }
        }
        Pat::Or(o) => {
            if let Some(first) = o.cases.first() {
                collect_bindings(first, out);
            }
        }
        Pat::Paren(p) => collect_bindings(&p.pat, out),
        Pat::Reference(r) => collect_bindings(&r.pat, out),
        Pat::Slice(s) => s.elems.iter().for_each(|p| collect_bindings(p, out)),
        Pat::Struct(s) => s.fields.iter().for_each(|f| collect_bindings(&f.pat, out)),
        Pat::Tuple(t) => t.elems.iter().for_each(|p| collect_bindings(p, out)),
        Pat::TupleStruct(t) => t.elems.iter().for_each(|p| collect_bindings(p, out)),
        Pat::Type(t) => collect_bindings(&t.pat, out),
        Pat::Guard(g) => collect_bindings(&g.pat, out),
        _ => {}
    }
}

fn collect_use(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<(String, Vec<String>)>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            collect_use(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let mut full = prefix.clone();
            full.push(n.ident.to_string());
            out.push((n.ident.to_string(), full));
        }
        syn::UseTree::Rename(r) => {
            let mut full = prefix.clone();
            full.push(r.ident.to_string());
            out.push((r.rename.to_string(), full));
        }
        syn::UseTree::Group(g) => {
            for t in &g.items {
                collect_use(t, prefix, out);
            }
        }
        syn::UseTree::Glob(_) => {}
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

pub(crate) fn has_pure_attr(attrs: &[syn::Attribute]) -> bool {
    attrs
        .iter()
        .any(|a| a.path().segments.last().is_some_and(|s| s.ident == "pure"))
}

pub(crate) fn path_string(p: &Path) -> String {
    p.segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

/// The generic parameter names of a signature (types and consts).
pub(crate) fn generic_names(g: &syn::Generics) -> HashSet<String> {
    g.params
        .iter()
        .filter_map(|p| match p {
            syn::GenericParam::Type(t) => Some(t.ident.to_string()),
            syn::GenericParam::Const(c) => Some(c.ident.to_string()),
            syn::GenericParam::Lifetime(_) => None,
        })
        .collect()
}
