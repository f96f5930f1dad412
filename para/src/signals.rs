//! Live counters of a pool: [`Signals`], each counter a [`Signal`] that can
//! be read, subscribed to ([`Subscription`]) or watched by an [`effect`]
//! (kept alive by its [`Effect`] handle).
//!
//! [`Pool::signals`](crate::Pool::signals) hands out the pool's four
//! counters (`workers_count`, `queued`, `inflight`, `completed`). Callbacks
//! run on para's notifier thread, never on a pool worker and never two at
//! once; bursts of changes may coalesce, but after the last change the
//! callbacks see the final values. With no subscriber and no effect, a
//! signal costs the pool no more than an atomic counter.
//!
//! [`effect`] is an everyday name and stays at the crate root as well; the
//! types are named from here (their old root paths, `para::Signals` and the
//! rest, keep working and are hidden from the root's docs).
//!
//! ```
//! use para::signals::{effect, Effect, Signals, Subscription};
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use std::sync::Arc;
//!
//! let pool = para::Pool::builder().concurrency(2).build()?;
//! let s: Signals = pool.signals();
//! assert_eq!(s.workers_count.get(), 2);
//!
//! // A progress reader: the latest `completed` value, delivered off the pool.
//! let done = Arc::new(AtomicUsize::new(0));
//! let d = Arc::clone(&done);
//! let sub: Subscription = s.completed.subscribe(move |n| d.store(n, Ordering::SeqCst));
//!
//! // An effect runs once now, then whenever a signal it read changes.
//! let runs = Arc::new(AtomicUsize::new(0));
//! let (r, workers) = (Arc::clone(&runs), s.workers_count.clone());
//! let fx: Effect = effect(move || {
//!     let _ = workers.get();
//!     r.fetch_add(1, Ordering::SeqCst);
//! });
//! assert_eq!(runs.load(Ordering::SeqCst), 1);
//!
//! let _ = pool.map(|i: usize| i * 2, 0..10_000);
//! assert_eq!(s.completed.get(), 10_000);
//! while done.load(Ordering::SeqCst) != 10_000 {
//!     std::thread::yield_now(); // the notifier delivers the final value
//! }
//! drop((sub, fx)); // unsubscribe, stop the effect
//! # Ok::<(), para::BuildError>(())
//! ```

#[doc(inline)]
pub use para_runtime::{effect, Effect, Signal, Signals, Subscription};
