//! An asymmetric memory barrier: a free side for hot paths and an expensive
//! side for rare ones, which together order like a full fence on both.
//!
//! The striped `completed` counter needs a store-load order between a
//! writer's plain store and its read of the `listening` flag, against an
//! effect that sets `listening` and then reads the counter (a Dekker
//! pattern). A full fence on every write would cost what the stripes
//! save, so the writer only stops the compiler ([`light`]) and the rare
//! side ([`heavy`]) makes every running thread of the process execute a
//! full barrier through Linux's `membarrier(PRIVATE_EXPEDITED)`. Either the
//! writer's read of the flag comes after that point (it sees `true`), or
//! its earlier store is visible once [`heavy`] returns.
//!
//! Where `membarrier` is unavailable (other systems, old kernels, seccomp
//! sandboxes), [`available`] is false and the counter keeps one shared
//! value: a read-modify-write per change, followed by a `SeqCst` fence
//! that pairs with the watcher's (the RMW alone does not order the later
//! flag load; see `signals/README.md`, "Why a fence").
//!
//! The contract, in the language's terms: [`light`] on one thread and
//! [`heavy`] on another order as if each were a `fence(SeqCst)`; [`heavy`]
//! is also a full fence for its caller. `signals/README.md` (the watch
//! handshake) gives the argument from `membarrier`'s guarantee.
//!
//! Under loom both sides are `fence(SeqCst)`: the model checks the
//! algorithm given the barrier's contract.
//!
//! Under Miri the barrier is unavailable, as on other systems: Miri cannot
//! execute `membarrier` (an unsupported syscall stops the run), and its
//! memory model has no process-wide barrier that the hot side's compiler
//! fence could pair with. A Miri run therefore checks the counter's
//! read-modify-write fallback; the striped path runs in loom's models (with
//! the contract above) and, with the real `membarrier`, in the
//! ThreadSanitizer build of `.ci/sanitizers.sh`. TSan does not see the
//! order `membarrier` gives, but the stripes are atomics, so it has no data
//! race to report there.

/// Whether the heavy side works in this process (decided once).
pub(crate) fn available() -> bool {
    imp::available()
}

/// The hot side: orders this thread's earlier store before its later load,
/// provided the other side uses [`heavy`].
#[inline(always)]
pub(crate) fn light() {
    imp::light();
}

/// The rare side: a full barrier on every thread of the process.
pub(crate) fn heavy() {
    imp::heavy();
}

#[cfg(loom)]
mod imp {
    pub(super) fn available() -> bool {
        true
    }
    pub(super) fn light() {
        loom::sync::atomic::fence(loom::sync::atomic::Ordering::SeqCst);
    }
    pub(super) fn heavy() {
        loom::sync::atomic::fence(loom::sync::atomic::Ordering::SeqCst);
    }
}

#[cfg(all(not(loom), not(miri), target_os = "linux"))]
mod imp {
    use std::sync::atomic::{compiler_fence, fence, Ordering};
    use std::sync::OnceLock;

    const CMD_QUERY: libc::c_long = 0;
    const CMD_PRIVATE_EXPEDITED: libc::c_long = 1 << 3;
    const CMD_REGISTER_PRIVATE_EXPEDITED: libc::c_long = 1 << 4;

    fn membarrier(cmd: libc::c_long) -> libc::c_long {
        // SAFETY: `membarrier(cmd, flags = 0)` reads no memory of ours; an
        // unknown command or a kernel without the call returns -1.
        unsafe { libc::syscall(libc::SYS_membarrier, cmd, 0 as libc::c_long) }
    }

    pub(super) fn available() -> bool {
        static OK: OnceLock<bool> = OnceLock::new();
        *OK.get_or_init(|| {
            let mask = membarrier(CMD_QUERY);
            let wanted = CMD_PRIVATE_EXPEDITED | CMD_REGISTER_PRIVATE_EXPEDITED;
            mask >= 0 && mask & wanted == wanted && membarrier(CMD_REGISTER_PRIVATE_EXPEDITED) == 0
        })
    }

    #[inline(always)]
    pub(super) fn light() {
        compiler_fence(Ordering::SeqCst);
    }

    pub(super) fn heavy() {
        // `available()` registered the process before any stripe existed;
        // a failure here would be a kernel that withdrew the command.
        if membarrier(CMD_PRIVATE_EXPEDITED) != 0 {
            fence(Ordering::SeqCst);
        }
    }
}

#[cfg(all(not(loom), any(miri, not(target_os = "linux"))))]
mod imp {
    pub(super) fn available() -> bool {
        false
    }
    #[inline(always)]
    pub(super) fn light() {
        std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
    }
    pub(super) fn heavy() {
        std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
    }
}
