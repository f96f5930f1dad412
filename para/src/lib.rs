//! # para: data-parallel pure kernels
//!
//! Placeholder crate docs; completed with the README.
#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

pub use para_macros::{pmap, pmap_reduce, preduce, pure};
pub use para_runtime::{
    dispose_workers, effect, global, kernels, reset_heuristic, Acquire, AcquireError, BuildError,
    CallOptions, DispatchError, DispatchFuture, Effect, IntoSource, Item, KernelInfo, Lock, Mutex,
    MutexGuard, OwnedMutexGuard, OwnedSemaphorePermit, Pool, PoolBuilder, RangeSource, Rows,
    RowsError, Semaphore, SemaphorePermit, Signal, Signals, SliceSource, Source, SourceItem,
    Subscription, VecSource,
};

#[doc(hidden)]
pub mod __private;
