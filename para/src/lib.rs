//! # para: data-parallel pure kernels
//!
//! para runs *pure kernels* (functions checked at compile time to have no
//! side effects and no hidden state) chunked over slices, row views and
//! ranges, on a persistent worker pool. A first-call calibration decides
//! whether parallel work pays, so small or cheap calls run inline on the
//! caller; reductions are deterministic, bit-identical for any thread
//! count. Explicit pools add dispatch by name, live signals and clean
//! teardown; [`Mutex`] and [`Semaphore`] work under any executor.
//!
//! ```
//! use para::{pmap, preduce, pure, Rows};
//!
//! #[pure]
//! fn score(row: &[f32]) -> f32 {
//!     row.iter().fold(0.0, |a, b| a + b * b)
//! }
//!
//! #[pure]
//! fn add(a: f32, b: f32) -> f32 {
//!     a + b
//! }
//!
//! let data: Vec<f32> = (0..64 * 1000).map(|i| (i % 10) as f32).collect();
//! let rows = Rows::new(&data, 64)?;
//! let scores: Vec<f32> = pmap!(score, rows);
//! let total: f32 = preduce!(add, 0.0, &scores);
//! assert_eq!(scores.len(), 1000);
//! assert_eq!(total, preduce!(add, 0.0, &scores, concurrency = 1)); // same bits
//! # Ok::<(), para::RowsError>(())
//! ```
//!
//! With the cargo feature `mpi`, the same kernels run across processes and
//! machines: `pmap!(score, rows, cluster = &cluster)` with a
//! `para::mpi::Cluster` reads the input on the root rank, shares it out on
//! the reduction's block boundaries and gathers the results on the root; a
//! cluster `preduce!` is bit-identical to the single-process one.
//!
//! The repository's README has the guide: the mapping from the original
//! `para:parallel` module, the comparison with rayon, measured numbers, and
//! what rustc proves about a kernel and what stays trusted.
//!
//! ## Where the names live
//! The root holds what a program names every day: the macros,
//! [`PureData`](trait@PureData), [`Pool`], [`PoolBuilder`], [`CallOptions`],
//! [`Rows`], [`Chunks`], [`Lines`], [`global`], [`effect`], [`kernels`] ([`KernelInfo`]),
//! [`dispose_workers`], [`reset_heuristic`], the errors and [`Mutex`] /
//! [`Semaphore`]. The plumbing lives in modules: [`input`] (the `Source`
//! trait family, for inputs of your own), [`sync`] (the guards, permits and
//! futures of the sync primitives) and [`signals`] (a pool's live counters,
//! subscriptions and effects). The plumbing's root paths of earlier
//! releases (`para::Source`, `para::MutexGuard`, `para::Signals`, ...) keep
//! working.
//!
//! ## Guarantees in short
//! - `pmap!` keeps length and order: `out[i] == kernel(input[i])`.
//! - `preduce!` / `pmap_reduce!` cut the input into blocks whose length
//!   depends only on the input length (or an explicit `chunk_size`), so the
//!   association tree, and every floating-point bit, is the same for every
//!   thread count, run and calibration. Non-commutative functions work.
//! - A panic in a kernel stops the call and is re-raised in the caller
//!   with its payload; the pool keeps its workers.
//! - Calls nest (a kernel may call `pmap!`) without deadlock.
//! - Bad input is a typed error ([`RowsError`], [`BuildError`],
//!   [`DispatchError`]) or a compile error at the offending token.
#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

/// Checks at compile time that a free function is a pure kernel, and
/// registers it by name.
///
/// ```
/// #[para::pure]
/// fn score(row: &[f32]) -> f32 {
///     row.iter().fold(0.0, |a, b| a + b * b)
/// }
///
/// #[para::pure(name = "rankBatch")] // registry name; default: the fn's name
/// fn rank_batch(batch: &[f32]) -> Vec<u32> {
///     let mut idx: Vec<u32> = (0..batch.len() as u32).collect();
///     idx.sort_by(|&a, &b| batch[b as usize].total_cmp(&batch[a as usize]));
///     idx
/// }
///
/// assert_eq!(score(&[1.0, 2.0]), 5.0); // still an ordinary function
/// assert!(para::kernels().any(|k| k.name == "rankBatch"));
/// ```
///
/// # Rules
/// Every violation is reported (not only the first), spanned on the
/// offending token, with a message that names the rule and what to do.
///
/// ## What rustc proves
/// The macro turns what a kernel *sees* into bounds that rustc resolves,
/// so aliases, imports, generics and nested types are seen as they are:
///
/// - **every parameter's type is [`PureData`]** (plain data: no interior
///   mutability at any depth, no `&mut`, no pointers or callables, no
///   handle to the world such as a file, a channel end, an `Instant` or a
///   `PathBuf`, no `RandomState` map). A type alias of an atomic, a
///   `Vec<Cell<_>>`, a `&dyn Fn` parameter all fail with `PureData`'s
///   message at the parameter's type. Type parameters and `impl Trait`
///   parameters get the bound in the signature, so every instantiation is
///   plain data. The one `&mut` allowed is the kernel's output slot,
///   marked `#[out]` (`#[out] row: &mut [f32]`, for `pmap_into!`);
/// - **every global the body reads** (a `const` or `static`, whatever its
///   case; a CamelCase static is recognised where it is used as a place,
///   as a method's receiver, a field's base, a borrow or an index base) is
///   `PureData`, and a const-evaluated byte read of it succeeds (E0080
///   "constant accesses mutable global memory" for a static with interior
///   mutability);
/// - **a closure kernel's parameters** (annotated or inferred) are
///   `PureData`, checked inside the closure where rustc knows their types;
/// - **every function the body calls or passes as a value** is a `#[pure]`
///   fn: the call goes through the callee's kernel marker
///   (`<score>::__para_fn(x)`), so a plain fn fails with `expected type,
///   found function`, and a local fn that shadows a glob-imported kernel
///   can never run in its place;
/// - **associated functions** of types the allow-list does not know by name
///   (a type alias of a `Vec`, say) are checked to belong to a std type
///   whose functions are pure.
///
/// ## What the macro checks by name
/// - no `unsafe` blocks, `unsafe fn` or `unsafe impl`; no `static`,
///   `static mut`, `thread_local!` or `extern` items in the body;
/// - no I/O macros (`println!`, `print!`, `eprintln!`, `eprint!`, `dbg!`;
///   `write!`/`writeln!` only to a local or a field of one) and no macro the
///   checker cannot see into. The pure std macros (`vec!`, `format!` with
///   inline and named arguments, `assert*!`, `panic!`, `matches!`, ...) and
///   para's call macros are parsed and checked;
/// - std items: the allow-list (primitive types' functions,
///   `std::cmp::{min, max}`, `std::mem::{swap, replace, take}`,
///   `std::iter::{once, repeat, zip, ...}`, the collections', strings' and
///   `Duration`'s associated functions, std's constants) resolves through
///   `use` in the body (`use std::cmp; cmp::max(a, b)` is fine). Importing
///   `std::{fs, net, process, thread, env}`, a clock (`Instant`,
///   `SystemTime`) or standard I/O is an error at the `use`. Effects no
///   type can show are rejected by name with the reason: `Instant::now`,
///   `SystemTime::now`, `HashMap::new` / `HashSet::new` / `with_capacity`
///   (their `RandomState` seed makes iteration order, and so results,
///   vary; use `BTreeMap` or `with_hasher`), `Box::leak`, `into_raw`, and
///   the methods `to_socket_addrs` (a DNS lookup), `leak`, `into_raw` and
///   `elapsed`;
/// - `impl` and `trait` items inside the body are checked like the body.
///
/// A `Cell` or an atomic *created* in the body is allowed: nobody outside
/// the call can observe it (parameters and globals of those types are
/// still rejected).
///
/// Ordinary pure code passes: iterator chains, local closures, math
/// methods, consts and associated consts, patterns, labelled loops,
/// shadowing, `?`, generics and const generics, `use` items, consts and
/// nested `#[pure]` fns in the body.
///
/// ## What stays trusted
/// Rust runs some user code implicitly, and a macro cannot follow it:
/// - **methods and operator impls of user types** (`x.foo()`, `a + b`):
///   `#[derive(PureData)]` on a type is the user's promise that its
///   methods called from kernels are pure (that is why a parameter of a
///   type without the derive is refused);
/// - **`Drop` and `Deref` impls**, and **trait-generic calls** (`T::f()`,
///   `<T as Trait>::f()`), resolved per instantiation;
/// - kernel calls inside the arguments of a macro (`assert!(score(x) > 0)`)
///   are checked through the marker but run as written;
/// - a manual `unsafe impl PureData` is the implementer's promise.
///
/// # Registration
/// Non-generic kernels are registered (in a `linkme` link-section slice) so that
/// [`Pool::dispatch`] finds them by name and [`kernels`] lists them. A
/// registered kernel's owned argument types (`Vec<T>` for `&[T]`, `String`
/// for `&str`, `T` for `&T`) and its return type must be `Send + 'static`;
/// `#[pure(register = false)]` opts out. A kernel in a dependency crate is
/// registered only if the final binary links that crate: name it once
/// (`use that_crate as _;`).
#[doc(inline)]
pub use para_macros::pure;

/// Maps a pure kernel over an input in parallel: `Vec<U>` with `out[i] ==
/// kernel(input[i])`.
///
/// ```
/// use para::{pmap, pure, Rows};
///
/// #[pure]
/// fn cheap(x: f32) -> f32 { x * 2.0 + 1.0 }       // by value: Copy items
///
/// #[pure]
/// fn norm2(row: &[f32]) -> f32 { row.iter().map(|x| x * x).sum() }
///
/// let v: Vec<f32> = (0..10_000).map(|i| i as f32).collect();
/// let a: Vec<f32> = pmap!(cheap, &v);
/// let b = pmap!(norm2, Rows::new(&v, 100)?, chunk_size = 8, concurrency = 2);
/// let c = pmap!(|i: usize| i * i, 0..10);              // a closure literal
/// let pool = para::Pool::builder().concurrency(2).build()?;
/// let d = pmap!(cheap, &v, pool = &pool);
/// assert_eq!((a.len(), b.len(), c[3], d[1]), (10_000, 100, 9, 3.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// - KERNEL: a path to a `#[pure]` fn (called through its marker, so a
///   shadowing local fn or closure of the same name never runs), or a
///   closure literal that captures nothing and passes the `#[pure]` rules.
/// - INPUT: `&[T]`, `&Vec<T>`, `&[T; N]`, `Vec<T>` (items `&T`), [`Rows`]
///   (items `&[T]`), `Range<usize>` / `RangeInclusive<usize>` (items
///   `usize`); any other `IntoIterator` is collected into a `Vec` first.
///   A kernel takes its item by reference, or by value for `Copy` items.
///   Temporaries in the input expression live for the whole call.
/// - Options: `concurrency = N` (pool workers that may help; the calling
///   thread works too; capped at the pool's), `chunk_size = N`, `pool =
///   &pool` (default: [`global()`]). Unknown or repeated options and a
///   literal `0` are compile errors; a runtime 0 panics.
///
/// # Context arguments and zipped inputs
///
/// A kernel may be written as a call with `_` holes: the holes receive the
/// item, every other argument is *context*, evaluated once before the call
/// and shared read-only by every item. A context value must be
/// [`PureData`](trait@PureData)` + Sync` (checked at its token); it is
/// passed to each item as written, so data goes by reference (`&b`) and
/// `Copy` scalars by value. A tuple of 2 to 4 inputs zips them: item `i`
/// is `(x[i], y[i])`, handed to the holes in order (or to the kernel's
/// parameters, for a bare path). Inputs of different lengths panic, naming
/// both lengths, before anything runs.
///
/// ```
/// use para::{pmap, pure};
///
/// #[pure]
/// fn dot(a: &[f32], b: &[f32], n: usize, ij: usize) -> f32 {
///     let (i, j) = (ij / n, ij % n);
///     (0..n).map(|k| a[i * n + k] * b[k * n + j]).sum()
/// }
/// #[pure]
/// fn axpy(a: f32, x: f32, y: f32) -> f32 { a * x + y }
///
/// let n = 8;
/// let a: Vec<f32> = (0..n * n).map(|i| i as f32).collect();
/// let id: Vec<f32> = (0..n * n).map(|i| (i / n == i % n) as u8 as f32).collect();
/// let c: Vec<f32> = pmap!(dot(&a, &id, n, _), 0..n * n);     // three context arguments
/// assert_eq!(c, a);
/// let y = pmap!(axpy(2.0, _, _), (&a, &c));                   // two inputs zipped
/// assert_eq!(y[3], 9.0);
/// let z: Vec<f32> = pmap!(|x: f32, y: f32| x - y, (&a, &c));  // a closure takes them spread
/// assert!(z.iter().all(|&d| d == 0.0));
/// ```
#[doc(inline)]
pub use para_macros::pmap;

/// Maps into an existing output, allocating nothing:
/// `pmap_into!(kernel, input, out, options...)`.
///
/// `out` is `&mut [U]` (or `&mut Vec<U>`): `out[i] = kernel(item i)`, the
/// old values dropped. Or it is [`RowsMut`]: the kernel has an `#[out]
/// &mut [U]` parameter, which is not a hole: `pmap_into!` hands it row `i`
/// (in any position of the kernel's signature). A closure kernel either
/// returns the output (`|x| ..`) or takes the slot after the item
/// (`|x, row: &mut [f32]| ..`). Lengths that differ panic, naming both,
/// before anything runs.
///
/// ```
/// use para::{pmap_into, pure, RowsMut};
///
/// #[pure]
/// fn blur_row(img: &[f32], w: usize, y: usize, #[out] row: &mut [f32]) {
///     let h = img.len() / w;
///     for x in 0..w {
///         let (lo, hi) = (y.saturating_sub(1), (y + 1).min(h - 1));
///         let s: f32 = (lo..=hi).map(|yy| img[yy * w + x]).sum();
///         row[x] = s / (hi - lo + 1) as f32;
///     }
/// }
/// #[pure]
/// fn twice(x: &f32) -> f32 { 2.0 * x }
///
/// let (w, h) = (16, 9);
/// let img: Vec<f32> = (0..w * h).map(|i| (i % 5) as f32).collect();
/// let mut out = vec![0.0_f32; w * h];
/// pmap_into!(blur_row(&img, w, _), 0..h, RowsMut::new(&mut out, w)?);
/// assert_eq!(out[w], (img[0] + img[w] + img[2 * w]) / 3.0);
/// let mut doubled = vec![0.0; img.len()];
/// pmap_into!(twice, &img, &mut doubled);
/// assert_eq!(doubled[4], 8.0);
/// # Ok::<(), para::RowsError>(())
/// ```
#[doc(inline)]
pub use para_macros::pmap_into;

/// Folds into an accumulator of any type:
/// `pfold!(fold, combine, init, input, options...)`.
///
/// `fold(acc, item) -> acc`, `combine(acc, acc) -> acc`. The input is cut
/// into the blocks `preduce!` uses (a function of the length and an
/// explicit `chunk_size` only); each block folds from a clone of `init` in
/// input order, and block results combine in input order (left to right
/// from the first block's; `init` must be an identity of `combine`), so
/// the result is the same for every thread count and run. With holes, the
/// fold's are `(acc, item)` in that order.
///
/// ```
/// use para::{pfold, pure};
///
/// #[pure]
/// fn bump(mut h: [u64; 4], b: &u8) -> [u64; 4] { h[(*b % 4) as usize] += 1; h }
/// #[pure]
/// fn merge(mut a: [u64; 4], b: [u64; 4]) -> [u64; 4] {
///     for i in 0..4 { a[i] += b[i]; }
///     a
/// }
/// #[pure]
/// fn nearest_count(centres: &[f32], mut n: Vec<u32>, x: &f32) -> Vec<u32> {
///     let best = (0..centres.len())
///         .min_by(|&a, &b| (centres[a] - x).abs().total_cmp(&(centres[b] - x).abs()))
///         .unwrap_or(0);
///     n[best] += 1;
///     n
/// }
/// #[pure]
/// fn add_counts(mut a: Vec<u32>, b: Vec<u32>) -> Vec<u32> {
///     for (x, y) in a.iter_mut().zip(b) { *x += y; }
///     a
/// }
///
/// let bytes: Vec<u8> = (0..10_000u32).map(|i| (i * 7) as u8).collect();
/// assert_eq!(pfold!(bump, merge, [0; 4], &bytes), [2500; 4]);
/// let xs: Vec<f32> = (0..1000).map(|i| i as f32).collect();
/// let centres = [100.0_f32, 900.0];
/// let counts = pfold!(nearest_count(&centres, _, _), add_counts, vec![0; 2], &xs);
/// assert_eq!(counts, [501, 499]);                           // 500 is as near to both: the first wins
/// ```
#[doc(inline)]
pub use para_macros::pfold;

/// Maps a fallible kernel: `try_pmap!(kernel, input, options...)`.
///
/// The kernel returns `Result<U, E>` (the answer is `Result<Vec<U>, E>`)
/// or `Option<U>` (answered `Option<Vec<U>>`). On failure the answer is the
/// error of the *lowest* failing index, the same for every thread count and
/// run; items above a known failure stop being started, and the outputs
/// already made are dropped.
///
/// ```
/// use para::{try_pmap, pure, Lines};
///
/// #[pure]
/// fn parse(line: &str) -> Result<u32, std::num::ParseIntError> { line.trim().parse() }
///
/// let text = "1\n2\n3\n";
/// assert_eq!(try_pmap!(parse, Lines::new(text)), Ok(vec![1, 2, 3]));
/// let bad = "1\nx\n3\ny\n";
/// assert!(try_pmap!(parse, Lines::new(bad)).is_err());
/// let halves = try_pmap!(|x: &u32| (x % 2 == 0).then_some(x / 2), &[2, 4, 6]);
/// assert_eq!(halves, Some(vec![1, 2, 3]));
/// ```
#[doc(inline)]
pub use para_macros::try_pmap;

/// Inclusive prefix scan: `pscan!(f, init, input, options...)`, `out[i]`
/// the fold of items `0..=i` with `f` (associative, `init` its identity).
/// The association tree depends only on the length (and an explicit
/// `chunk_size`), so the bits are the same for every thread count.
///
/// ```
/// let counts: Vec<u64> = (1..=5).collect();
/// assert_eq!(para::pscan!(|a, b| a + b, 0, &counts), [1, 3, 6, 10, 15]);
/// ```
#[doc(inline)]
pub use para_macros::pscan;

/// The items a predicate accepts, in input order, cloned:
/// `pfilter!(pred, input, options...)`.
///
/// ```
/// use para::{pfilter, pure};
///
/// #[pure]
/// fn above(limit: u32, x: &u32) -> bool { *x > limit }
///
/// let v: Vec<u32> = (0..100).collect();
/// assert_eq!(pfilter!(|x: &u32| x % 10 == 0, &v), [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
/// assert_eq!(pfilter!(above(96, _), &v), [97, 98, 99]);
/// ```
#[doc(inline)]
pub use para_macros::pfilter;

/// Reduces an input in parallel, deterministically.
///
/// `preduce!(f, init, input, options...)`: `f` is associative (not
/// necessarily commutative), `init` its identity. The association tree
/// depends only on the input length (and an explicit `chunk_size`): the
/// result is bit-identical for every thread count and run.
///
/// ```
/// use para::{preduce, pure};
///
/// #[pure]
/// fn concat(a: String, b: String) -> String { a + &b }
///
/// let words: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
/// assert_eq!(preduce!(concat, String::new(), &words), words.concat());
/// let xs: Vec<f64> = (0..100_000).map(|i| (i as f64).sin()).collect();
/// let a = preduce!(|a, b| a + b, 0.0, &xs);
/// let b = preduce!(|a, b| a + b, 0.0, &xs, concurrency = 1);
/// assert_eq!(a.to_bits(), b.to_bits());
/// assert_eq!(preduce!(|a, b| a + b, 0, &Vec::<i32>::new()), 0); // empty: init
/// ```
#[doc(inline)]
pub use para_macros::preduce;

/// Maps and reduces in one pass, without an intermediate `Vec`:
/// `pmap_reduce!(kernel, f, init, input, options...)`, bit-identical to
/// `preduce!(f, init, &pmap!(kernel, input))`.
///
/// ```
/// use para::{pmap, pmap_reduce, preduce, pure, Rows};
///
/// #[pure]
/// fn score(row: &[f32]) -> f32 { row.iter().fold(0.0, |a, b| a + b * b) }
/// #[pure]
/// fn add(a: f32, b: f32) -> f32 { a + b }
///
/// let data: Vec<f32> = (0..6400).map(|i| (i % 7) as f32).collect();
/// let rows = Rows::new(&data, 64)?;
/// let fused = pmap_reduce!(score, add, 0.0, rows);
/// assert_eq!(fused.to_bits(), preduce!(add, 0.0, &pmap!(score, rows)).to_bits());
/// # Ok::<(), para::RowsError>(())
/// ```
#[doc(inline)]
pub use para_macros::pmap_reduce;

/// [`pmap!`] as a future: `pmap_async!(kernel, input, options...).await`.
///
/// The same kernel checks, options, results and float bits as `pmap!`;
/// the input is owned (`Vec<T>`, `Arc<[T]>`, `Arc<Vec<T>>`,
/// [`OwnedRows`], ranges) and moves into the future,
/// which is `Send + 'static` and runs on any executor. The calling task
/// never blocks and never runs chunks: the pool's workers do. Context
/// arguments move into the future too: `&x` in a context position moves
/// `x` (owned, or an `Arc`) and lends it to every item.
///
/// # Cancel safety
/// Dropping the future cancels the call: chunks not yet started never
/// start, running chunks finish, the input is dropped after the last one,
/// and the pool's signals return to 0.
///
/// ```
/// use para::{pmap_async, pure};
///
/// #[pure]
/// fn scale(k: f32, x: &f32) -> f32 { k * x }
///
/// let xs: Vec<f32> = (0..10_000).map(|i| i as f32).collect();
/// let ys = futures::executor::block_on(pmap_async!(scale(2.0, _), xs));
/// assert_eq!(ys[21], 42.0);
/// ```
#[doc(inline)]
pub use para_macros::pmap_async;

/// [`preduce!`] as a future; see [`pmap_async!`] for inputs, executors and
/// cancel safety.
///
/// # Cancel safety
/// As for [`pmap_async!`]: dropping the future cancels the call.
///
/// ```
/// let total = futures::executor::block_on(para::preduce_async!(|a, b| a + b, 0_usize, 1..=100_usize));
/// assert_eq!(total, 5050);
/// ```
#[doc(inline)]
pub use para_macros::preduce_async;

/// [`pmap_reduce!`] as a future; see [`pmap_async!`].
///
/// # Cancel safety
/// As for [`pmap_async!`]: dropping the future cancels the call.
///
/// ```
/// let v: Vec<f64> = (0..1000).map(f64::from).collect();
/// let fused = para::pmap_reduce_async!(|x: &f64| x * x, |a, b| a + b, 0.0, v.clone());
/// let blocking = para::pmap_reduce!(|x: &f64| x * x, |a, b| a + b, 0.0, &v);
/// assert_eq!(futures::executor::block_on(fused).to_bits(), blocking.to_bits());
/// ```
#[doc(inline)]
pub use para_macros::pmap_reduce_async;

/// Plain data: the types whose values a `#[pure]` kernel may see.
///
/// Each kernel input (parameter, global named in the body, context
/// argument) must implement `PureData`; rustc checks it, so aliases,
/// imports and generics are seen through. Derive it for your own types:
/// `#[derive(para::PureData)]` requires every field to be `PureData`, and
/// works on structs (named, tuple, unit), generic ones (each type
/// parameter gets a `PureData` bound) and enums, recursive ones included.
///
/// ```
/// use para::{pure, PureData};
/// use std::collections::{BTreeMap, HashMap};
/// use std::hash::{BuildHasherDefault, DefaultHasher};
///
/// #[derive(PureData)]
/// struct Centroids {
///     xs: Vec<f32>,
///     ys: Vec<f32>,
/// }
///
/// #[derive(PureData)]
/// enum Metric {
///     Euclid,
///     Scaled { by: f32 },
/// }
///
/// #[derive(PureData)]
/// struct Tree<T> {
///     value: T,
///     kids: Vec<Tree<T>>, // recursive types are fine
/// }
///
/// // A fixed hasher, not std's `RandomState`: iteration order is the same on every run.
/// type Fixed = BuildHasherDefault<DefaultHasher>;
///
/// #[derive(PureData)]
/// struct Index(BTreeMap<String, u32>, HashMap<u32, f32, Fixed>);
///
/// #[pure]
/// fn nearest(c: &Centroids, p: &[f32]) -> u32 {
///     let d = |i: usize| (c.xs[i] - p[0]).powi(2) + (c.ys[i] - p[1]).powi(2);
///     (0..c.xs.len()).min_by(|&a, &b| d(a).total_cmp(&d(b))).unwrap_or(0) as u32
/// }
///
/// fn is_pure<T: ?Sized + PureData>() {}
/// is_pure::<Metric>();
/// is_pure::<Tree<(u8, String)>>();
/// is_pure::<Index>();
///
/// let c = Centroids { xs: vec![0.0, 5.0], ys: vec![0.0, 5.0] };
/// assert_eq!(nearest(&c, &[4.0, 4.5]), 1);
/// ```
///
/// See the trait's `# Safety` for the contract a hand-written
/// `unsafe impl` promises, and the lists of what is and is not plain data.
#[doc(inline)]
pub use para_runtime::PureData;

/// Derives [`PureData`](trait@PureData) for a struct or enum whose every
/// field is `PureData`; each type parameter gets a `T: PureData` bound, and
/// the type's own where-clause is kept.
///
/// A field that is not plain data is an error at that field's type, with
/// the rule and the fix:
///
/// ```compile_fail,E0277
/// use std::cell::Cell;
///
/// #[derive(para::PureData)]
/// struct Counter {
///     hits: Cell<u32>, // error: `Cell<u32>` is not plain data
/// }
/// ```
///
/// A union is refused (its bytes are reinterpreted): if one is plain data,
/// implement the trait by hand with `unsafe impl`.
#[doc(inline)]
pub use para_macros::PureData;

pub use para_runtime::{
    dispose_workers, effect, global, kernels, reset_heuristic, AcquireError, BuildError,
    CallOptions, Chunks, DispatchError, DispatchFuture, KernelInfo, Lines, Mutex, Pool,
    PoolBuilder, Rows, RowsError, RowsMut, Semaphore,
};
// What a `try_pmap!` kernel returns (`Result<U, E>` or `Option<U>`).
pub use para_runtime::TryItem;
// The future of an async call (`Pool::map_async`, `pmap_async!`, ...).
pub use para_runtime::AsyncCall;

pub mod input;
pub mod signals;
pub mod sync;

// The plumbing's old root paths keep working (API.md: where a name moves,
// the old path keeps working); each module's docs say which names it holds.
#[doc(hidden)]
pub use input::{
    IntoSource, Item, OwnedRows, RangeSource, SliceSource, Source, SourceItem, VecSource, Zip2,
    Zip3, Zip4,
};
#[doc(hidden)]
pub use signals::{Effect, Signal, Signals, Subscription};
#[doc(hidden)]
pub use sync::{Acquire, Lock, MutexGuard, OwnedMutexGuard, OwnedSemaphorePermit, SemaphorePermit};

/// The same kernels across MPI ranks (cargo feature `mpi`): [`mpi::Cluster`].
#[cfg(feature = "mpi")]
pub use para_runtime::mpi;

#[doc(hidden)]
pub mod __private;
