//! Runtime-agnostic sync primitives: [`Mutex`] and [`Semaphore`], thin
//! layers over one batch semaphore (`batch.rs`, whose header explains the
//! protocol).

pub(crate) mod batch;
mod mutex;
mod semaphore;

pub use mutex::{Lock, Mutex, MutexGuard, OwnedMutexGuard};
pub use semaphore::{Acquire, AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit};
