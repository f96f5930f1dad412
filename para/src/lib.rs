//! # para: data-parallel pure kernels
//!
//! Placeholder crate docs; completed with the README.
#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

pub use para_runtime::{
    dispose_workers, effect, global, reset_heuristic, BuildError, CallOptions, Effect, IntoSource, Item, Pool,
    PoolBuilder, RangeSource, Rows, RowsError, Signal, Signals, SliceSource, Source, SourceItem, Subscription, VecSource,
};
