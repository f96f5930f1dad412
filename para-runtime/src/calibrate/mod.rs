//! What a kernel costs, and what the pool does with that knowledge.
//!
//! - [`cache`]: the per-pool table that remembers each kernel's cost, read
//!   without locks on every call.
//! - [`rules`]: when an estimate is trusted, when a probe's estimate
//!   replaces it, when a timed call corrects it, and when a worker counts
//!   as awake: plain functions of numbers, unit-tested without threads.
//!
//! The pool's driver (`pool/drive.rs`) reads the clock, calls these rules
//! and writes the cache; nothing here starts a thread or reads a clock.

mod cache;
pub(crate) mod rules;

pub(crate) use cache::{key_of, reset_all, CallKind, CostCache};

/// A cost estimate: nanoseconds per item, and whether it was measured on
/// enough work ([`PROBE_NS`](crate::chunk::PROBE_NS)) to be trusted for a
/// big call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Cost {
    pub(crate) ns_per_item: f64,
    pub(crate) confident: bool,
}
