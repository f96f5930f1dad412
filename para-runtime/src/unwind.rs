//! Panics of user code, contained: every place where the runtime drops a
//! value the user made (a panic payload, a kernel's result, a dispatch's
//! arguments) goes through here, so that a `Drop` that panics cannot
//! unwind through the runtime's bookkeeping.
//!
//! Rust's panic payloads are `Box<dyn Any + Send>`, and dropping one runs
//! the payload's own `Drop`, which may itself panic (`panic_any` of a type
//! whose `Drop` panics). Such a second-level payload is *leaked*, not
//! dropped: dropping it could panic again, without end. Leaking a value
//! whose destructor is known to panic is the one safe choice left, and it
//! only happens when user code panics inside a destructor of a panic
//! payload.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A caught panic's payload.
pub(crate) type Payload = Box<dyn Any + Send>;

/// Drop a panic payload; if its `Drop` panics, leak what that panic threw.
pub(crate) fn drop_payload(p: Payload) {
    if let Err(again) = catch_unwind(AssertUnwindSafe(move || drop(p))) {
        std::mem::forget(again);
    }
}

/// Drop `value`, containing a panic of its `Drop` (whose payload is dropped
/// with [`drop_payload`]). Returns whether the drop panicked.
pub(crate) fn drop_caught<T>(value: T) -> bool {
    match catch_unwind(AssertUnwindSafe(move || drop(value))) {
        Ok(()) => false,
        Err(p) => {
            drop_payload(p);
            true
        }
    }
}

/// Drop every value of `values` with [`drop_caught`], one at a time: a
/// collection whose elements' `Drop` may panic cannot be dropped whole (a
/// second panicking element would be dropped during the first one's
/// unwind, which aborts the process).
pub(crate) fn drop_each_caught<T>(values: impl IntoIterator<Item = T>) {
    for v in values {
        drop_caught(v);
    }
}

/// Aborts the process if dropped while armed, i.e. if the runtime's own
/// code unwinds through a section that must not be left early (a parallel
/// call's owner between publishing its job and waiting for it). User code
/// inside such a section runs under `catch_unwind`, so only a bug in para
/// could fire it; aborting then is the alternative to freeing memory that
/// another thread still writes (rayon-core's `AbortIfPanic` habit).
pub(crate) struct AbortOnUnwind;

impl AbortOnUnwind {
    /// Leave the section normally.
    pub(crate) fn disarm(self) {
        std::mem::forget(self);
    }
}

impl Drop for AbortOnUnwind {
    fn drop(&mut self) {
        eprintln!(
            "para: internal error: unwinding out of a parallel call's critical section; aborting"
        );
        std::process::abort();
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    struct Bomb;
    impl Drop for Bomb {
        fn drop(&mut self) {
            panic!("bomb");
        }
    }

    /// A payload whose `Drop` panics with a payload whose `Drop` panics.
    struct Nested(u8);
    impl Drop for Nested {
        fn drop(&mut self) {
            if self.0 > 0 {
                std::panic::panic_any(Nested(self.0 - 1));
            }
        }
    }

    #[test]
    fn a_panicking_drop_is_contained() {
        assert!(drop_caught(Bomb));
        assert!(!drop_caught(String::from("fine")));
    }

    #[test]
    fn payloads_that_panic_on_drop_are_contained_at_any_depth() {
        drop_payload(Box::new(Nested(3)));
        drop_payload(Box::new(Bomb));
        assert!(drop_caught(Box::new(Nested(1)) as Payload));
    }
}
