//! The error types of bad input, each with a message a user can act on.

use std::fmt;

/// Why [`Rows::new`](crate::Rows::new) refused its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RowsError {
    /// A row width of 0 was asked for.
    ZeroWidth,
    /// The data's length is not a multiple of the row width.
    Ragged {
        /// Length of the flat data.
        len: usize,
        /// The row width asked for.
        width: usize,
    },
}

impl fmt::Display for RowsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RowsError::ZeroWidth => f.write_str("row width must be at least 1 (got 0)"),
            RowsError::Ragged { len, width } => write!(
                f,
                "data of length {len} does not split into rows of width {width} \
                 ({} full rows and {} items left over)",
                len / width,
                len % width
            ),
        }
    }
}

impl std::error::Error for RowsError {}

/// Why [`PoolBuilder::build`](crate::PoolBuilder::build) could not build a pool.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// `concurrency(0)` was asked for.
    ZeroConcurrency,
    /// `chunk_size(0)` was asked for.
    ZeroChunkSize,
    /// The `PARA_CONCURRENCY` environment variable is set but is not a
    /// positive integer.
    InvalidEnv {
        /// The variable's value as found.
        value: String,
    },
    /// The operating system refused to start a worker thread.
    Spawn {
        /// Index of the worker that could not be started.
        index: usize,
        /// The error the operating system gave.
        source: std::io::Error,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::ZeroConcurrency => {
                f.write_str("invalid pool option `concurrency`: must be at least 1 (got 0)")
            }
            BuildError::ZeroChunkSize => {
                f.write_str("invalid pool option `chunk_size`: must be at least 1 (got 0)")
            }
            BuildError::InvalidEnv { value } => write!(
                f,
                "invalid environment variable PARA_CONCURRENCY={value:?}: \
                 expected a positive integer"
            ),
            BuildError::Spawn { index, source } => {
                write!(f, "could not spawn worker thread {index}: {source}")
            }
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::Spawn { source, .. } => Some(source),
            _ => None,
        }
    }
}
