//! Items the macros expand into. Not part of the public API: names and
//! shapes here may change in any release.
//!
//! One file per purpose:
//! - `kernel`: the `Kernel` trait of `#[pure]`'s marker types;
//! - `probes`: the compile-time checks (`PureData` of what a kernel sees,
//!   the byte read of a global, the std types whose functions are pure);
//! - `input`: the conversion of a macro's input, kernel and options into a
//!   pool call;
//! - `cluster`: the `cluster = &c` option, with and without `mpi`.
#![allow(missing_docs, missing_debug_implementations)]

mod cluster;
mod input;
mod kernel;
mod out;
mod probes;

#[cfg(not(feature = "mpi"))]
pub use cluster::MpiFeature;
pub use cluster::{cluster_map, cluster_map_reduce, cluster_reduce, kernel_id, local_item_fn};
pub use input::{
    arg, fold_fn, item_fn, options, pool, tag_of, value_fn, IntoArg, IterConv, IterKind,
    SourceConv, SourceKind, Tag,
};
pub use kernel::Kernel;
pub use out::{into_fn, outputs_of, AsIsOut};
pub use probes::{
    assert_pure_ctx, assert_pure_data, assert_pure_val, assert_std_type, probe_global, PureStdType,
};

/// The runtime's items the expansions name.
pub use para_runtime::{
    AsIs, CallOptions, IntoSource, Item, KernelInfo, Pool, PureData, Source, VecSource, KERNELS,
};
