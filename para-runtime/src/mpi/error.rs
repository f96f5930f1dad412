//! [`ClusterError`]: why a cluster call failed, the same on every rank.

use std::fmt;

/// Why a cluster call (or [`Cluster::init`](super::Cluster::init))
/// failed. Every rank gets the same error for the same call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClusterError {
    /// [`Cluster::init`](super::Cluster::init) was already called in this
    /// process.
    AlreadyInitialized,
    /// MPI could not be initialised.
    InitFailed,
    /// A rank's call disagrees with the root's.
    Mismatch {
        /// The (highest) rank that disagreed.
        rank: usize,
        /// What disagreed: `"kernel"`, `"input kind"` or `"length"`.
        what: &'static str,
    },
    /// The root's input is invalid (ragged rows, a zero width).
    BadInput {
        /// What is wrong, as the root saw it.
        reason: &'static str,
    },
    /// A share is larger than MPI's `int` counts allow.
    TooLarge,
}

impl fmt::Display for ClusterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClusterError::AlreadyInitialized => {
                f.write_str("para::mpi::Cluster::init was already called in this process")
            }
            ClusterError::InitFailed => f.write_str("MPI could not be initialised"),
            ClusterError::Mismatch { rank, what } => {
                write!(
                    f,
                    "rank {rank} disagrees with the root on the {what} of a cluster call"
                )
            }
            ClusterError::BadInput { reason } => write!(f, "the root's input is invalid: {reason}"),
            ClusterError::TooLarge => {
                f.write_str("a rank's share exceeds MPI's 2^31 - 1 element count")
            }
        }
    }
}

impl std::error::Error for ClusterError {}
