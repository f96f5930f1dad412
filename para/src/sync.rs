//! Runtime-agnostic sync primitives: [`Mutex`], [`Semaphore`] and every
//! type they hand out.
//!
//! The futures ([`Lock`], [`Acquire`]) work under any executor (tokio,
//! smol, `futures::executor::block_on`), and the `_blocking` forms work
//! without one. Waiters queue first-in first-out, async and blocking alike;
//! each async method documents its `# Cancel safety`. The guards
//! ([`MutexGuard`], [`OwnedMutexGuard`]) and permits ([`SemaphorePermit`],
//! [`OwnedSemaphorePermit`]) release on drop; the owned forms hold an
//! `Arc` and are `'static`. [`AcquireError`] says why an acquire failed
//! (the semaphore was closed).
//!
//! `Mutex`, `Semaphore` and `AcquireError` are everyday names and stay at
//! the crate root as well; the guards, permits and futures are named from
//! here (their old root paths, `para::MutexGuard` and the rest, keep
//! working and are hidden from the root's docs).
//!
//! ```
//! use para::sync::{AcquireError, Mutex, MutexGuard, OwnedSemaphorePermit, Semaphore};
//! use std::sync::Arc;
//!
//! /// The first slot nobody holds, locked.
//! fn first_free(slots: &[Mutex<u32>]) -> Option<MutexGuard<'_, u32>> {
//!     slots.iter().find_map(|m| m.try_lock())
//! }
//!
//! let slots = [Mutex::new(0), Mutex::new(0)];
//! let held = slots[0].lock_blocking();
//! *first_free(&slots).unwrap() += 1; // slot 0 is held: slot 1 is taken
//! drop(held);
//! assert_eq!(*slots[1].lock_blocking(), 1);
//!
//! let limit = Arc::new(Semaphore::new(2));
//! futures::executor::block_on(async {
//!     let one = limit.acquire().await?;
//!     let two: OwnedSemaphorePermit = Arc::clone(&limit).acquire_owned().await?;
//!     assert_eq!(limit.available_permits(), 0);
//!     drop((one, two)); // permits return on drop
//!     limit.close();
//!     assert_eq!(limit.acquire().await.err(), Some(AcquireError::Closed));
//!     Ok::<(), AcquireError>(())
//! })?;
//! # Ok::<(), AcquireError>(())
//! ```

#[doc(inline)]
pub use para_runtime::{
    Acquire, AcquireError, Lock, Mutex, MutexGuard, OwnedMutexGuard, OwnedSemaphorePermit,
    Semaphore, SemaphorePermit,
};
