//! One switch for every atomic, lock and thread primitive the runtime uses,
//! so that `RUSTFLAGS="--cfg loom"` runs the real protocols under loom's
//! model checker (the habit of tokio's `src/loom/` and crossbeam's
//! `primitive` module).

#[cfg(loom)]
pub(crate) use loom::{
    sync::{
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
        Condvar, Mutex, MutexGuard,
    },
    thread,
};

#[cfg(not(loom))]
pub(crate) use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
        Condvar, Mutex, MutexGuard,
    },
    thread,
};

/// Lock a mutex, ignoring poisoning: every structure the runtime guards
/// with a mutex is left consistent at each unlock (no user code runs while
/// one of its locks is held), so a poisoned lock carries no broken state.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    #[cfg(loom)]
    {
        m.lock().unwrap()
    }
    #[cfg(not(loom))]
    {
        m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A hint for short spin loops; a no-op in loom models, where a spin must
/// yield to let the model make progress.
#[inline]
pub(crate) fn spin_hint() {
    #[cfg(loom)]
    loom::thread::yield_now();
    #[cfg(not(loom))]
    std::hint::spin_loop();
}
