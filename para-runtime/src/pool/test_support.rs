//! What the pool's unit tests share.

use std::sync::atomic::{AtomicUsize, Ordering};

/// A string that counts its drops in its counter, clones' included (a
/// test that wants exact counts uses calls that clone no item).
#[derive(Clone)]
pub(super) struct Counted(pub(super) String, pub(super) &'static AtomicUsize);

impl Drop for Counted {
    fn drop(&mut self) {
        self.1.fetch_add(1, Ordering::SeqCst);
    }
}
