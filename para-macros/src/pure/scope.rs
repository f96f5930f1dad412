//! Scopes and bindings: which names a kernel's body binds where, and
//! which `use` aliases each block declares. A plain data structure the
//! traversal (`check.rs`) pushes and pops as it walks.

use crate::symbols::{is_camel, is_upper};
use std::collections::{HashMap, HashSet};
use syn::Pat;

/// The names in scope at a point of the body.
pub(crate) struct Scopes {
    /// Bound names, innermost scope last.
    names: Vec<HashSet<String>>,
    /// The function's generic parameters (types and consts).
    pub(crate) generics: HashSet<String>,
    /// Per open block: `use` aliases declared in it (name -> full path).
    uses: Vec<HashMap<String, Vec<String>>>,
}

impl Scopes {
    pub(crate) fn new(generics: HashSet<String>) -> Scopes {
        Scopes {
            names: vec![HashSet::new()],
            generics,
            uses: vec![HashMap::new()],
        }
    }

    pub(crate) fn push(&mut self) {
        self.names.push(HashSet::new());
    }

    pub(crate) fn pop(&mut self) {
        self.names.pop();
    }

    pub(crate) fn push_block(&mut self) {
        self.push();
        self.uses.push(HashMap::new());
    }

    pub(crate) fn pop_block(&mut self) {
        self.uses.pop();
        self.pop();
    }

    pub(crate) fn is_local(&self, name: &str) -> bool {
        self.names.iter().rev().any(|s| s.contains(name))
    }

    pub(crate) fn is_generic(&self, name: &str) -> bool {
        self.generics.contains(name)
    }

    /// The full path an in-body `use` gives `name`, innermost block first.
    pub(crate) fn resolve_use(&self, name: &str) -> Option<Vec<String>> {
        self.uses.iter().rev().find_map(|u| u.get(name).cloned())
    }

    /// Record `use` aliases for the innermost block.
    pub(crate) fn add_uses(&mut self, found: Vec<(String, Vec<String>)>) {
        let uses = self.uses.last_mut().expect("a block is open");
        for (alias, full) in found {
            uses.insert(alias, full);
        }
    }

    /// Bind the names a pattern introduces in the innermost scope.
    pub(crate) fn bind_pat(&mut self, pat: &Pat) {
        let mut names = Vec::new();
        collect_bindings(pat, &mut names);
        self.bind_names(names);
    }

    pub(crate) fn bind_names(&mut self, names: impl IntoIterator<Item = String>) {
        let scope = self.names.last_mut().expect("a scope is open");
        scope.extend(names);
    }
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

/// One imported name of a `use` tree: the alias it binds (`None` for a
/// glob), the full path, and the tokens to blame.
pub(crate) struct Import<'a> {
    pub(crate) alias: Option<String>,
    pub(crate) full: Vec<String>,
    pub(crate) at: &'a dyn quote::ToTokens,
}

/// Every import of a `use` tree, globs included.
pub(crate) fn collect_use<'a>(
    tree: &'a syn::UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<Import<'a>>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            collect_use(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) if n.ident == "self" => {
            // `use std::cmp::{self}`: the module itself.
            out.push(Import {
                alias: prefix.last().cloned(),
                full: prefix.clone(),
                at: n,
            });
        }
        syn::UseTree::Name(n) => {
            let mut full = prefix.clone();
            full.push(n.ident.to_string());
            out.push(Import {
                alias: Some(n.ident.to_string()),
                full,
                at: n,
            });
        }
        syn::UseTree::Rename(r) => {
            let mut full = prefix.clone();
            full.push(r.ident.to_string());
            out.push(Import {
                alias: Some(r.rename.to_string()),
                full,
                at: r,
            });
        }
        syn::UseTree::Group(g) => {
            for t in &g.items {
                collect_use(t, prefix, out);
            }
        }
        syn::UseTree::Glob(g) => out.push(Import {
            alias: None,
            full: prefix.clone(),
            at: g,
        }),
    }
}
