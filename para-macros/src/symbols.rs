//! Every allow-list and deny-list of the purity checker, in one place.

/// Std macros whose arguments are plain expressions: parsed and checked
/// like the rest of the body.
pub(crate) const PURE_EXPR_MACROS: &[&str] = &[
    "vec",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "format",
    "format_args",
    "panic",
    "unreachable",
    "todo",
    "unimplemented",
    "concat",
    "stringify",
    "line",
    "column",
    "file",
    "module_path",
    "cfg",
    "env",
    "option_env",
    "include_str",
    "include_bytes",
];

/// Macros whose format string (after the given number of leading
/// arguments) may name variables inline (`"{COUNTER}"`).
pub(crate) const FORMAT_MACROS: &[(&str, usize)] = &[
    ("format", 0),
    ("format_args", 0),
    ("panic", 0),
    ("unreachable", 0),
    ("todo", 0),
    ("unimplemented", 0),
    ("assert", 1),
    ("debug_assert", 1),
    ("assert_eq", 2),
    ("assert_ne", 2),
    ("debug_assert_eq", 2),
    ("debug_assert_ne", 2),
    ("write", 1),
    ("writeln", 1),
];

/// para's own macros: nested parallelism is allowed in kernels.
pub(crate) const PARA_MACROS: &[(&str, usize)] = &[("pmap", 1), ("preduce", 1), ("pmap_reduce", 2)];

/// Macros that perform I/O, with what they touch.
pub(crate) const IO_MACROS: &[(&str, &str)] = &[
    ("println", "writes to stdout"),
    ("print", "writes to stdout"),
    ("eprintln", "writes to stderr"),
    ("eprint", "writes to stderr"),
    ("dbg", "writes to stderr"),
];

/// Free functions of std (path after `std::`/`core::`/`alloc::`) that are
/// pure.
pub(crate) const PURE_STD_FNS: &[&str] = &[
    "cmp::min",
    "cmp::max",
    "cmp::min_by",
    "cmp::max_by",
    "cmp::min_by_key",
    "cmp::max_by_key",
    "mem::swap",
    "mem::replace",
    "mem::take",
    "mem::drop",
    "mem::size_of",
    "mem::size_of_val",
    "mem::align_of",
    "mem::discriminant",
    "iter::once",
    "iter::repeat",
    "iter::repeat_n",
    "iter::empty",
    "iter::zip",
    "iter::from_fn",
    "iter::successors",
    "convert::identity",
    "array::from_fn",
    "hint::black_box",
    "char::from_u32",
    "char::from_digit",
    "str::from_utf8",
    "string::String::new",
];

/// Bare function names that need no marker (the prelude's `drop`).
pub(crate) const PURE_BARE_FNS: &[&str] = &["drop"];

/// Std modules a kernel may not call into, with the reason.
pub(crate) const IMPURE_STD_MODULES: &[(&str, &str)] = &[
    ("fs", "touches the file system"),
    ("env", "reads or changes the process environment"),
    ("process", "controls the process"),
    ("thread", "spawns, parks or inspects threads"),
    ("io", "performs I/O"),
    ("net", "performs network I/O"),
    ("time", "reads the clock"),
    ("ptr", "works on raw pointers"),
    ("alloc", "allocates through raw pointers"),
    ("os", "calls into the operating system"),
    ("sync", "shares mutable state between threads"),
    ("cell", "creates interior-mutable state"),
    ("panic", "changes panic handling"),
];

/// Primitive types: all their associated functions are pure.
pub(crate) const PRIMITIVES: &[&str] = &[
    "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize", "f32",
    "f64", "bool", "char", "str",
];

/// Std types whose associated functions are pure, apart from
/// [`IMPURE_ASSOC_FNS`].
pub(crate) const PURE_STD_TYPES: &[&str] = &[
    "Vec",
    "String",
    "Box",
    "Option",
    "Result",
    "VecDeque",
    "HashMap",
    "HashSet",
    "BTreeMap",
    "BTreeSet",
    "BinaryHeap",
    "Rc",
    "Arc",
    "Cow",
    "Wrapping",
    "Saturating",
    "Reverse",
    "Ordering",
    "Duration",
    "PhantomData",
    "NonZeroUsize",
    "NonZeroU32",
    "NonZeroU64",
    "NonZero",
    "DefaultHasher",
    "BuildHasherDefault",
    "Range",
    "RangeInclusive",
];

/// Std traits that may be called by path (`Default::default()`); the impl
/// that runs is user code the macro cannot see (trusted, documented).
pub(crate) const PURE_STD_TRAITS: &[&str] = &[
    "Default",
    "From",
    "Into",
    "TryFrom",
    "TryInto",
    "Clone",
    "Iterator",
    "IntoIterator",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "FromIterator",
    "Extend",
    "Sum",
    "Product",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Add",
    "Sub",
    "Mul",
    "Div",
    "Rem",
    "Neg",
    "Not",
    "BitAnd",
    "BitOr",
    "BitXor",
    "Shl",
    "Shr",
    "ToString",
    "ToOwned",
    "AsRef",
    "Borrow",
    "FromStr",
];

const LEAKS: &str = "leaks memory into a `'static` borrow that outlives the call";
const RAW: &str = "works on raw pointers";
const CLOCK: &str = "reads the clock";

/// Associated functions that are not pure, with the reason.
pub(crate) const IMPURE_ASSOC_FNS: &[(&str, &str, &str)] = &[
    ("Instant", "now", CLOCK),
    ("SystemTime", "now", CLOCK),
    ("Box", "leak", LEAKS),
    ("Box", "from_raw", RAW),
    ("Box", "into_raw", RAW),
    ("Vec", "from_raw_parts", RAW),
    ("Vec", "leak", LEAKS),
    ("String", "from_raw_parts", RAW),
    ("String", "leak", LEAKS),
    ("Rc", "from_raw", RAW),
    ("Rc", "into_raw", RAW),
    ("Rc", "leak", LEAKS),
    ("Arc", "from_raw", RAW),
    ("Arc", "into_raw", RAW),
    ("Box", "into_raw_with_allocator", RAW),
    ("Vec", "into_raw_parts", RAW),
];

/// Map and set types whose plain constructors seed them with `RandomState`.
pub(crate) const RANDOM_STATE_TYPES: &[&str] = &["HashMap", "HashSet"];

/// The constructors that exist only for `RandomState` (others take the
/// hasher, which `PureData` then checks).
pub(crate) const RANDOM_STATE_CTORS: &[&str] = &["new", "with_capacity"];

/// Methods whose effect no type rule can see, rejected by name wherever
/// they are called in a kernel, with the reason.
pub(crate) const IMPURE_METHODS: &[(&str, &str)] = &[
    (
        "to_socket_addrs",
        "resolves host names (a DNS lookup over the network)",
    ),
    ("leak", LEAKS),
    ("into_raw", RAW),
    ("elapsed", CLOCK),
];

/// Std modules a kernel's body may not even import, with the reason.
pub(crate) const DENIED_USE_MODULES: &[(&str, &str)] = &[
    ("fs", "touches the file system"),
    ("net", "performs network I/O"),
    ("process", "controls the process"),
    ("thread", "spawns, parks or inspects threads"),
    ("env", "reads or changes the process environment"),
];

/// Items of otherwise allowed std modules a kernel's body may not import:
/// `(module, item, reason)`; a glob import of the module is denied too.
pub(crate) const DENIED_USE_ITEMS: &[(&str, &str, &str)] = &[
    ("time", "Instant", CLOCK),
    ("time", "SystemTime", CLOCK),
    ("time", "UNIX_EPOCH", CLOCK),
    ("io", "stdin", "reads standard input"),
    ("io", "stdout", "writes to standard output"),
    ("io", "stderr", "writes to standard error"),
    ("io", "Stdin", "reads standard input"),
    ("io", "Stdout", "writes to standard output"),
    ("io", "Stderr", "writes to standard error"),
];

/// Whether a type name is an atomic (`AtomicUsize`, `AtomicPtr`, ...).
pub(crate) fn is_atomic(name: &str) -> bool {
    name.starts_with("Atomic")
}

/// `UPPER_CASE` by convention: a const or a static.
pub(crate) fn is_upper(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// `CamelCase` by convention: a type, a variant or a tuple struct.
pub(crate) fn is_camel(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && !is_upper(name)
}
