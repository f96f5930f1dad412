//! The process-wide pool that the macros use.

use crate::pool::{Pool, PoolBuilder};
use std::sync::OnceLock;

static GLOBAL: OnceLock<Pool> = OnceLock::new();

/// The lazily built global pool (builder defaults, named `para`).
///
/// After [`dispose_workers`] the next call on it restarts its workers.
///
/// # Panics
/// If the pool cannot be built: `PARA_CONCURRENCY` is set to something
/// other than a positive integer, or no thread can be spawned.
pub fn global() -> &'static Pool {
    GLOBAL.get_or_init(|| {
        PoolBuilder::default()
            .name("para")
            .restartable()
            .build()
            .unwrap_or_else(|e| panic!("para: cannot build the global pool: {e}"))
    })
}

/// Stop the global pool's workers (if it was ever built). Calls in flight on
/// other threads finish normally (their callers run the remaining chunks);
/// the next call (a map, a reduce or a dispatch) restarts the workers.
/// Called from inside a kernel running on a global worker, it returns
/// without joining (see [`Pool::dispose`]); a later call from outside the
/// pool joins every thread it left. Meant for tests.
pub fn dispose_workers() {
    if let Some(p) = GLOBAL.get() {
        p.dispose();
    }
}
