//! The verdict rules: what a path, a method name or a `use` in a kernel's
//! body means for purity, as plain functions of the path's segments.
//!
//! The traversal (`check.rs`) resolves what it can see first (locals,
//! generic parameters, in-body `use` aliases of a path's first segment);
//! these functions then decide from the segments alone, with the lists of
//! `symbols.rs`. What they cannot decide they hand to rustc as a probe
//! (see `probes.rs`): a global's type must be `PureData`, a callee must be
//! a `#[pure]` fn, an associated function's owner must be a std type whose
//! functions are pure.

use crate::symbols::*;

/// What a path in a kernel's body is, for purity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Nothing to check: a constructor or unit value, an allow-listed std
    /// item, a std constant, a pure prelude function.
    Allowed,
    /// A global (const or static) the body reads: probe its value.
    Global,
    /// A function that runs: it must be a `#[pure]` fn (checked through
    /// its kernel marker).
    Kernel,
    /// An associated function `Owner::f` of a type the lists do not know:
    /// rustc checks that `Owner` (whatever alias or import names it) is a
    /// std type whose associated functions are pure. `owner_len` is how
    /// many leading segments name the owner.
    StdType { owner_len: usize },
    /// Not allowed, with the reason (the rule and what to do instead).
    Denied(String),
}

/// A segment followed by `::` that names a type: `CamelCase`, or all
/// upper case (`P::origin`, a one-letter alias; modules are snake_case and
/// constants have no associated items).
fn is_type_segment(s: &str) -> bool {
    is_camel(s) || is_upper(s)
}

fn is_std_root(s: &str) -> bool {
    matches!(s, "std" | "core" | "alloc")
}

/// Owner types whose associated functions are pure, beyond the lists:
/// interior-mutable cells and atomics may be *created* in a kernel (a
/// local cell is state nobody outside the call can observe; parameters and
/// globals of these types are still rejected, by `PureData`).
fn local_state_type(ty: &str) -> bool {
    is_atomic(ty) || matches!(ty, "Cell" | "RefCell" | "OnceCell")
}

/// Verdict for a path of one segment that is not a local, a generic
/// parameter or an in-body `use` alias.
pub(crate) fn single(name: &str, called: bool) -> Verdict {
    if is_camel(name) || name == "self" {
        // A constructor, a unit struct or variant; a CamelCase static is
        // probed where its value is used as a place (see `check.rs`).
        return Verdict::Allowed;
    }
    if is_upper(name) {
        return Verdict::Global;
    }
    if PURE_BARE_FNS.contains(&name) {
        return Verdict::Allowed;
    }
    let _ = called;
    Verdict::Kernel
}

/// Verdict for a path of several segments (or one that a `use` resolved
/// to several), called (`called`) or used as a value.
pub(crate) fn multi(segs: &[&str], called: bool) -> Verdict {
    let n = segs.len();
    if n == 1 {
        return single(segs[0], called);
    }
    let (first, last, owner) = (segs[0], segs[n - 1], segs[n - 2]);
    let what = if called { "call to" } else { "use of" };
    let shown = segs.join("::");
    if is_std_root(first) {
        let rest = segs[1..].join("::");
        if PURE_STD_FNS.contains(&rest.as_str()) {
            return Verdict::Allowed;
        }
        if is_upper(last) && !called {
            // `std::f64::consts::PI`, `u32::MAX`: std's constants are plain.
            return Verdict::Allowed;
        }
        if is_type_segment(owner) || PRIMITIVES.contains(&owner) {
            return assoc(segs, n - 1, what);
        }
        if let Some((module, why)) = IMPURE_STD_MODULES.iter().find(|(m, _)| *m == segs[1]) {
            return Verdict::Denied(format!(
                "{what} `{shown}` is not allowed: `{first}::{module}` {why}; \
                 a kernel may only compute from its parameters"
            ));
        }
        return Verdict::Denied(format!(
            "{what} `{shown}` is not on the allow-list of pure std items; allowed: the \
             primitive types' functions, std::cmp::{{min, max}}, std::mem::{{swap, replace, \
             take}}, std::iter::{{once, repeat, zip, ...}} and #[pure] functions"
        ));
    }
    if is_upper(last) && !called {
        // `config::LIMIT`, `Self::MAX`: a global or an associated const.
        return Verdict::Global;
    }
    if is_camel(last) {
        // `Shape::Circle`, `shapes::Circle`: a variant or a constructor.
        return Verdict::Allowed;
    }
    if n == 2 && (PRIMITIVES.contains(&first) || is_type_segment(first)) {
        return assoc(segs, 1, what);
    }
    if is_type_segment(owner) {
        return assoc(segs, n - 1, what);
    }
    // `crate::kernels::score`, `helpers::score`: must be #[pure].
    Verdict::Kernel
}

/// Verdict for the associated function `segs[owner_len]` of the type named
/// by `segs[..owner_len]`.
fn assoc(segs: &[&str], owner_len: usize, what: &str) -> Verdict {
    let ty = segs[owner_len - 1];
    let f = segs[owner_len];
    let shown = segs.join("::");
    if let Some((_, _, why)) = IMPURE_ASSOC_FNS
        .iter()
        .find(|(t, n, _)| *t == ty && *n == f)
    {
        return Verdict::Denied(format!("{what} `{shown}` is not allowed: it {why}"));
    }
    if RANDOM_STATE_TYPES.contains(&ty) && RANDOM_STATE_CTORS.contains(&f) {
        return Verdict::Denied(format!(
            "{what} `{shown}` is not allowed: it seeds the map with `RandomState`, whose \
             random keys make iteration order (and so results) vary from run to run; use \
             BTreeMap/BTreeSet, or `{ty}::with_hasher(BuildHasherDefault::<DefaultHasher>::default())`"
        ));
    }
    if PRIMITIVES.contains(&ty)
        || PURE_STD_TYPES.contains(&ty)
        || PURE_STD_TRAITS.contains(&ty)
        || local_state_type(ty)
    {
        return Verdict::Allowed;
    }
    Verdict::StdType { owner_len }
}

/// A method whose effect no type rule can see, by name: the reason.
pub(crate) fn method(name: &str) -> Option<&'static str> {
    IMPURE_METHODS
        .iter()
        .find(|(m, _)| *m == name)
        .map(|(_, why)| *why)
}

/// A `use` of `full` (the imported path) inside a kernel's body: the
/// reason it is denied, if it is.
pub(crate) fn use_item(full: &[&str], glob: bool) -> Option<String> {
    if full.len() < 2 || !is_std_root(full[0]) {
        return None;
    }
    let shown = if glob {
        format!("{}::*", full.join("::"))
    } else {
        full.join("::")
    };
    let module = full[1];
    if let Some((_, why)) = DENIED_USE_MODULES.iter().find(|(m, _)| *m == module) {
        return Some(format!(
            "`use {shown}` is not allowed in a #[pure] function: `{}::{module}` {why}; \
             a kernel may only compute from its parameters",
            full[0]
        ));
    }
    let last = full[full.len() - 1];
    if let Some((_, why)) = DENIED_USE_ITEMS
        .iter()
        .find(|(m, i, _)| *m == module && (*i == last || (glob && full.len() == 2)))
        .map(|(_, i, why)| (i, why))
    {
        return Some(format!(
            "`use {shown}` is not allowed in a #[pure] function: it {why}; a kernel may \
             only compute from its parameters"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(path: &str, called: bool) -> Verdict {
        let segs: Vec<&str> = path.split("::").collect();
        multi(&segs, called)
    }

    fn denied(path: &str, called: bool) -> bool {
        matches!(v(path, called), Verdict::Denied(_))
    }

    #[test]
    fn single_segments_by_convention() {
        assert_eq!(single("COUNTER", false), Verdict::Global);
        assert_eq!(single("score", true), Verdict::Kernel);
        assert_eq!(single("helper", false), Verdict::Kernel);
        assert_eq!(single("Point", true), Verdict::Allowed);
        assert_eq!(single("drop", true), Verdict::Allowed);
    }

    #[test]
    fn std_items() {
        assert_eq!(v("std::cmp::max", true), Verdict::Allowed);
        assert_eq!(v("core::mem::swap", true), Verdict::Allowed);
        assert_eq!(v("std::f64::consts::PI", false), Verdict::Allowed);
        assert_eq!(
            v("std::time::Duration::from_millis", true),
            Verdict::Allowed
        );
        assert_eq!(v("std::collections::BTreeMap::new", true), Verdict::Allowed);
        assert_eq!(v("std::hash::DefaultHasher::new", true), Verdict::Allowed);
        assert_eq!(v("std::cell::Cell::new", true), Verdict::Allowed);
        assert_eq!(
            v("std::sync::atomic::AtomicU32::new", true),
            Verdict::Allowed
        );
        assert!(denied("std::time::Instant::now", true));
        assert!(denied("std::fs::read", true));
        assert!(denied("std::thread::spawn", true));
        assert!(denied("std::process::exit", true));
        assert!(denied("std::env::var", true));
        assert!(denied("std::ptr::read", true));
        assert!(denied("std::collections::HashMap::new", true));
        assert!(denied("std::collections::HashSet::with_capacity", true));
        assert!(denied("std::sync::Arc::into_raw", true));
        assert!(denied("std::rc::Rc::into_raw", true));
        assert!(denied("std::vec::Vec::leak", true));
        assert!(
            denied("std::hint::spin_loop", true),
            "not on the allow-list"
        );
    }

    #[test]
    fn associated_functions() {
        assert_eq!(v("Vec::new", true), Verdict::Allowed);
        assert_eq!(v("f64::sqrt", true), Verdict::Allowed);
        assert_eq!(v("DefaultHasher::new", true), Verdict::Allowed);
        assert!(denied("Instant::now", true));
        assert!(denied("HashMap::new", true));
        assert!(denied("Box::leak", true));
        assert!(denied("Arc::into_raw", true));
        // An alias or a user type: rustc decides.
        assert_eq!(v("Bag::new", true), Verdict::StdType { owner_len: 1 });
        assert_eq!(
            v("geometry::Point::new", true),
            Verdict::StdType { owner_len: 2 }
        );
        assert_eq!(v("Shape::Circle", true), Verdict::Allowed);
        assert_eq!(v("P::origin", true), Verdict::StdType { owner_len: 1 });
    }

    #[test]
    fn module_paths() {
        assert_eq!(v("kernels::score", true), Verdict::Kernel);
        assert_eq!(v("crate::a::b::score", false), Verdict::Kernel);
        assert_eq!(v("config::LIMIT", false), Verdict::Global);
        assert_eq!(v("shapes::Circle", true), Verdict::Allowed);
    }

    #[test]
    fn methods_by_name() {
        assert!(method("to_socket_addrs").is_some());
        assert!(method("leak").is_some());
        assert!(method("into_raw").is_some());
        assert!(method("elapsed").is_some());
        assert!(method("len").is_none());
    }

    #[test]
    fn uses() {
        let u = |p: &str, glob| {
            let segs: Vec<&str> = p.split("::").collect();
            use_item(&segs, glob)
        };
        assert!(u("std::cmp", false).is_none());
        assert!(u("std::mem::swap", false).is_none());
        assert!(u("std::f64::consts::PI", false).is_none());
        assert!(u("std::time::Duration", false).is_none());
        assert!(u("std::collections::BTreeMap", false).is_none());
        assert!(u("std::fs", false).is_some());
        assert!(u("std::fs::read_to_string", false).is_some());
        assert!(u("std::net::TcpStream", false).is_some());
        assert!(u("std::process", false).is_some());
        assert!(u("std::thread::spawn", false).is_some());
        assert!(u("std::env::var", false).is_some());
        assert!(u("std::time::Instant", false).is_some());
        assert!(u("std::time::SystemTime", false).is_some());
        assert!(
            u("std::time", true).is_some(),
            "a glob brings the clocks in"
        );
        assert!(u("std::io::stdout", false).is_some());
        assert!(u("std::io::Stdout", false).is_some());
        assert!(u("std::io::Cursor", false).is_none());
        assert!(u("mycrate::kernels", true).is_none());
    }
}
