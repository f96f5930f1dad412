//! The `cluster = &c` option of the call macros. With the `mpi` feature,
//! one shim per macro over `para_runtime::mpi::Cluster` (a failure on any
//! rank panics with the macro's name); without it, the same names with an
//! `MpiFeature` bound that nothing implements, so that the option is a
//! compile error saying which feature to turn on. The names are written
//! out once per set: the macros call each with a fixed argument list, the
//! real shims take a `&Cluster` (so that `cluster = &arc` still coerces),
//! and the no-feature error quotes the stub's bound.

/// Identity of a kernel across ranks: its parts joined (a marker's name
/// and path, or a closure's source location).
pub fn kernel_id(parts: &[&str]) -> String {
    parts.join("|")
}

#[cfg(feature = "mpi")]
mod mpi {
    use super::kernel_id;
    use crate::__private::input::pool;
    use para_runtime::mpi::{Cluster, ClusterSource};
    use para_runtime::{CallOptions, Item, Pool, Source};

    pub fn local_item_fn<S: ClusterSource, U, F>(_: &S, f: F) -> F
    where
        F: for<'s> Fn(Item<'s, S::Local>) -> U,
    {
        f
    }

    fn fail(what: &str, e: para_runtime::mpi::ClusterError) -> ! {
        panic!("para: cluster {what}: {e}")
    }

    pub fn cluster_map<S, F, U>(
        c: &Cluster,
        p: Option<&Pool>,
        id: &[&str],
        opts: CallOptions,
        src: &S,
        f: F,
    ) -> Option<Vec<U>>
    where
        S: ClusterSource,
        F: for<'s> Fn(Item<'s, S::Local>) -> U + Sync,
        U: para_runtime::mpi::MpiEquivalence + Send + Default + Clone,
    {
        c.map(pool(p), opts, &kernel_id(id), src, f)
            .unwrap_or_else(|e| fail("pmap!", e))
    }

    pub fn cluster_reduce<S, G, V>(
        c: &Cluster,
        p: Option<&Pool>,
        id: &[&str],
        opts: CallOptions,
        src: &S,
        g: G,
        init: V,
    ) -> Option<V>
    where
        S: ClusterSource,
        S::Local: Source<Value = V>,
        G: Fn(V, V) -> V + Sync,
        V: para_runtime::mpi::MpiEquivalence + Clone + Send + Sync + Default,
    {
        c.reduce(pool(p), opts, &kernel_id(id), src, g, init)
            .unwrap_or_else(|e| fail("preduce!", e))
    }

    #[allow(clippy::too_many_arguments)]
    pub fn cluster_map_reduce<S, F, G, V>(
        c: &Cluster,
        p: Option<&Pool>,
        id: &[&str],
        opts: CallOptions,
        src: &S,
        f: F,
        g: G,
        init: V,
    ) -> Option<V>
    where
        S: ClusterSource,
        F: for<'s> Fn(Item<'s, S::Local>) -> V + Sync,
        G: Fn(V, V) -> V + Sync,
        V: para_runtime::mpi::MpiEquivalence + Clone + Send + Sync + Default,
    {
        c.map_reduce(pool(p), opts, &kernel_id(id), src, f, g, init)
            .unwrap_or_else(|e| fail("pmap_reduce!", e))
    }
}

#[cfg(feature = "mpi")]
pub use mpi::{cluster_map, cluster_map_reduce, cluster_reduce, local_item_fn};

/// Without the `mpi` feature, the `cluster` option is a compile error
/// with this message, spanned on the option's value.
#[cfg(not(feature = "mpi"))]
#[diagnostic::on_unimplemented(
    message = "the `cluster` option needs para's `mpi` cargo feature",
    label = "clusters need `features = [\"mpi\"]` on the `para` dependency",
    note = "the `mpi` feature builds against an MPI library (Open MPI) and needs libclang; see para's README"
)]
pub trait MpiFeature {}

#[cfg(not(feature = "mpi"))]
mod no_cluster {
    use super::MpiFeature;
    use para_runtime::{CallOptions, Pool};

    pub fn local_item_fn<S, F>(_: &S, f: F) -> F {
        f
    }

    pub fn cluster_map<C: MpiFeature, S, F, U>(
        _: &C,
        _: Option<&Pool>,
        _: &[&str],
        _: CallOptions,
        _: &S,
        _: F,
    ) -> Option<Vec<U>> {
        unreachable!("rejected at compile time")
    }

    pub fn cluster_reduce<C: MpiFeature, S, G, V>(
        _: &C,
        _: Option<&Pool>,
        _: &[&str],
        _: CallOptions,
        _: &S,
        _: G,
        _: V,
    ) -> Option<V> {
        unreachable!("rejected at compile time")
    }

    #[allow(clippy::too_many_arguments)]
    pub fn cluster_map_reduce<C: MpiFeature, S, F, G, V>(
        _: &C,
        _: Option<&Pool>,
        _: &[&str],
        _: CallOptions,
        _: &S,
        _: F,
        _: G,
        _: V,
    ) -> Option<V> {
        unreachable!("rejected at compile time")
    }
}

#[cfg(not(feature = "mpi"))]
pub use no_cluster::{cluster_map, cluster_map_reduce, cluster_reduce, local_item_fn};
