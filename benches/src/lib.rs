//! Benchmarks live in `benches/`.

pub mod workloads;
