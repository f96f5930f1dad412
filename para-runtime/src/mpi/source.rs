//! What a cluster call can distribute: [`ClusterSource`], implemented for
//! slices, `Vec`s and [`Rows`] of MPI-equivalent types and for index
//! ranges, and how each is cut into the ranks' shares ([`Cut`]).

use super::Cluster;
use crate::input::{OwnedRows, RangeSource, Rows, SliceSource, Source, VecSource};
use ::mpi::datatype::Partition;
use ::mpi::topology::Communicator;
use ::mpi::traits::{Equivalence, Root};

/// The input kinds a cluster call distributes.
const KIND_SLICE: u64 = 1;
const KIND_ROWS: u64 = 2;
const KIND_RANGE: u64 = 3;

/// Where a rank's share lies: items `lo..hi` of an input of row `width`
/// (1 for slices), ranges starting at `start`, and every rank's MPI counts
/// and displacements in items.
#[doc(hidden)]
#[derive(Debug)]
pub struct Cut<'a> {
    pub(super) start: usize,
    pub(super) lo: usize,
    pub(super) hi: usize,
    pub(super) width: usize,
    pub(super) counts: &'a [i32],
    pub(super) displs: &'a [i32],
}

/// Inputs a cluster call can distribute. Implemented for slices, `Vec`s
/// and [`Rows`] of MPI-equivalent types, and for index ranges.
pub trait ClusterSource {
    /// The element type sent over MPI.
    type Elem: Equivalence + Default + Clone + Send + Sync + 'static;
    /// A rank's share, as a source for its local pool.
    type Local: Source;
    #[doc(hidden)]
    const KIND: u64;
    /// (length, row width, range start, index of the reason the input is
    /// invalid).
    #[doc(hidden)]
    fn describe(&self) -> (usize, usize, usize, Option<usize>);
    /// This rank's share (collective: the root sends the data).
    #[doc(hidden)]
    fn share(&self, c: &Cluster, cut: &Cut<'_>) -> Self::Local;
}

fn scatter_elems<T: Equivalence + Default + Clone>(
    c: &Cluster,
    data: &[T],
    counts: &[i32],
    displs: &[i32],
    mine: usize,
) -> Vec<T> {
    let root = c.world.process_at_rank(0);
    let mut buf = vec![T::default(); mine];
    if c.is_root() {
        let part = Partition::new(data, counts, displs);
        root.scatter_varcount_into_root(&part, &mut buf[..]);
    } else {
        root.scatter_varcount_into(&mut buf[..]);
    }
    buf
}

/// Slices and `Vec`s share one implementation: the data is `$data`.
macro_rules! slice_like {
    ($ty:ty, $this:ident => $data:expr) => {
        impl<T: Equivalence + Default + Clone + Send + Sync + 'static> ClusterSource for $ty {
            type Elem = T;
            type Local = VecSource<T>;
            const KIND: u64 = KIND_SLICE;
            fn describe(&self) -> (usize, usize, usize, Option<usize>) {
                let $this = self;
                ($data.len(), 1, 0, None)
            }
            fn share(&self, c: &Cluster, cut: &Cut<'_>) -> VecSource<T> {
                let $this = self;
                VecSource(scatter_elems(
                    c,
                    $data,
                    cut.counts,
                    cut.displs,
                    cut.hi - cut.lo,
                ))
            }
        }
    };
}

slice_like!(SliceSource<'_, T>, this => this.0);
slice_like!(VecSource<T>, this => &this.0[..]);

impl<T: Equivalence + Default + Clone + Send + Sync + 'static> ClusterSource for Rows<'_, T> {
    type Elem = T;
    type Local = OwnedRows<T>;
    const KIND: u64 = KIND_ROWS;
    fn describe(&self) -> (usize, usize, usize, Option<usize>) {
        (Rows::len(self), self.width(), 0, None)
    }
    fn share(&self, c: &Cluster, cut: &Cut<'_>) -> OwnedRows<T> {
        let w = cut.width;
        let counts: Vec<i32> = cut.counts.iter().map(|n| n * w as i32).collect();
        let displs: Vec<i32> = cut.displs.iter().map(|d| d * w as i32).collect();
        let data = scatter_elems(c, self.data(), &counts, &displs, (cut.hi - cut.lo) * w);
        OwnedRows::new(data, w.max(1))
    }
}

impl ClusterSource for RangeSource {
    type Elem = u64;
    type Local = RangeSource;
    const KIND: u64 = KIND_RANGE;
    fn describe(&self) -> (usize, usize, usize, Option<usize>) {
        let start = if Source::is_empty(self) {
            0
        } else {
            // SAFETY: index 0 exists in a non-empty range.
            unsafe { self.get_unchecked(0) }
        };
        (Source::len(self), 1, start, None)
    }
    fn share(&self, _: &Cluster, cut: &Cut<'_>) -> RangeSource {
        crate::IntoSource::into_source(cut.start + cut.lo..cut.start + cut.hi)
    }
}
