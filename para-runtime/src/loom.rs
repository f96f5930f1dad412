//! One switch for every atomic, cell, lock, condition variable and thread
//! primitive the runtime uses, so that `RUSTFLAGS="--cfg loom"` runs the
//! real protocols under loom's model checker (the habit of tokio's
//! `src/loom/` and crossbeam's `primitive` module).
//!
//! [`UnsafeCell`] has loom's closure API in both builds: `with` and
//! `with_mut` hand the closure a raw pointer for the length of one access,
//! which loom checks against every other access of the cell (a write that
//! no happens-before edge orders against another access fails the model,
//! as does a second access of the same cell nested inside a write). Outside
//! loom it is a `#[repr(transparent)]` wrapper over `std`'s, whose methods
//! inline to the bare `get()`.

#[cfg(loom)]
pub(crate) use loom::{
    cell::UnsafeCell,
    sync::{
        atomic::{fence, AtomicBool, AtomicU64, AtomicUsize, Ordering},
        Condvar, Mutex, MutexGuard,
    },
    thread,
};

#[cfg(not(loom))]
pub(crate) use std::{
    sync::{
        atomic::{fence, AtomicBool, AtomicU64, AtomicUsize, Ordering},
        Condvar, Mutex, MutexGuard,
    },
    thread,
};

/// `std::cell::UnsafeCell` with loom's `with`/`with_mut` API (see the
/// module's header); zero cost.
#[cfg(not(loom))]
#[derive(Debug, Default)]
#[repr(transparent)]
pub(crate) struct UnsafeCell<T: ?Sized>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    #[inline]
    pub(crate) const fn new(data: T) -> UnsafeCell<T> {
        UnsafeCell(std::cell::UnsafeCell::new(data))
    }

    #[inline]
    pub(crate) fn into_inner(self) -> T {
        self.0.into_inner()
    }
}

#[cfg(not(loom))]
impl<T: ?Sized> UnsafeCell<T> {
    /// Read access: `f` gets a pointer to the value for one access.
    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    /// Write access: `f` gets a pointer to the value for one access.
    #[inline]
    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

/// Lock a mutex, ignoring poisoning: every structure the runtime guards
/// with a mutex is left consistent at each unlock (no user code runs while
/// one of its locks is held), so a poisoned lock carries no broken state.
pub(crate) fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    #[cfg(loom)]
    {
        m.lock().unwrap()
    }
    #[cfg(not(loom))]
    {
        m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Wait on a condition variable, ignoring poisoning (as [`lock`]).
pub(crate) fn wait<'a, T>(cv: &Condvar, g: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
    #[cfg(loom)]
    {
        cv.wait(g).unwrap()
    }
    #[cfg(not(loom))]
    {
        cv.wait(g)
            .unwrap_or_else(std::sync::PoisonError::into_inner)
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
