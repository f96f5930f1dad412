//! The stripes of `completed`: one cache line per thread, handed out per
//! thread and handed back when it exits (README: stripes).

use crate::loom::AtomicUsize;

/// Stripes of a striped signal: enough for the threads that touch one pool
/// at once on big machines; a thread beyond them adds to the shared value.
pub(super) const STRIPES: usize = 64;

/// One cache line per stripe, so owners never share a line.
#[repr(align(64))]
pub(super) struct Stripe(pub(super) AtomicUsize);

/// A fresh set of stripes, all zero.
pub(super) fn new() -> Box<[Stripe; STRIPES]> {
    let all: Box<[Stripe]> = (0..STRIPES).map(|_| Stripe(AtomicUsize::new(0))).collect();
    all.try_into()
        .unwrap_or_else(|_| unreachable!("STRIPES stripes"))
}

/// This thread's stripe, if it has one: indices are handed out per thread
/// (the same in every striped signal) and handed back when it exits, so
/// each stripe has one writer at a time. The hand-back and the next claim
/// go through a mutex, which orders the old owner's last store before the
/// new owner's first load.
#[cfg(not(loom))]
#[inline(always)]
pub(super) fn stripe_index() -> Option<usize> {
    let i = claims::MINE.get();
    if i < STRIPES {
        Some(i)
    } else if i == claims::UNCLAIMED {
        claims::claim()
    } else {
        None
    }
}

/// Under loom, threads use the shared value; the stripe protocol has its
/// own models, with explicit stripe indices.
#[cfg(loom)]
pub(super) fn stripe_index() -> Option<usize> {
    None
}

#[cfg(not(loom))]
mod claims {
    use super::STRIPES;
    use crate::loom::{lock, Mutex};
    use std::sync::atomic::{AtomicUsize, Ordering};

    pub(super) const UNCLAIMED: usize = usize::MAX;
    /// No stripe for this thread (all taken, or the thread is exiting).
    const NONE: usize = usize::MAX - 1;

    static NEXT: AtomicUsize = AtomicUsize::new(0);
    static FREE: Mutex<Vec<usize>> = Mutex::new(Vec::new());

    std::thread_local! {
        /// This thread's stripe: a const-initialised key without a
        /// destructor, so reading it is one thread-relative load.
        pub(super) static MINE: std::cell::Cell<usize> = const { std::cell::Cell::new(UNCLAIMED) };
        /// Hands the stripe back when the thread exits.
        static GUARD: Claim = const { Claim };
    }

    struct Claim;

    impl Drop for Claim {
        fn drop(&mut self) {
            // Later changes on this thread (other thread-local destructors)
            // go to the shared value; only then may another thread own it.
            let i = MINE.replace(NONE);
            if i < STRIPES {
                lock(&FREE).push(i);
            }
        }
    }

    #[cold]
    pub(super) fn claim() -> Option<usize> {
        // Touch the guard first: if its destructor can no longer be
        // registered (the thread is exiting), take no stripe.
        if GUARD.try_with(|_| ()).is_err() {
            MINE.set(NONE);
            return None;
        }
        let i = lock(&FREE)
            .pop()
            .unwrap_or_else(|| NEXT.fetch_add(1, Ordering::Relaxed));
        if i < STRIPES {
            MINE.set(i);
            Some(i)
        } else {
            MINE.set(NONE);
            None
        }
    }
}
