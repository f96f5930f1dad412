//! How a pool and a call are configured: [`PoolBuilder`] and
//! [`CallOptions`].

use super::{Pool, Shared};
use crate::error::BuildError;

/// Options of one call: how many workers may help and the chunk size.
///
/// The macros fill this from `concurrency = N` and `chunk_size = N`; the
/// `*_with` methods of [`Pool`] take it directly.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallOptions {
    /// Pool workers that may work on this call, the calling thread aside
    /// (which always works on its own call). Capped at
    /// [`Pool::concurrency`]. `None`: all of them.
    pub concurrency: Option<usize>,
    /// Items per chunk handed to a thread; for reductions, the block length
    /// that fixes the association tree. `None`: chosen by calibration (the
    /// pool's `chunk_size` if it was built with one).
    pub chunk_size: Option<usize>,
}

impl CallOptions {
    /// Options with a concurrency cap.
    ///
    /// # Panics
    /// If `n == 0`: a call needs at least one thread.
    pub fn concurrency(mut self, n: usize) -> Self {
        assert!(n > 0, "para: `concurrency` must be at least 1 (got 0)");
        self.concurrency = Some(n);
        self
    }

    /// Options with a fixed chunk size.
    ///
    /// # Panics
    /// If `n == 0`: a chunk needs at least one item.
    pub fn chunk_size(mut self, n: usize) -> Self {
        assert!(n > 0, "para: `chunk_size` must be at least 1 (got 0)");
        self.chunk_size = Some(n);
        self
    }
}

/// Configures and starts a [`Pool`].
///
/// ```
/// let pool = para_runtime::Pool::builder().concurrency(2).name("ranker").build()?;
/// assert!(pool.concurrency() >= 1);
/// assert!(para_runtime::Pool::builder().concurrency(0).build().is_err());
/// # Ok::<(), para_runtime::BuildError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct PoolBuilder {
    concurrency: Option<usize>,
    chunk_size: Option<usize>,
    name: Option<String>,
    restartable: bool,
    #[cfg(feature = "metrics")]
    metrics: bool,
}

impl PoolBuilder {
    /// Number of worker threads. Above the available cores it is capped
    /// ([`Pool::concurrency`] tells the real value). Default: the
    /// `PARA_CONCURRENCY` environment variable if set, else the available
    /// cores − 1, at least 1. The calling thread of a blocking call works
    /// too, so the default uses every core.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = Some(n);
        self
    }

    /// A fixed chunk size for every call on this pool, instead of the
    /// calibrated one. It also fixes the block length of reductions.
    pub fn chunk_size(mut self, n: usize) -> Self {
        self.chunk_size = Some(n);
        self
    }

    /// Name of the pool; workers are named `{name}-{index}`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Publish the pool's signals through the `metrics` facade (cargo
    /// feature `metrics`): gauges `para_pool_workers`, `para_pool_queued`,
    /// `para_pool_inflight` and the counter `para_pool_completed_total`,
    /// each labelled `pool = <name>` (`"para"` by default). Updates run on
    /// the signals' notifier thread, off the workers and callers; install
    /// the recorder (a Prometheus exporter, say) before building the pool
    /// to see the values from the start. Default: off.
    ///
    /// ```
    /// let pool = para_runtime::Pool::builder().name("ranker").metrics(true).build()?;
    /// let v: Vec<u32> = pool.map(|x: &u32| x + 1, &[1, 2, 3]);
    /// assert_eq!(v, [2, 3, 4]);
    /// # Ok::<(), para_runtime::BuildError>(())
    /// ```
    #[cfg(feature = "metrics")]
    pub fn metrics(mut self, on: bool) -> Self {
        self.metrics = on;
        self
    }

    /// A pool that restarts its workers on the next call after a dispose
    /// (the global pool).
    pub(crate) fn restartable(mut self) -> Self {
        self.restartable = true;
        self
    }

    /// Start the workers.
    ///
    /// # Errors
    /// [`BuildError::ZeroConcurrency`], [`BuildError::ZeroChunkSize`],
    /// [`BuildError::InvalidEnv`] for a bad `PARA_CONCURRENCY`, and
    /// [`BuildError::Spawn`] if a thread cannot be started (the workers
    /// already started are stopped again).
    pub fn build(self) -> Result<Pool, BuildError> {
        let cores = available_cores();
        let requested = match self.concurrency {
            Some(0) => return Err(BuildError::ZeroConcurrency),
            Some(n) => n,
            None => crate::env::concurrency()?.unwrap_or(cores.saturating_sub(1).max(1)),
        };
        if self.chunk_size == Some(0) {
            return Err(BuildError::ZeroChunkSize);
        }
        // The CPU check costs tens of µs under a hypervisor (each CPUID
        // traps): here, not inside the first call's calibration probe.
        crate::wide::prepare();
        let shared = Shared::new(
            requested.min(cores),
            self.chunk_size,
            self.name.unwrap_or_else(|| "para".to_owned()),
            self.restartable,
        );
        // Before the workers start, so that no change goes unpublished.
        #[cfg(feature = "metrics")]
        if self.metrics {
            let published = crate::metrics::Published::install(&shared.name, &shared.signals);
            let _ = shared.metrics.set(published);
        }
        shared.start()?;
        Ok(Pool { shared })
    }
}

/// Cores this process may run on.
fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
