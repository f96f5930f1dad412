//! The body checker: one pass over a kernel's body with a stack of scopes
//! (`scope.rs`), which asks the verdict rules (`rules.rs`) about every
//! path, method and `use`, reports what is impure, and collects the
//! compile-time checks that only rustc can decide (`probes.rs`). Those
//! checks are spliced at the start of the innermost block that contains
//! the use, where names resolve as they do at the use site (`use` items
//! and nested `#[pure]` fns included). Macro arguments are checked in
//! `macros.rs`.

use super::probes;
use super::rules::{self, Verdict};
use super::scope::{collect_use, Import, Scopes};
use crate::ctxt::Ctxt;
use proc_macro2::TokenStream;
use std::collections::HashSet;
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, Item, Pat, Path, Stmt};

pub(crate) struct Checker<'a> {
    pub(super) cx: &'a mut Ctxt,
    pub(crate) scopes: Scopes,
    /// Per open block: checks to splice at its start.
    frames: Vec<Vec<TokenStream>>,
    /// Checks with no block to go to (a closure kernel's body).
    pub(crate) loose: Vec<TokenStream>,
    /// Names already checked per frame, so each gets one check.
    seen: Vec<HashSet<String>>,
    /// Inside a parsed copy of a macro's arguments, or a closure kernel's
    /// body: blocks there get no checks spliced in, so their checks go to
    /// the enclosing real block (or the caller's scope).
    in_copy: usize,
    /// Inside a copy of a macro's arguments (which are emitted as the
    /// user wrote them): kernel calls there are checked through a marker
    /// probe, since they cannot be rewritten.
    macro_copy: usize,
    /// How many kernel calls and values were rewritten to go through
    /// their marker (the tree then has to be printed back).
    pub(crate) rewrites: usize,
    /// Keep the outermost block's checks in `top` instead of splicing
    /// them, so `#[pure]` can put them in front of the original body
    /// tokens (cheaper than printing the whole syntax tree back).
    pub(crate) keep_top: bool,
    /// The outermost block's checks, with `keep_top`.
    pub(crate) top: Vec<TokenStream>,
    /// How many inner blocks got checks spliced in.
    pub(crate) nested_splices: usize,
    /// Emit checks as statements rather than items: for closure kernels,
    /// whose checks run in the caller's scope.
    pub(crate) statement_checks: bool,
}

/// Prelude values whose type needs inference (a probe of `&None` alone
/// would not compile), never globals.
const PRELUDE_VALUES: &[&str] = &["None", "Some", "Ok", "Err", "Self"];

impl<'a> Checker<'a> {
    pub(crate) fn new(cx: &'a mut Ctxt, generics: HashSet<String>) -> Self {
        Checker {
            cx,
            scopes: Scopes::new(generics),
            frames: Vec::new(),
            loose: Vec::new(),
            seen: vec![HashSet::new()],
            in_copy: 0,
            macro_copy: 0,
            rewrites: 0,
            keep_top: false,
            top: Vec::new(),
            nested_splices: 0,
            statement_checks: false,
        }
    }

    /// Bind the names a pattern introduces in the innermost scope.
    pub(crate) fn bind_pat(&mut self, pat: &Pat) {
        self.scopes.bind_pat(pat);
    }

    /// Queue a compile-time check for the innermost real block (once per
    /// key and block).
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

    // ------------------------------------------------------------ paths

    fn check_global(&mut self, path: &Path) {
        let check = probes::global(path, path.span());
        self.emit(format!("g:{}", path_string(path)), check);
    }

    fn check_marker(&mut self, path: &Path) {
        let mut p = path.clone();
        for seg in p.segments.iter_mut() {
            seg.arguments = syn::PathArguments::None;
        }
        let check = probes::marker(&p, path.span(), self.statement_checks);
        self.emit(format!("m:{}", path_string(&p)), check);
    }

    fn check_std_type(&mut self, path: &Path, owner_len: usize) {
        let owner = Path {
            leading_colon: path.leading_colon,
            segments: path.segments.iter().take(owner_len).cloned().collect(),
        };
        let check = probes::std_type(&owner, path.span(), self.statement_checks);
        self.emit(format!("t:{}", path_string(&owner)), check);
    }

    /// A path in value position (`called` false) or as a callee. Returns
    /// whether it names a kernel that the caller should rewrite to go
    /// through its marker ([`probes::kernel_path`]); inside macro copies,
    /// which cannot be rewritten, a marker probe is emitted instead.
    pub(super) fn check_path(&mut self, path: &Path, qself: bool, called: bool) -> bool {
        if qself {
            // `<T as Trait>::f`: trait-generic, trusted (documented).
            return false;
        }
        let segs: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let first = segs[0].as_str();
        if self.scopes.is_generic(first) || first == "Self" {
            return false;
        }
        if segs.len() == 1 && self.scopes.is_local(first) {
            return false;
        }
        // An in-body `use` names the first segment: judge the full path.
        let full: Vec<String> = match self.scopes.resolve_use(first) {
            Some(mut f) => {
                f.extend(segs[1..].iter().cloned());
                f
            }
            None => segs,
        };
        let refs: Vec<&str> = full.iter().map(String::as_str).collect();
        let verdict = if refs.len() == 1 {
            rules::single(refs[0], called)
        } else {
            rules::multi(&refs, called)
        };
        match verdict {
            Verdict::Allowed => {}
            Verdict::Global => self.check_global(path),
            Verdict::Kernel if self.macro_copy == 0 => return true,
            Verdict::Kernel => self.check_marker(path),
            Verdict::StdType { owner_len } => {
                // The owner as the user wrote it: the resolved path may be
                // longer (an alias), so count from the end.
                let keep = path.segments.len() - (refs.len() - owner_len);
                if keep > 0 {
                    self.check_std_type(path, keep);
                }
            }
            Verdict::Denied(why) => self.cx.error(path, format!("#[pure] function: {why}")),
        }
        false
    }

    /// A single-segment CamelCase path used as a place (a method's
    /// receiver, a field's base, a borrow, an index base): a static
    /// whatever its case, unless it is a local or a prelude value.
    fn check_place(&mut self, e: &Expr) {
        let Expr::Path(p) = e else { return };
        if p.qself.is_some() || p.path.segments.len() != 1 {
            return;
        }
        let name = p.path.segments[0].ident.to_string();
        if !crate::symbols::is_camel(&name)
            || PRELUDE_VALUES.contains(&name.as_str())
            || self.scopes.is_local(&name)
            || self.scopes.is_generic(&name)
            || self.scopes.resolve_use(&name).is_some()
        {
            return;
        }
        self.check_global(&p.path);
    }

    /// Visit an expression parsed out of a macro's tokens: its checks go to
    /// the enclosing real block; the copy itself is dropped.
    pub(crate) fn visit_copy(&mut self, mut e: Expr) {
        self.in_copy += 1;
        self.macro_copy += 1;
        self.visit_expr_mut(&mut e);
        self.macro_copy -= 1;
        self.in_copy -= 1;
    }

    /// Visit a closure kernel's body in place: its kernel calls are
    /// rewritten, its checks go to [`Checker::loose`] (the caller's scope,
    /// where a captured local fails them).
    pub(crate) fn visit_in_place(&mut self, e: &mut Expr) {
        self.in_copy += 1;
        self.visit_expr_mut(e);
        self.in_copy -= 1;
    }

    // ------------------------------------------------------------- items

    fn check_use(&mut self, u: &syn::ItemUse) {
        let mut found: Vec<Import<'_>> = Vec::new();
        collect_use(&u.tree, &mut Vec::new(), &mut found);
        let mut aliases = Vec::new();
        for imp in found {
            let refs: Vec<&str> = imp.full.iter().map(String::as_str).collect();
            if let Some(why) = rules::use_item(&refs, imp.alias.is_none()) {
                self.cx.error(imp.at, format!("#[pure] function: {why}"));
                continue;
            }
            if let Some(alias) = imp.alias {
                aliases.push((alias, imp.full));
            }
        }
        self.scopes.add_uses(aliases);
    }

    /// A function inside an `impl` or a `trait` of the body: checked like
    /// the body, with its parameters bound.
    fn check_inner_fn(&mut self, sig: &syn::Signature, block: &mut Block) {
        self.scopes.push();
        for arg in &sig.inputs {
            match arg {
                syn::FnArg::Typed(pt) => self.bind_pat(&pt.pat),
                syn::FnArg::Receiver(_) => self.scopes.bind_names(["self".to_owned()]),
            }
        }
        let generics = super::generic_names(&sig.generics);
        let added: Vec<String> = generics
            .into_iter()
            .filter(|g| self.scopes.generics.insert(g.clone()))
            .collect();
        self.visit_block_mut(block);
        for g in added {
            self.scopes.generics.remove(&g);
        }
        self.scopes.pop();
    }

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
            Item::Macro(m) => {
                let mac = m.mac.clone();
                self.check_macro(&mac);
            }
            Item::Use(u) => {
                let u = u.clone();
                self.check_use(&u);
            }
            Item::ForeignMod(f) => self.cx.error(
                f.abi.extern_token,
                "#[pure] function: `extern` blocks declare foreign functions a macro cannot check",
            ),
            Item::Impl(imp) => {
                if let Some(tok) = &imp.unsafety {
                    self.cx.error(
                        tok,
                        "#[pure] function: `unsafe impl` is not allowed; the compiler cannot check its promise",
                    );
                }
                for it in imp.items.iter_mut() {
                    if let syn::ImplItem::Fn(f) = it {
                        if let syn::Safety::Unsafe(tok) = &f.sig.safety {
                            self.cx.error(
                                tok,
                                "#[pure] function: `unsafe fn` is not allowed; the compiler cannot check what unsafe code does",
                            );
                        }
                        let sig = f.sig.clone();
                        self.check_inner_fn(&sig, &mut f.block);
                    }
                }
            }
            Item::Trait(t) => {
                for it in t.items.iter_mut() {
                    if let syn::TraitItem::Fn(f) = it {
                        if let Some(block) = &mut f.default {
                            let sig = f.sig.clone();
                            self.check_inner_fn(&sig, block);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

impl VisitMut for Checker<'_> {
    fn visit_block_mut(&mut self, block: &mut Block) {
        self.scopes.push_block();
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
                Stmt::Macro(m) => {
                    let mac = m.mac.clone();
                    self.check_macro(&mac);
                }
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
        self.scopes.pop_block();
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        match e {
            Expr::Closure(c) => {
                self.scopes.push();
                for p in &c.inputs {
                    self.bind_pat(p);
                }
                self.visit_expr_mut(&mut c.body);
                self.scopes.pop();
            }
            Expr::ForLoop(f) => {
                self.visit_expr_mut(&mut f.expr);
                self.scopes.push();
                self.bind_pat(&f.pat);
                self.visit_block_mut(&mut f.body);
                self.scopes.pop();
            }
            Expr::If(i) => {
                self.scopes.push();
                self.visit_expr_mut(&mut i.cond);
                self.visit_block_mut(&mut i.then_branch);
                self.scopes.pop();
                if let Some((_, els)) = &mut i.else_branch {
                    self.visit_expr_mut(els);
                }
            }
            Expr::While(w) => {
                self.scopes.push();
                self.visit_expr_mut(&mut w.cond);
                self.visit_block_mut(&mut w.body);
                self.scopes.pop();
            }
            Expr::Let(l) => {
                self.visit_expr_mut(&mut l.expr);
                self.bind_pat(&l.pat);
            }
            Expr::Match(m) => {
                self.visit_expr_mut(&mut m.expr);
                for arm in m.arms.iter_mut() {
                    self.scopes.push();
                    self.bind_pat(&arm.pat);
                    if let Pat::Guard(g) = &arm.pat {
                        // Checked through a copy: a guard has no block of
                        // its own to hold the checks.
                        self.visit_copy((*g.guard).clone());
                    }
                    self.visit_expr_mut(&mut arm.body);
                    self.scopes.pop();
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
                        if self.check_path(&path, q, true) {
                            *c.func = probes::kernel_path(&path);
                            self.rewrites += 1;
                        }
                    }
                    _ => self.visit_expr_mut(&mut c.func),
                }
                for a in c.args.iter_mut() {
                    self.visit_expr_mut(a);
                }
            }
            Expr::Path(p) => {
                let (path, q) = (p.path.clone(), p.qself.is_some());
                if self.check_path(&path, q, false) {
                    *e = probes::kernel_path(&path);
                    self.rewrites += 1;
                }
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
                let name = m.method.to_string();
                if let Some(why) = rules::method(&name) {
                    self.cx.error(
                        &m.method,
                        format!("#[pure] function: the method `{name}` is not allowed: it {why}"),
                    );
                }
                self.check_place(&m.receiver);
                self.visit_expr_mut(&mut m.receiver);
                for a in m.args.iter_mut() {
                    self.visit_expr_mut(a);
                }
            }
            Expr::Field(f) => {
                self.check_place(&f.base);
                self.visit_expr_mut(&mut f.base);
            }
            Expr::Reference(r) => {
                self.check_place(&r.expr);
                self.visit_expr_mut(&mut r.expr);
            }
            Expr::Index(i) => {
                self.check_place(&i.expr);
                self.visit_expr_mut(&mut i.expr);
                self.visit_expr_mut(&mut i.index);
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
