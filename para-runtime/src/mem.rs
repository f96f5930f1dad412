//! Backing large fresh outputs with huge pages.
//!
//! A `map` over millions of cheap items is bound by the page faults of its
//! fresh output more than by the kernel: filling a new 40 MB buffer took
//! 17.6 ms with 4 KiB pages and 6.9 ms with 2 MiB pages on the development
//! machine (one thread, `x * 2 + 1`). Where the system backs memory with
//! transparent huge pages only on request (`/sys/kernel/mm/
//! transparent_hugepage/enabled` = `madvise`, a common default), `map`
//! asks for them (`madvise(MADV_HUGEPAGE)`) on the 2 MiB-aligned interior
//! of an output of at least [`HUGE_MIN_BYTES`]. It changes no contents;
//! the kernel falls back to small pages when it has no huge one free.
//!
//! `PARA_HUGEPAGES=0` in the environment turns this off (for systems where
//! compaction stalls on a huge-page fault matter more than throughput).

/// Outputs from this size on are advised (below it, the one system call
/// would cost more than the faults it saves).
pub(crate) const HUGE_MIN_BYTES: usize = 4 << 20;

/// Advise the kernel to back `[ptr, ptr + bytes)` with huge pages, where
/// that is possible and allowed. `ptr` must point to an allocation of at
/// least `bytes` bytes that the caller owns. Kept out of line: inlined
/// into a map's generic code, even its size check measurably slowed the
/// small-call loop.
#[inline(never)]
pub(crate) fn advise_huge(ptr: *mut u8, bytes: usize) {
    if bytes >= HUGE_MIN_BYTES {
        imp::advise(ptr, bytes);
    }
}

#[cfg(all(target_os = "linux", not(loom), not(miri)))]
mod imp {
    use std::sync::OnceLock;

    const HUGE: usize = 2 << 20;

    fn enabled() -> bool {
        static ON: OnceLock<bool> = OnceLock::new();
        *ON.get_or_init(crate::env::hugepages)
    }

    #[cold]
    pub(super) fn advise(ptr: *mut u8, bytes: usize) {
        if !enabled() {
            return;
        }
        let start = ptr as usize;
        let first = start.next_multiple_of(HUGE);
        let last = (start + bytes) & !(HUGE - 1);
        if last > first {
            // SAFETY: `[first, last)` lies inside the caller's allocation
            // (`start <= first`, `last <= start + bytes`) and is page
            // aligned; MADV_HUGEPAGE only changes how future faults in it
            // are served, never its contents. A failure (EINVAL where huge
            // pages are not supported) leaves the range as it was.
            unsafe {
                libc::madvise(
                    first as *mut libc::c_void,
                    last - first,
                    libc::MADV_HUGEPAGE,
                );
            }
        }
    }
}

#[cfg(not(all(target_os = "linux", not(loom), not(miri))))]
mod imp {
    pub(super) fn advise(_: *mut u8, _: usize) {}
}
