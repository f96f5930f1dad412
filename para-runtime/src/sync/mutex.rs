//! An async (and blocking) mutex: a [`Batch`](super::batch::Batch) of one
//! permit guarding an `UnsafeCell`.
//!
//! The cell is the loom switch's: under loom each guard's `Deref`/`DerefMut`
//! is a checked access, so a model fails if two holders' accesses are not
//! ordered by the permit's hand-over. (The check covers where each borrow
//! starts; the borrow then lives as long as the guard, which holds the
//! permit throughout.)

use super::batch::{Batch, Node};
use super::semaphore::poll_node;
use crate::loom::UnsafeCell;
use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// A mutual-exclusion lock whose `lock` works under any executor, with
/// blocking and `try_` forms.
///
/// Waiters queue first-in first-out; a newcomer may take a free lock ahead
/// of the queue only until the head waiter has waited about 0.5 ms (then
/// no newcomer takes it ahead of the head, and it is handed to the head
/// directly): async-lock's speed under contention without starvation.
///
/// The surface is tokio's `Mutex` (`lock`, `lock_owned`, `try_lock`,
/// `try_lock_owned`, `get_mut`, `into_inner`), with `try_*` returning an
/// `Option` and the blocking forms named `lock_blocking` and
/// `lock_blocking_owned`.
///
/// ```
/// let lock = para_runtime::Mutex::new(0);
/// futures::executor::block_on(async {
///     *lock.lock().await += 1;
/// });
/// *lock.lock_blocking() += 1;
/// assert_eq!(*lock.try_lock().unwrap(), 2);
/// ```
pub struct Mutex<T: ?Sized> {
    batch: Batch,
    data: UnsafeCell<T>,
}

// SAFETY: the data moves between threads with the mutex (T: Send).
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}
// SAFETY: access to the data is serialised by the one permit, so sharing
// the mutex needs only `T: Send` (as for `std::sync::Mutex`).
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
            Some(g) => d.field("data", &&*g),
            None => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> Mutex<T> {
    /// A new, unlocked mutex.
    ///
    /// ```
    /// let m = para_runtime::Mutex::new(5);
    /// assert_eq!(*m.try_lock().unwrap(), 5);
    /// ```
    pub fn new(value: T) -> Mutex<T> {
        Mutex {
            batch: Batch::new(1),
            data: UnsafeCell::new(value),
        }
    }

    /// The protected value (owning the mutex, no lock is needed).
    ///
    /// ```
    /// let m = para_runtime::Mutex::new(vec![1]);
    /// m.lock_blocking().push(2);
    /// assert_eq!(m.into_inner(), [1, 2]);
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Wait for the lock.
    ///
    /// # Cancel safety
    /// Cancel-safe: dropping the future before it completes never loses the
    /// lock; if the lock was handed to it, it passes to the next waiter. A
    /// dropped future loses its place in the queue.
    ///
    /// ```
    /// let m = para_runtime::Mutex::new(0);
    /// futures::executor::block_on(async { *m.lock().await += 1 });
    /// assert_eq!(*m.lock_blocking(), 1);
    /// ```
    pub fn lock(&self) -> Lock<'_, T> {
        Lock {
            mutex: self,
            node: None,
            touched: false,
            done: false,
        }
    }

    /// Block the calling thread until the lock is free.
    ///
    /// ```
    /// let m = para_runtime::Mutex::new(1);
    /// *m.lock_blocking() += 1;
    /// assert_eq!(*m.lock_blocking(), 2);
    /// ```
    pub fn lock_blocking(&self) -> MutexGuard<'_, T> {
        self.batch
            .acquire_blocking(1)
            .expect("a mutex's semaphore is never closed");
        MutexGuard { mutex: self }
    }

    /// The lock, if it is free now and no waiter that has waited the
    /// starvation bound is owed it.
    ///
    /// ```
    /// let m = para_runtime::Mutex::new(());
    /// let g = m.try_lock().unwrap();
    /// assert!(m.try_lock().is_none());
    /// drop(g);
    /// assert!(m.try_lock().is_some());
    /// ```
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        self.batch
            .try_acquire(1)
            .ok()
            .map(|()| MutexGuard { mutex: self })
    }

    /// Wait for the lock of a mutex held through an `Arc`: the guard is
    /// `'static` and keeps the mutex alive.
    ///
    /// # Cancel safety
    /// As [`lock`](Mutex::lock).
    ///
    /// ```
    /// use std::sync::Arc;
    /// let m = Arc::new(para_runtime::Mutex::new(0));
    /// let mut g = futures::executor::block_on(Arc::clone(&m).lock_owned());
    /// std::thread::spawn(move || *g += 1).join().unwrap();
    /// assert_eq!(*m.try_lock().unwrap(), 1);
    /// ```
    pub async fn lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        let g = self.lock().await;
        std::mem::forget(g);
        OwnedMutexGuard { mutex: self }
    }

    /// The lock of a mutex held through an `Arc`, if it is free now (as
    /// [`try_lock`](Mutex::try_lock)).
    ///
    /// ```
    /// use std::sync::Arc;
    /// let m = Arc::new(para_runtime::Mutex::new(0));
    /// let g = Arc::clone(&m).try_lock_owned().unwrap();
    /// assert!(Arc::clone(&m).try_lock_owned().is_none());
    /// drop(g);
    /// ```
    pub fn try_lock_owned(self: Arc<Self>) -> Option<OwnedMutexGuard<T>> {
        self.batch.try_acquire(1).ok()?;
        Some(OwnedMutexGuard { mutex: self })
    }

    /// Block the calling thread until the lock of a mutex held through an
    /// `Arc` is free.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let m = Arc::new(para_runtime::Mutex::new(0));
    /// *Arc::clone(&m).lock_blocking_owned() += 1;
    /// assert_eq!(*m.lock_blocking(), 1);
    /// ```
    pub fn lock_blocking_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        self.batch
            .acquire_blocking(1)
            .expect("a mutex's semaphore is never closed");
        OwnedMutexGuard { mutex: self }
    }

    /// Give back the permit of a guard that was `mem::forget`-ten (loom
    /// models only).
    #[cfg(all(test, loom))]
    pub(crate) fn force_release_for_tests(&self) {
        self.batch.release(1);
    }

    /// The value, through a unique borrow (no locking needed).
    ///
    /// ```
    /// let mut m = para_runtime::Mutex::new(1);
    /// *m.get_mut() = 10;
    /// assert_eq!(m.into_inner(), 10);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` excludes every other access to the data (no
        // guard can be alive), so the reference is unique for its lifetime.
        self.data.with_mut(|p| unsafe { &mut *p })
    }
}

/// The future of [`Mutex::lock`].
#[must_use = "futures do nothing unless polled"]
pub struct Lock<'a, T: ?Sized> {
    mutex: &'a Mutex<T>,
    node: Option<Node>,
    touched: bool,
    done: bool,
}

impl<T: ?Sized> fmt::Debug for Lock<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lock").field("done", &self.done).finish()
    }
}

impl<'a, T: ?Sized> Future for Lock<'a, T> {
    type Output = MutexGuard<'a, T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `node` is never moved out of the pinned future.
        let this = unsafe { self.get_unchecked_mut() };
        assert!(!this.done, "Lock polled after completion");
        let m = this.mutex;
        match std::task::ready!(poll_node(
            &m.batch,
            1,
            &mut this.node,
            &mut this.touched,
            cx
        )) {
            Ok(()) => {
                this.done = true;
                Poll::Ready(MutexGuard { mutex: m })
            }
            Err(_) => unreachable!("a mutex's semaphore is never closed"),
        }
    }
}

impl<T: ?Sized> Drop for Lock<'_, T> {
    fn drop(&mut self) {
        if let (Some(node), false) = (&mut self.node, self.done) {
            // SAFETY: we own the node and it has not moved (pinned); after
            // this call it is in no list.
            unsafe { self.mutex.batch.cancel(node) };
        }
    }
}

/// Access to a [`Mutex`]'s value; unlocks on drop.
#[must_use = "dropping the guard unlocks at once"]
pub struct MutexGuard<'a, T: ?Sized> {
    mutex: &'a Mutex<T>,
}

// SAFETY: sharing the guard shares `&T` (T: Sync), as tokio's guard.
unsafe impl<T: ?Sized + Send + Sync> Sync for MutexGuard<'_, T> {}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// The mutex this guard locks (an associated function, as tokio's, so
    /// that it does not shadow a method of `T`).
    ///
    /// ```
    /// use para_runtime::{Mutex, MutexGuard};
    /// let m = Mutex::new(0);
    /// let g = m.lock_blocking();
    /// assert!(std::ptr::eq(MutexGuard::mutex(&g), &m));
    /// ```
    pub fn mutex(this: &Self) -> &'a Mutex<T> {
        this.mutex
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the mutex's only permit, so no `&mut T`
        // exists while this shared borrow (tied to `&self`) lives; the
        // permit's acquire made every earlier holder's writes visible.
        self.mutex.data.with(|p| unsafe { &*p })
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the mutex's only permit and `&mut self`
        // borrows the guard uniquely, so this is the only reference to the
        // data while it lives.
        self.mutex.data.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.mutex.batch.release(1);
    }
}

/// A `'static` guard of a mutex held through an `Arc`.
#[must_use = "dropping the guard unlocks at once"]
pub struct OwnedMutexGuard<T: ?Sized> {
    mutex: Arc<Mutex<T>>,
}

// SAFETY: as for `MutexGuard`.
unsafe impl<T: ?Sized + Send + Sync> Sync for OwnedMutexGuard<T> {}

impl<T: ?Sized> OwnedMutexGuard<T> {
    /// The mutex this guard locks (an associated function, as tokio's).
    ///
    /// ```
    /// use para_runtime::{Mutex, OwnedMutexGuard};
    /// use std::sync::Arc;
    /// let m = Arc::new(Mutex::new(0));
    /// let g = Arc::clone(&m).lock_blocking_owned();
    /// assert!(Arc::ptr_eq(OwnedMutexGuard::mutex(&g), &m));
    /// ```
    pub fn mutex(this: &Self) -> &Arc<Mutex<T>> {
        &this.mutex
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized> Deref for OwnedMutexGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the mutex's only permit, so no `&mut T`
        // exists while this shared borrow (tied to `&self`) lives; the
        // permit's acquire made every earlier holder's writes visible.
        self.mutex.data.with(|p| unsafe { &*p })
    }
}

impl<T: ?Sized> DerefMut for OwnedMutexGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the mutex's only permit and `&mut self`
        // borrows the guard uniquely, so this is the only reference to the
        // data while it lives.
        self.mutex.data.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T: ?Sized> Drop for OwnedMutexGuard<T> {
    fn drop(&mut self) {
        self.mutex.batch.release(1);
    }
}
