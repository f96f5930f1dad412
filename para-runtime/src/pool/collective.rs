//! The collective calls beyond map and reduce, each deterministic:
//!
//! - `map_into.rs`: map into caller-owned [`Outputs`](crate::Outputs)
//!   (`map_rows_into`, `map_outputs_with`), allocating nothing;
//! - `fold.rs`: `fold`, a reduction whose accumulator differs from the
//!   items (one sequential fold per block, blocks combined in order);
//! - `try_map.rs`: `try_map` and [`TryItem`], a map that stops at the
//!   lowest failing index;
//! - `chain.rs`: the in-order hand-over of a value from each block to the
//!   next that `scan` and `filter` build on (their single pass);
//! - `scan.rs`: `scan`, the inclusive prefix (reduce-then-scan per block);
//! - `filter.rs`: `filter`, the kept items in order.
//!
//! Every call builds its units and hands them to the one driver
//! (`drive.rs`), as `calls.rs` does: independent units through
//! `Shared::run`, ordered ones as a `Units` of their own through
//! `Shared::drive`.

mod chain;
mod filter;
mod fold;
mod map_into;
mod scan;
mod try_map;

pub use try_map::TryItem;
