//! The engine behind [para](https://docs.rs/para): a persistent worker pool
//! with calibrated chunking, deterministic reductions, live signals, the
//! kernel registry and runtime-agnostic sync primitives.
//!
//! Use it through the `para` facade crate; this crate's items are
//! re-exported there.
#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

mod barrier;
mod calibrate;
mod chunk;
mod dispatch;
mod env;
mod error;
mod global;
mod input;
pub(crate) mod loom;
mod mem;
#[cfg(feature = "metrics")]
mod metrics;
#[cfg(feature = "mpi")]
pub mod mpi;
mod pool;
mod pure_data;
mod reduce;
mod registry;
mod signals;
mod sync;
mod unwind;
mod wide;

#[cfg(all(test, loom))]
mod loom_tests;

pub use dispatch::{DispatchError, DispatchFuture};
pub use error::{BuildError, RowsError};
pub use global::{dispose_workers, global};
pub use input::{ArcSource, SharedSlice};
#[cfg(feature = "ndarray")]
pub use input::{
    ArrayOut, ArrayRows, ArrayRowsMut, ArraySource, StridedIter, StridedRow, StridedRows,
};
pub use input::{
    AsIs, Chunks, IntoSource, Item, Lines, OwnedRows, RangeSource, Rows, SliceSource, Source,
    SourceItem, VecSource, Zip2, Zip3, Zip4,
};
pub use input::{IntoOutputs, Outputs, RowsMut, SliceOut};
pub use pool::AsyncCall;
pub use pool::{reset_heuristic, CallOptions, Pool, PoolBuilder, TryItem};
pub use pure_data::PureData;
#[doc(hidden)]
pub use registry::KERNELS;
pub use registry::{kernels, KernelInfo};
pub use signals::{effect, Effect, Signal, Signals, Subscription};
pub use sync::{
    Acquire, AcquireError, Lock, Mutex, MutexGuard, OwnedMutexGuard, OwnedSemaphorePermit,
    Semaphore, SemaphorePermit,
};
