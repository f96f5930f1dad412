//! An async (and blocking) counting semaphore: a thin layer over
//! [`Batch`](super::batch::Batch).

use super::batch::{Batch, Node, Polled, TryAcquireError, Wake, MAX_PERMITS};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// Why an acquire failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AcquireError {
    /// The semaphore was closed.
    Closed,
}

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the semaphore is closed")
    }
}

impl std::error::Error for AcquireError {}

/// A counting semaphore whose `acquire` works under any executor, with
/// blocking forms for plain threads.
///
/// Waiters (async and blocking alike) queue first-in first-out. A newcomer
/// may take free permits ahead of the queue only until the head waiter has
/// waited about 0.5 ms; from then on no newcomer takes a permit ahead of
/// it (whether it calls `try_acquire`, `acquire` or a blocking form) and
/// permits go to the queue in order. `acquire_many(n)` is atomic (all `n`
/// or none) and is not starved by smaller requests; `acquire_many(0)`
/// succeeds at once (unless the semaphore is closed).
///
/// The surface is tokio's `Semaphore`, with two differences: the `try_*`
/// forms return an `Option` (a closed semaphore and a busy one both give
/// `None`; [`is_closed`](Semaphore::is_closed) tells them apart), and the
/// blocking forms are named `*_blocking` (`acquire_blocking`, not
/// `blocking_acquire`); inside an async runtime they do not panic, they
/// block the thread they run on.
///
/// ```
/// let limit = para_runtime::Semaphore::new(2);
/// let a = limit.try_acquire().unwrap();
/// let b = futures::executor::block_on(limit.acquire()).unwrap();
/// assert!(limit.try_acquire().is_none());
/// drop((a, b));
/// assert_eq!(limit.available_permits(), 2);
/// limit.close();
/// assert_eq!(limit.acquire_blocking().unwrap_err(), para_runtime::AcquireError::Closed);
/// ```
pub struct Semaphore {
    batch: Batch,
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("available_permits", &self.available_permits())
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl Semaphore {
    /// The most permits a semaphore can hold: `usize::MAX >> 3`, as in
    /// tokio. [`new`](Semaphore::new) and
    /// [`add_permits`](Semaphore::add_permits) panic past it.
    ///
    /// ```
    /// use para_runtime::Semaphore;
    /// let s = Semaphore::new(Semaphore::MAX_PERMITS - 1);
    /// s.add_permits(1);
    /// assert_eq!(s.available_permits(), Semaphore::MAX_PERMITS);
    /// ```
    pub const MAX_PERMITS: usize = MAX_PERMITS;

    /// A semaphore with `permits` permits.
    ///
    /// # Panics
    /// If `permits` exceeds [`Semaphore::MAX_PERMITS`].
    ///
    /// ```
    /// let s = para_runtime::Semaphore::new(3);
    /// assert_eq!(s.available_permits(), 3);
    /// ```
    pub fn new(permits: usize) -> Semaphore {
        Semaphore {
            batch: Batch::new(permits),
        }
    }

    /// A semaphore with a fixed starvation bound (unit tests and loom
    /// models: `Duration::ZERO` is handoff mode from the first waiter on,
    /// `Duration::MAX` barging for ever).
    #[cfg(test)]
    pub(crate) fn with_starvation(permits: usize, starvation: std::time::Duration) -> Semaphore {
        Semaphore {
            batch: Batch::with_starvation(permits, starvation),
        }
    }

    /// Free permits right now.
    ///
    /// Permits being handed to a queued waiter are not free: while the
    /// semaphore is in handoff mode this reads 0 even if a waiter has been
    /// assigned some of what it asked for.
    ///
    /// ```
    /// let s = para_runtime::Semaphore::new(2);
    /// let _p = s.try_acquire().unwrap();
    /// assert_eq!(s.available_permits(), 1);
    /// ```
    pub fn available_permits(&self) -> usize {
        self.batch.available()
    }

    /// Add `n` permits (queued waiters are served first). Works on a
    /// closed semaphore too: the permits are counted, though no acquire
    /// can take them.
    ///
    /// # Panics
    /// If the free permits would exceed [`Semaphore::MAX_PERMITS`] (as
    /// tokio); the count is left unchanged.
    ///
    /// ```
    /// let s = para_runtime::Semaphore::new(0);
    /// s.add_permits(2);
    /// assert!(s.try_acquire_many(2).is_some());
    /// ```
    pub fn add_permits(&self, n: usize) {
        self.batch.add(n);
    }

    /// Remove up to `n` free permits for good, and return how many were
    /// removed (fewer than `n` if fewer were free). Permits held or owed to
    /// a waiter are not touched.
    ///
    /// ```
    /// let s = para_runtime::Semaphore::new(5);
    /// assert_eq!(s.forget_permits(3), 3);
    /// assert_eq!(s.forget_permits(3), 2);
    /// assert_eq!(s.available_permits(), 0);
    /// ```
    pub fn forget_permits(&self, n: usize) -> usize {
        self.batch.forget(n)
    }

    /// Close: pending and future acquires fail with
    /// [`AcquireError::Closed`] (and `try_*` forms with `None`); permits
    /// already held drop normally, and permits assigned to a waiter go back.
    ///
    /// ```
    /// let s = para_runtime::Semaphore::new(1);
    /// s.close();
    /// assert!(s.is_closed());
    /// assert!(s.try_acquire().is_none());
    /// ```
    pub fn close(&self) {
        self.batch.close();
    }

    /// Whether [`close`](Semaphore::close) was called.
    pub fn is_closed(&self) -> bool {
        self.batch.is_closed()
    }

    /// Wait for one permit.
    ///
    /// # Errors
    /// [`AcquireError::Closed`] if the semaphore is (or gets) closed.
    ///
    /// # Cancel safety
    /// Cancel-safe: dropping the future (polled or not, woken or not) loses
    /// no permit and wakes the next waiter if permits allow; a permit
    /// granted to a dropped future goes back to the semaphore. A dropped
    /// future loses its place in the queue.
    ///
    /// ```
    /// let s = para_runtime::Semaphore::new(1);
    /// let p = futures::executor::block_on(s.acquire()).unwrap();
    /// assert_eq!(p.num_permits(), 1);
    /// ```
    pub fn acquire(&self) -> Acquire<'_> {
        self.acquire_many(1)
    }

    /// Wait for `n` permits at once (atomic: all or none). `n == 0`
    /// completes at the first poll, in barging and in handoff mode alike,
    /// without queueing.
    ///
    /// # Errors
    /// [`AcquireError::Closed`] if the semaphore is (or gets) closed, for
    /// `n == 0` as well.
    ///
    /// # Cancel safety
    /// As [`acquire`](Semaphore::acquire): permits assigned to a waiting
    /// `acquire_many` before it is dropped go back to the semaphore.
    ///
    /// # Panics
    /// If `n` exceeds [`Semaphore::MAX_PERMITS`] (it could never be
    /// satisfied).
    ///
    /// ```
    /// let s = para_runtime::Semaphore::new(3);
    /// let p = futures::executor::block_on(s.acquire_many(3)).unwrap();
    /// assert_eq!((p.num_permits(), s.available_permits()), (3, 0));
    /// let none = futures::executor::block_on(s.acquire_many(0)).unwrap();
    /// assert_eq!(none.num_permits(), 0);
    /// ```
    pub fn acquire_many(&self, n: usize) -> Acquire<'_> {
        check_many(n, "acquire_many");
        Acquire {
            sem: self,
            needed: n,
            node: None,
            touched: false,
            done: false,
        }
    }

    /// One permit, if one is free now and no waiter that has waited the
    /// starvation bound is owed it; `None` otherwise (or once closed).
    ///
    /// ```
    /// let s = para_runtime::Semaphore::new(1);
    /// let p = s.try_acquire().unwrap();
    /// assert!(s.try_acquire().is_none());
    /// drop(p);
    /// assert!(s.try_acquire().is_some());
    /// ```
    pub fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        self.try_acquire_many(1)
    }

    /// `n` permits, if free now (as [`try_acquire`](Semaphore::try_acquire));
    /// `n == 0` gives an empty permit whenever the semaphore is open.
    ///
    /// ```
    /// let s = para_runtime::Semaphore::new(4);
    /// let p = s.try_acquire_many(3).unwrap();
    /// assert!(s.try_acquire_many(2).is_none());
    /// assert_eq!(p.num_permits(), 3);
    /// ```
    pub fn try_acquire_many(&self, n: usize) -> Option<SemaphorePermit<'_>> {
        self.batch.try_acquire(n).ok().map(|()| SemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// Block the calling thread until a permit is free.
    ///
    /// # Errors
    /// [`AcquireError::Closed`] if the semaphore is (or gets) closed.
    ///
    /// ```
    /// let s = para_runtime::Semaphore::new(1);
    /// let p = s.acquire_blocking().unwrap();
    /// assert_eq!(s.available_permits(), 0);
    /// drop(p);
    /// ```
    pub fn acquire_blocking(&self) -> Result<SemaphorePermit<'_>, AcquireError> {
        self.acquire_many_blocking(1)
    }

    /// Block the calling thread until `n` permits are free (atomic: all or
    /// none; `n == 0` returns at once).
    ///
    /// # Errors
    /// [`AcquireError::Closed`] if the semaphore is (or gets) closed.
    ///
    /// # Panics
    /// If `n` exceeds [`Semaphore::MAX_PERMITS`].
    ///
    /// ```
    /// let s = para_runtime::Semaphore::new(5);
    /// let p = s.acquire_many_blocking(3).unwrap();
    /// assert_eq!(s.available_permits(), 2);
    /// drop(p);
    /// ```
    pub fn acquire_many_blocking(&self, n: usize) -> Result<SemaphorePermit<'_>, AcquireError> {
        check_many(n, "acquire_many_blocking");
        match self.batch.acquire_blocking(n) {
            Ok(()) => Ok(SemaphorePermit {
                sem: self,
                permits: n,
            }),
            Err(_) => Err(AcquireError::Closed),
        }
    }

    /// Wait for one permit of a semaphore held through an `Arc`: the
    /// permit is `'static` and keeps the semaphore alive.
    ///
    /// # Errors
    /// [`AcquireError::Closed`] if the semaphore is (or gets) closed.
    ///
    /// # Cancel safety
    /// As [`acquire`](Semaphore::acquire).
    ///
    /// ```
    /// use std::sync::Arc;
    /// let s = Arc::new(para_runtime::Semaphore::new(1));
    /// let p = futures::executor::block_on(Arc::clone(&s).acquire_owned()).unwrap();
    /// std::thread::spawn(move || drop(p)).join().unwrap();
    /// assert_eq!(s.available_permits(), 1);
    /// ```
    pub async fn acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.acquire_many_owned(1).await
    }

    /// Wait for `n` permits of a semaphore held through an `Arc`.
    ///
    /// # Errors
    /// [`AcquireError::Closed`] if the semaphore is (or gets) closed.
    ///
    /// # Cancel safety
    /// As [`acquire_many`](Semaphore::acquire_many).
    ///
    /// # Panics
    /// At the first poll, if `n` exceeds [`Semaphore::MAX_PERMITS`].
    ///
    /// ```
    /// use std::sync::Arc;
    /// let s = Arc::new(para_runtime::Semaphore::new(3));
    /// let p = futures::executor::block_on(Arc::clone(&s).acquire_many_owned(2)).unwrap();
    /// assert_eq!((p.num_permits(), s.available_permits()), (2, 1));
    /// ```
    pub async fn acquire_many_owned(
        self: Arc<Self>,
        n: usize,
    ) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.acquire_many(n).await?.forget();
        Ok(OwnedSemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// One permit of a semaphore held through an `Arc`, if free now (as
    /// [`try_acquire`](Semaphore::try_acquire)).
    ///
    /// ```
    /// use std::sync::Arc;
    /// let s = Arc::new(para_runtime::Semaphore::new(1));
    /// let p = Arc::clone(&s).try_acquire_owned().unwrap();
    /// assert!(Arc::clone(&s).try_acquire_owned().is_none());
    /// drop(p);
    /// ```
    pub fn try_acquire_owned(self: Arc<Self>) -> Option<OwnedSemaphorePermit> {
        self.try_acquire_many_owned(1)
    }

    /// `n` permits of a semaphore held through an `Arc`, if free now.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let s = Arc::new(para_runtime::Semaphore::new(42));
    /// let p = Arc::clone(&s).try_acquire_many_owned(42).unwrap();
    /// assert!(Arc::clone(&s).try_acquire_owned().is_none());
    /// assert_eq!(p.num_permits(), 42);
    /// ```
    pub fn try_acquire_many_owned(self: Arc<Self>, n: usize) -> Option<OwnedSemaphorePermit> {
        self.batch.try_acquire(n).ok()?;
        Some(OwnedSemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// Block the calling thread until a permit of a semaphore held through
    /// an `Arc` is free.
    ///
    /// # Errors
    /// [`AcquireError::Closed`] if the semaphore is (or gets) closed.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let s = Arc::new(para_runtime::Semaphore::new(1));
    /// let p = Arc::clone(&s).acquire_blocking_owned().unwrap();
    /// assert_eq!(s.available_permits(), 0);
    /// drop(p);
    /// ```
    pub fn acquire_blocking_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.acquire_many_blocking_owned(1)
    }

    /// Block the calling thread until `n` permits of a semaphore held
    /// through an `Arc` are free.
    ///
    /// # Errors
    /// [`AcquireError::Closed`] if the semaphore is (or gets) closed.
    ///
    /// # Panics
    /// If `n` exceeds [`Semaphore::MAX_PERMITS`].
    ///
    /// ```
    /// use std::sync::Arc;
    /// let s = Arc::new(para_runtime::Semaphore::new(5));
    /// let p = Arc::clone(&s).acquire_many_blocking_owned(3).unwrap();
    /// assert_eq!(s.available_permits(), 2);
    /// drop(p);
    /// ```
    pub fn acquire_many_blocking_owned(
        self: Arc<Self>,
        n: usize,
    ) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.acquire_many_blocking(n)?.forget();
        Ok(OwnedSemaphorePermit {
            sem: self,
            permits: n,
        })
    }
}

/// The bound every `*_many` form checks: more than `MAX_PERMITS` could
/// never be satisfied, so waiting for them would hang for ever.
fn check_many(n: usize, what: &str) {
    assert!(
        n <= MAX_PERMITS,
        "{what}({n}) asks for more than MAX_PERMITS ({MAX_PERMITS}) permits: it could never be satisfied"
    );
}

/// Polls an acquire of `needed` permits from `batch`: shared by every
/// acquire future. The waiter node is created only when the fast path
/// fails (the uncontended path never builds it), in place inside the
/// pinned future, and never moves after that.
pub(crate) fn poll_node(
    batch: &Batch,
    needed: usize,
    node: &mut Option<Node>,
    touched: &mut bool,
    cx: &mut Context<'_>,
) -> Poll<Result<(), AcquireError>> {
    if !*touched {
        // No spinning here: a task that cannot take the permit at once is
        // better off queued (measured: spinning slowed the two-task
        // contended benchmark by a quarter).
        match batch.try_acquire(needed) {
            Ok(()) => return Poll::Ready(Ok(())),
            Err(TryAcquireError::Closed) => return Poll::Ready(Err(AcquireError::Closed)),
            Err(TryAcquireError::NoPermits) => *touched = true,
        }
    }
    let node = node.get_or_insert_with(|| Node::new(needed));
    // SAFETY: `node` lives in a pinned future (callers get it through
    // `Pin::get_unchecked_mut` and never move it), whose `Drop` cancels it.
    match unsafe { batch.poll(node, Wake::Task(cx.waker().clone())) } {
        Polled::Ready => Poll::Ready(Ok(())),
        Polled::Closed => Poll::Ready(Err(AcquireError::Closed)),
        Polled::Pending => Poll::Pending,
    }
}

/// The future of [`Semaphore::acquire`] and [`Semaphore::acquire_many`].
#[must_use = "futures do nothing unless polled"]
pub struct Acquire<'a> {
    sem: &'a Semaphore,
    needed: usize,
    node: Option<Node>,
    touched: bool,
    done: bool,
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("permits", &self.needed)
            .finish()
    }
}

impl<'a> Future for Acquire<'a> {
    type Output = Result<SemaphorePermit<'a>, AcquireError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `node` is never moved out of the pinned future.
        let this = unsafe { self.get_unchecked_mut() };
        assert!(!this.done, "Acquire polled after completion");
        let sem = this.sem;
        let r = std::task::ready!(poll_node(
            &sem.batch,
            this.needed,
            &mut this.node,
            &mut this.touched,
            cx
        ));
        this.done = true;
        Poll::Ready(r.map(|()| SemaphorePermit {
            sem,
            permits: this.needed,
        }))
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        if let (Some(node), false) = (&mut self.node, self.done) {
            // SAFETY: we own the node and it has not moved (pinned); after
            // this call it is in no list.
            unsafe { self.sem.batch.cancel(node) };
        }
    }
}

/// Permits held from a [`Semaphore`]; released on drop.
///
/// ```
/// let s = para_runtime::Semaphore::new(3);
/// let mut p = s.try_acquire_many(2).unwrap();
/// let one = p.split(1).unwrap();
/// assert_eq!((p.num_permits(), one.num_permits()), (1, 1));
/// p.merge(one);
/// p.forget();
/// assert_eq!(s.available_permits(), 1);
/// ```
#[must_use = "dropping the permit releases it at once"]
pub struct SemaphorePermit<'a> {
    sem: &'a Semaphore,
    permits: usize,
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("permits", &self.permits)
            .finish()
    }
}

impl<'a> SemaphorePermit<'a> {
    /// How many permits this holds.
    pub fn num_permits(&self) -> usize {
        self.permits
    }

    /// Keep the permits out of the semaphore for good.
    ///
    /// ```
    /// let s = para_runtime::Semaphore::new(1);
    /// s.try_acquire().unwrap().forget();
    /// assert_eq!(s.available_permits(), 0);
    /// ```
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// Take `other`'s permits into this one (they are released together).
    ///
    /// # Panics
    /// If `other` comes from another semaphore.
    ///
    /// ```
    /// let s = para_runtime::Semaphore::new(3);
    /// let mut a = s.try_acquire().unwrap();
    /// a.merge(s.try_acquire_many(2).unwrap());
    /// assert_eq!(a.num_permits(), 3);
    /// drop(a);
    /// assert_eq!(s.available_permits(), 3);
    /// ```
    pub fn merge(&mut self, mut other: SemaphorePermit<'a>) {
        assert!(
            std::ptr::eq(self.sem, other.sem),
            "merging permits from different semaphore instances"
        );
        self.permits += std::mem::take(&mut other.permits);
    }

    /// Split `n` of this permit's permits off into a new permit; `None`
    /// (and this one unchanged) if it holds fewer than `n`.
    ///
    /// ```
    /// let s = para_runtime::Semaphore::new(3);
    /// let mut p = s.try_acquire_many(3).unwrap();
    /// let q = p.split(1).unwrap();
    /// assert_eq!((p.num_permits(), q.num_permits()), (2, 1));
    /// assert!(p.split(3).is_none());
    /// ```
    pub fn split(&mut self, n: usize) -> Option<SemaphorePermit<'a>> {
        self.permits = self.permits.checked_sub(n)?;
        Some(SemaphorePermit {
            sem: self.sem,
            permits: n,
        })
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.sem.batch.release(self.permits);
    }
}

/// Permits held from an `Arc<Semaphore>`: `'static`, keep the semaphore
/// alive, released on drop.
///
/// ```
/// use std::sync::Arc;
/// let s = Arc::new(para_runtime::Semaphore::new(2));
/// let mut p = Arc::clone(&s).try_acquire_many_owned(2).unwrap();
/// let q = p.split(1).unwrap();
/// std::thread::spawn(move || drop(q)).join().unwrap();
/// assert_eq!(s.available_permits(), 1);
/// assert!(Arc::ptr_eq(p.semaphore(), &s));
/// ```
#[must_use = "dropping the permit releases it at once"]
pub struct OwnedSemaphorePermit {
    sem: Arc<Semaphore>,
    permits: usize,
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("permits", &self.permits)
            .finish()
    }
}

impl OwnedSemaphorePermit {
    /// How many permits this holds.
    pub fn num_permits(&self) -> usize {
        self.permits
    }

    /// The semaphore these permits came from.
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.sem
    }

    /// Keep the permits out of the semaphore for good.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let s = Arc::new(para_runtime::Semaphore::new(1));
    /// Arc::clone(&s).try_acquire_owned().unwrap().forget();
    /// assert_eq!(s.available_permits(), 0);
    /// ```
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// Take `other`'s permits into this one (they are released together).
    ///
    /// # Panics
    /// If `other` comes from another semaphore.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let s = Arc::new(para_runtime::Semaphore::new(3));
    /// let mut a = Arc::clone(&s).try_acquire_owned().unwrap();
    /// a.merge(Arc::clone(&s).try_acquire_many_owned(2).unwrap());
    /// assert_eq!((a.num_permits(), s.available_permits()), (3, 0));
    /// ```
    pub fn merge(&mut self, mut other: OwnedSemaphorePermit) {
        assert!(
            Arc::ptr_eq(&self.sem, &other.sem),
            "merging permits from different semaphore instances"
        );
        self.permits += std::mem::take(&mut other.permits);
    }

    /// Split `n` of this permit's permits off into a new permit; `None`
    /// (and this one unchanged) if it holds fewer than `n`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let s = Arc::new(para_runtime::Semaphore::new(3));
    /// let mut p = Arc::clone(&s).try_acquire_many_owned(3).unwrap();
    /// let q = p.split(2).unwrap();
    /// assert_eq!((p.num_permits(), q.num_permits()), (1, 2));
    /// assert!(p.split(2).is_none());
    /// ```
    pub fn split(&mut self, n: usize) -> Option<OwnedSemaphorePermit> {
        self.permits = self.permits.checked_sub(n)?;
        Some(OwnedSemaphorePermit {
            sem: Arc::clone(&self.sem),
            permits: n,
        })
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        self.sem.batch.release(self.permits);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::task::Waker;
    use std::time::Duration;

    fn poll_once<F: Future + Unpin>(f: &mut F) -> Poll<F::Output> {
        Pin::new(f).poll(&mut Context::from_waker(Waker::noop()))
    }

    /// Handoff from the first waiter on, and barging for ever.
    const HANDOFF: Duration = Duration::ZERO;
    const BARGING: Duration = Duration::MAX;

    /// Regression: entering handoff mode while permits sat free in the
    /// counter stranded them (newcomers may not take them, releases only
    /// hand over what they release), and every waiter slept for ever.
    #[test]
    fn handoff_mode_hands_over_permits_already_free() {
        let sem = Semaphore::new(10);
        let a = sem.try_acquire_many(3).unwrap();
        let b = sem.try_acquire_many(3).unwrap();
        let mut big = Box::pin(sem.acquire_many(8)); // 4 free: must wait
        assert!(poll_once(&mut big).is_pending());
        // Past the 0.5 ms bound: the next release enters handoff mode.
        std::thread::sleep(Duration::from_millis(2));
        drop(a); // 3 released + 4 free: 7 for `big`
        assert!(poll_once(&mut big).is_pending());
        drop(b); // 1 more for `big`, 2 left over
        let held = match poll_once(&mut big) {
            Poll::Ready(Ok(p)) => p,
            _ => panic!("the starving acquire_many(8) was not served"),
        };
        assert_eq!(held.num_permits(), 8);
        assert_eq!(sem.available_permits(), 2);
        assert!(
            sem.try_acquire_many(2).is_some(),
            "handoff mode ended with the queue"
        );
        drop(held);
        assert_eq!(sem.available_permits(), 10);
    }

    /// Regression: `acquire_many(0)` failed the fast path in handoff mode,
    /// queued behind the head, and waited for permits it did not need.
    #[test]
    fn zero_permits_never_queue_in_either_mode() {
        for mode in [HANDOFF, BARGING] {
            let sem = Semaphore::with_starvation(2, mode);
            let (a, held) = (sem.try_acquire().unwrap(), sem.try_acquire().unwrap());
            let mut head = Box::pin(sem.acquire_many(2));
            assert!(poll_once(&mut head).is_pending());
            // In handoff mode this release assigns its permit to the head.
            drop(a);
            let free = if mode == HANDOFF { 0 } else { 1 };
            assert_eq!(sem.available_permits(), free);
            let mut zero = Box::pin(sem.acquire_many(0));
            match poll_once(&mut zero) {
                Poll::Ready(Ok(p)) => assert_eq!(p.num_permits(), 0),
                _ => panic!("acquire_many(0) did not complete at once ({mode:?})"),
            }
            assert_eq!(sem.try_acquire_many(0).unwrap().num_permits(), 0);
            assert_eq!(sem.acquire_many_blocking(0).unwrap().num_permits(), 0);
            drop(held);
            assert!(matches!(poll_once(&mut head), Poll::Ready(Ok(_))));
            sem.close();
            assert!(sem.try_acquire_many(0).is_none());
            assert!(matches!(
                poll_once(&mut Box::pin(sem.acquire_many(0))),
                Poll::Ready(Err(AcquireError::Closed))
            ));
        }
    }

    /// A newcomer that finds enough permits free while the head starves
    /// does not take them: they go to the head, whatever the entry point.
    #[test]
    fn starving_head_is_noticed_on_acquire() {
        let sem = Semaphore::with_starvation(3, HANDOFF);
        let held = sem.try_acquire().unwrap();
        let mut head = Box::pin(sem.acquire_many(3)); // 2 free, needs 3
        assert!(poll_once(&mut head).is_pending());
        assert_eq!(sem.available_permits(), 2, "barging until noticed");
        assert!(sem.try_acquire().is_none(), "try_acquire passed the head");
        assert_eq!(sem.available_permits(), 0, "the 2 free went to the head");
        let mut newcomer = Box::pin(sem.acquire());
        assert!(poll_once(&mut newcomer).is_pending());
        drop(held);
        let p = match poll_once(&mut head) {
            Poll::Ready(Ok(p)) => p,
            _ => panic!("the head was not served first"),
        };
        assert_eq!(p.num_permits(), 3);
        assert!(poll_once(&mut newcomer).is_pending());
        drop(p);
        assert!(matches!(poll_once(&mut newcomer), Poll::Ready(Ok(_))));
        assert_eq!(sem.available_permits(), 3);
    }

    /// The same with the permits freed by a release that came in barging
    /// mode (the head had not starved yet when it was woken): the free
    /// permits wait for the head, not for the first newcomer.
    #[test]
    fn permits_left_for_a_woken_head_are_not_taken_once_it_starves() {
        // A bound long enough that the release below comes before it even
        // under Miri, and a real wait past it.
        let bound = Duration::from_millis(100);
        let sem = Semaphore::with_starvation(1, bound);
        let held = sem.try_acquire().unwrap();
        let mut head = Box::pin(sem.acquire());
        assert!(poll_once(&mut head).is_pending());
        drop(held); // barging: the permit goes to the counter, head woken
        assert_eq!(sem.available_permits(), 1);
        std::thread::sleep(bound + Duration::from_millis(20));
        assert!(
            sem.try_acquire().is_none(),
            "newcomer passed a starving head"
        );
        assert!(sem.acquire_many_blocking(0).is_ok());
        assert!(matches!(poll_once(&mut head), Poll::Ready(Ok(_))));
    }

    #[test]
    fn barging_mode_lets_newcomers_in() {
        let sem = Semaphore::with_starvation(3, BARGING);
        let held = sem.try_acquire().unwrap();
        let mut head = Box::pin(sem.acquire_many(3));
        assert!(poll_once(&mut head).is_pending());
        let p = sem
            .try_acquire()
            .expect("barging mode: a newcomer may pass");
        drop((p, held));
        assert!(matches!(poll_once(&mut head), Poll::Ready(Ok(_))));
    }

    /// A handoff mode entered on acquire ends with the starving waiters: a
    /// later newcomer takes what is left.
    #[test]
    fn handoff_entered_on_acquire_ends_when_the_head_is_served() {
        let sem = Semaphore::with_starvation(3, HANDOFF);
        let held = sem.try_acquire_many(2).unwrap();
        let mut head = Box::pin(sem.acquire_many(2));
        assert!(poll_once(&mut head).is_pending());
        assert!(sem.try_acquire().is_none()); // handoff: 1 to the head
        assert_eq!(sem.available_permits(), 0);
        drop(held); // 1 more to the head, 1 left over
        let p = match poll_once(&mut head) {
            Poll::Ready(Ok(p)) => p,
            _ => panic!("head not served"),
        };
        assert_eq!((p.num_permits(), sem.available_permits()), (2, 1));
        assert!(sem.try_acquire().is_some(), "no waiter, no handoff");
    }

    #[test]
    fn add_permits_overflow_leaves_the_count() {
        let sem = Semaphore::new(Semaphore::MAX_PERMITS - 1);
        let r = std::panic::catch_unwind(|| sem.add_permits(2));
        let msg = r.unwrap_err();
        let msg = msg.downcast_ref::<String>().unwrap();
        assert!(msg.contains("would overflow MAX_PERMITS"), "{msg}");
        assert_eq!(sem.available_permits(), Semaphore::MAX_PERMITS - 1);
        sem.add_permits(1);
        assert_eq!(sem.available_permits(), Semaphore::MAX_PERMITS);
    }

    #[test]
    fn forget_permits_in_handoff_mode_takes_only_free_ones() {
        let sem = Semaphore::with_starvation(4, HANDOFF);
        let held = sem.try_acquire_many(3).unwrap();
        let mut head = Box::pin(sem.acquire_many(4));
        assert!(poll_once(&mut head).is_pending());
        assert_eq!(sem.forget_permits(5), 1, "one was free");
        drop(held); // 3 to the head, which needs 4
        assert!(poll_once(&mut head).is_pending());
        assert_eq!(sem.forget_permits(5), 0, "assigned permits are not free");
        sem.add_permits(1);
        assert!(matches!(poll_once(&mut head), Poll::Ready(Ok(_))));
    }
}
