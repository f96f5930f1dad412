//! The same kernels across MPI ranks (cargo feature `mpi`).
//!
//! Programs are SPMD: every rank runs the same binary and makes the same
//! calls; the input is read on the root (rank 0), results arrive on the
//! root (`Some` there, `None` elsewhere). Each rank works its share on its
//! local pool ([`global`](crate::global) unless `pool = &p` is given).
//!
//! # Protocol of a call
//! 1. **Agreement.** The root broadcasts a header: a hash of the kernel's
//!    identity, the input kind and element type, the length, the row width,
//!    the reduction block length, and whether its input is valid. Every
//!    rank compares it with its own call (kernel, kind, and its length if
//!    it passed a non-empty input) and an `all_reduce(max)` spreads the
//!    first disagreement to everyone: every rank returns the same
//!    [`ClusterError`], and no rank waits for data that will not come.
//! 2. **Shares.** The input is cut on the reduction's block boundaries
//!    (the blocks of a single-process `preduce!` of the same length), rank
//!    `r` of `n` taking blocks `[r * B / n, (r + 1) * B / n)`. The root
//!    scatters the data (`MPI_Scatterv`); ranges are not sent at all.
//! 3. **Work.** Each rank maps its share, or folds each of its blocks
//!    exactly as the single-process reduction does.
//! 4. **Results.** Mapped values, or one value per block, are gathered on
//!    the root (`MPI_Gatherv`), which folds block results in order from
//!    `init`: a cluster `preduce!` is bit-identical to the single-process
//!    one.
//!
//! # Element types
//! Inputs are slices or `Vec`s of, and [`Rows`] of, MPI-equivalent types
//! (the primitive numeric types, through the `mpi` crate's
//! [`Equivalence`]), and index ranges. Mapped and reduced values must be
//! `Equivalence` too. To carry a struct, derive `mpi::traits::Equivalence`
//! for it (the `mpi` crate's `derive` feature) and it works unchanged.
//!
//! # Running
//! `mpirun -np 4 --bind-to none ./app`: Open MPI pins each rank to one core
//! by default, which would leave each rank's pool a single core; with
//! `--bind-to none` every rank's pool uses all the cores it is given (run
//! one rank per machine, or lower `PARA_CONCURRENCY`).
//!
//! # Files
//! This file holds [`Cluster`] and the protocol's steps; `source.rs` what a
//! call can distribute ([`ClusterSource`]) and how a share is cut
//! ([`Cut`]); `error.rs` [`ClusterError`].

mod error;
mod source;

pub use error::ClusterError;
pub use source::{ClusterSource, Cut};

use crate::chunk::reduce_block;
use crate::input::{Item, Rows, Source};
use crate::pool::{CallOptions, Pool};
use crate::reduce::{combine, Blocks, Tree};
use crate::AsIs;
use ::mpi::datatype::PartitionMut;
use ::mpi::topology::{Communicator, SimpleCommunicator};
use ::mpi::traits::{CommunicatorCollectives, Equivalence, Root};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

pub use ::mpi::traits::Equivalence as MpiEquivalence;

/// This process's membership in the MPI job.
pub struct Cluster {
    // Dropped last: finalises MPI.
    world: SimpleCommunicator,
    rank: usize,
    size: usize,
    _universe: ::mpi::environment::Universe,
}

impl fmt::Debug for Cluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cluster")
            .field("rank", &self.rank)
            .field("size", &self.size)
            .finish()
    }
}

static INITIALISED: AtomicBool = AtomicBool::new(false);

/// Header fields (all `u64`, broadcast from the root).
const H_KERNEL: usize = 0;
const H_KIND: usize = 1;
const H_LEN: usize = 2;
const H_WIDTH: usize = 3;
const H_BLOCK: usize = 4;
const H_START: usize = 5;
const H_BAD: usize = 6;
const HEADER: usize = 7;

const BAD_REASONS: [&str; 2] = [
    "rows of width 0",
    "data length is not a multiple of the row width",
];

impl Cluster {
    /// Initialise MPI and join the job. Once per process.
    ///
    /// # Errors
    /// [`ClusterError::AlreadyInitialized`] on a second call;
    /// [`ClusterError::InitFailed`] if MPI cannot start.
    pub fn init() -> Result<Cluster, ClusterError> {
        if INITIALISED.swap(true, Ordering::SeqCst) {
            return Err(ClusterError::AlreadyInitialized);
        }
        let universe = ::mpi::initialize().ok_or(ClusterError::InitFailed)?;
        let world = universe.world();
        let (rank, size) = (world.rank() as usize, world.size() as usize);
        Ok(Cluster {
            world,
            rank,
            size,
            _universe: universe,
        })
    }

    /// This process's rank, `0..size()`.
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// Number of ranks.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Whether this is the root (rank 0), where inputs are read and results
    /// arrive.
    pub fn is_root(&self) -> bool {
        self.rank == 0
    }

    /// The underlying MPI communicator, for collective calls of your own.
    pub fn world(&self) -> &SimpleCommunicator {
        &self.world
    }

    /// Map `f` over `input` across the ranks; the result arrives on the
    /// root. Other ranks may pass an empty input.
    ///
    /// # Errors
    /// A [`ClusterError`], the same on every rank, if a rank's call
    /// disagrees with the root's or the root's input is invalid.
    pub fn map<S, F, U>(
        &self,
        pool: &Pool,
        opts: CallOptions,
        kernel: &str,
        input: &S,
        f: F,
    ) -> Result<Option<Vec<U>>, ClusterError>
    where
        S: ClusterSource,
        F: for<'s> Fn(Item<'s, S::Local>) -> U + Sync,
        U: Equivalence + Send + Default + Clone,
    {
        let h = self.agree(kernel, input, &opts, pool)?;
        let (share, counts, displs) = self.scatter(input, &h)?;
        let local: Vec<U> = pool.map_with(opts, f, AsIs(share));
        Ok(self.gather(&local, &counts, &displs, h[H_LEN] as usize))
    }

    /// Reduce `input` across the ranks with `g` from `init`,
    /// bit-identical to the single-process reduction.
    ///
    /// # Errors
    /// As [`Cluster::map`].
    pub fn reduce<S, G, V>(
        &self,
        pool: &Pool,
        opts: CallOptions,
        kernel: &str,
        input: &S,
        g: G,
        init: V,
    ) -> Result<Option<V>, ClusterError>
    where
        S: ClusterSource,
        S::Local: Source<Value = V>,
        G: Fn(V, V) -> V + Sync,
        V: Equivalence + Clone + Send + Sync + Default,
    {
        let map = |x: Item<'_, S::Local>| <S::Local as Source>::value(x);
        self.fold(pool, opts, kernel, input, &map, &g, init)
    }

    /// Map with `f` and reduce with `g` from `init`, across the ranks;
    /// bit-identical to the single-process `map_reduce`.
    ///
    /// # Errors
    /// As [`Cluster::map`].
    #[allow(clippy::too_many_arguments)]
    pub fn map_reduce<S, F, G, V>(
        &self,
        pool: &Pool,
        opts: CallOptions,
        kernel: &str,
        input: &S,
        f: F,
        g: G,
        init: V,
    ) -> Result<Option<V>, ClusterError>
    where
        S: ClusterSource,
        F: for<'s> Fn(Item<'s, S::Local>) -> V + Sync,
        G: Fn(V, V) -> V + Sync,
        V: Equivalence + Clone + Send + Sync + Default,
    {
        self.fold(pool, opts, kernel, input, &f, &g, init)
    }

    #[allow(clippy::too_many_arguments)]
    fn fold<S, M, G, V>(
        &self,
        pool: &Pool,
        opts: CallOptions,
        kernel: &str,
        input: &S,
        map: &M,
        g: &G,
        init: V,
    ) -> Result<Option<V>, ClusterError>
    where
        S: ClusterSource,
        M: for<'s> Fn(Item<'s, S::Local>) -> V + Sync,
        G: Fn(V, V) -> V + Sync,
        V: Equivalence + Clone + Send + Sync + Default,
    {
        let h = self.agree(kernel, input, &opts, pool)?;
        let (len, block) = (h[H_LEN] as usize, h[H_BLOCK] as usize);
        if len == 0 {
            return Ok(self.is_root().then_some(init));
        }
        let (share, _, _) = self.scatter(input, &h)?;
        // One value per block of this rank's share: the share starts on a
        // block boundary, so its blocks are the single-process reduction's,
        // folded by the same `Tree`.
        let tree = Tree::new(&share, block, &init, map, g);
        let results: Vec<V> = pool.map_with(
            CallOptions {
                chunk_size: None,
                ..opts
            },
            |b: usize| tree.block(b),
            0..tree.blocks.count(),
        );
        let blocks = Blocks::new(len, block).count();
        let (counts, displs) = self.partition(blocks, |lo, hi| (lo, hi));
        let all = self.gather(&results, &counts, &displs, blocks);
        // The upper level of the tree, on the root: every block's result
        // in input order, from `init`.
        Ok(all.map(|r| combine(init, r, g)))
    }

    /// Block range `[lo, hi)` of rank `r` out of `blocks`.
    fn share_blocks(&self, blocks: usize, r: usize) -> (usize, usize) {
        (r * blocks / self.size, (r + 1) * blocks / self.size)
    }

    /// MPI counts and displacements per rank, from a block partition mapped
    /// to element offsets by `to_elems`.
    fn partition(
        &self,
        blocks: usize,
        to_elems: impl Fn(usize, usize) -> (usize, usize),
    ) -> (Vec<i32>, Vec<i32>) {
        let (mut counts, mut displs) =
            (Vec::with_capacity(self.size), Vec::with_capacity(self.size));
        for r in 0..self.size {
            let (lo, hi) = self.share_blocks(blocks, r);
            let (a, b) = to_elems(lo, hi);
            counts.push((b - a) as i32);
            displs.push(a as i32);
        }
        (counts, displs)
    }

    /// Step 1 of the protocol: the root's header, checked by every rank.
    fn agree<S: ClusterSource>(
        &self,
        kernel: &str,
        input: &S,
        opts: &CallOptions,
        pool: &Pool,
    ) -> Result<[u64; HEADER], ClusterError> {
        let mut h = [0u64; HEADER];
        let kind = S::KIND ^ type_hash::<S::Elem>();
        let kernel_hash = hash_str(kernel);
        if self.is_root() {
            let (len, width, start, bad) = input.describe();
            h[H_KERNEL] = kernel_hash;
            h[H_KIND] = kind;
            h[H_LEN] = len as u64;
            h[H_WIDTH] = width as u64;
            h[H_START] = start as u64;
            h[H_BLOCK] = reduce_block(len, opts.chunk_size.or(pool.shared.chunk_size)) as u64;
            h[H_BAD] = bad.map_or(0, |i| i as u64 + 1);
        }
        self.world.process_at_rank(0).broadcast_into(&mut h[..]);
        if h[H_BAD] != 0 {
            return Err(ClusterError::BadInput {
                reason: BAD_REASONS[(h[H_BAD] - 1) as usize],
            });
        }
        // What this rank disagrees on: 1 kernel, 2 kind, 3 length.
        let (my_len, my_width, _, _) = input.describe();
        let what: u64 = if h[H_KERNEL] != kernel_hash {
            1
        } else if h[H_KIND] != kind {
            2
        } else if !self.is_root()
            && my_len != 0
            && (my_len as u64 != h[H_LEN] || my_width as u64 != h[H_WIDTH])
        {
            3
        } else {
            0
        };
        let mine: u64 = if what == 0 {
            0
        } else {
            ((self.rank as u64 + 1) << 8) | what
        };
        let mut worst = 0u64;
        self.world
            .all_reduce_into(&mine, &mut worst, ::mpi::collective::SystemOperation::max());
        if worst != 0 {
            return Err(ClusterError::Mismatch {
                rank: ((worst >> 8) - 1) as usize,
                what: ["", "kernel", "input kind", "length"][(worst & 0xff) as usize],
            });
        }
        Ok(h)
    }

    /// Step 2: this rank's share of the input (the root sends the data).
    fn scatter<S: ClusterSource>(
        &self,
        input: &S,
        h: &[u64; HEADER],
    ) -> Result<Share<S::Local>, ClusterError> {
        let (len, width, block) = (h[H_LEN] as usize, h[H_WIDTH] as usize, h[H_BLOCK] as usize);
        let walk = Blocks::new(len, block);
        let blocks = walk.count();
        let item_range = |lo: usize, hi: usize| {
            let r = walk.items(&(lo..hi));
            (r.start, r.end)
        };
        let (my_lo, my_hi) = {
            let (lo, hi) = self.share_blocks(blocks, self.rank);
            item_range(lo, hi)
        };
        let (counts, displs) = self.partition(blocks, item_range);
        if len.saturating_mul(width.max(1)) > i32::MAX as usize {
            return Err(ClusterError::TooLarge);
        }
        let cut = Cut {
            start: h[H_START] as usize,
            lo: my_lo,
            hi: my_hi,
            width,
            counts: &counts,
            displs: &displs,
        };
        let local = input.share(self, &cut);
        Ok((local, counts, displs))
    }

    /// Step 4: gather per-rank vectors on the root, in rank order.
    fn gather<U: Equivalence + Default + Clone>(
        &self,
        local: &[U],
        counts: &[i32],
        displs: &[i32],
        total: usize,
    ) -> Option<Vec<U>> {
        let root = self.world.process_at_rank(0);
        if self.is_root() {
            let mut out = vec![U::default(); total];
            let mut part = PartitionMut::new(&mut out[..], counts, displs);
            root.gather_varcount_into_root(local, &mut part);
            Some(out)
        } else {
            root.gather_varcount_into(local);
            None
        }
    }
}

/// A rank's share of an input, with the MPI counts and displacements of
/// every rank's share.
type Share<L> = (L, Vec<i32>, Vec<i32>);

impl Cluster {
    /// View `data` as rows of `width` items, validated *collectively*: if
    /// the root's data is ragged (or `width` is 0), every rank gets the
    /// error, so no rank goes on to wait for the others. Other ranks may
    /// pass empty data.
    ///
    /// # Errors
    /// [`ClusterError::BadInput`] on every rank.
    pub fn rows<'a, T: Sync>(
        &self,
        data: &'a [T],
        width: usize,
    ) -> Result<Rows<'a, T>, ClusterError> {
        let bad = if width == 0 {
            Some(0)
        } else if !data.len().is_multiple_of(width) {
            Some(1)
        } else {
            None
        };
        let mut code: u64 = if self.is_root() {
            bad.map_or(0, |b| b as u64 + 1)
        } else {
            0
        };
        self.world.process_at_rank(0).broadcast_into(&mut code);
        if code != 0 {
            return Err(ClusterError::BadInput {
                reason: BAD_REASONS[(code - 1) as usize],
            });
        }
        match Rows::new(data, width) {
            Ok(r) => Ok(r),
            // A non-root rank with ragged data of its own: an empty view;
            // the length check of the call will report the mismatch.
            Err(_) => Ok(Rows::new(&data[..0], width.max(1)).expect("empty rows are valid")),
        }
    }
}

fn hash_str(s: &str) -> u64 {
    // FNV-1a: stable across processes (std's hashers are randomly keyed).
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn type_hash<T: 'static>() -> u64 {
    hash_str(std::any::type_name::<T>()) << 4
}
