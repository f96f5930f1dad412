#!/usr/bin/env bash
# Overhead of the cluster path: map_heavy over 1e6 items, 1 rank vs 2 ranks
# on the same machine (the cores are the same, so this measures the cost of
# scattering, agreeing and gathering, not a speedup).
#
#   bash benches/mpi_overhead.sh      (needs Open MPI; see the README)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --features mpi --example cluster -q -p para
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
run() { mpirun -np "$1" --oversubscribe --bind-to none --mca btl_tcp_if_include lo --mca oob_tcp_if_include lo \
  target/release/examples/cluster bench </dev/null; }
echo "1 rank, default pool:";                     run 1
echo "2 ranks, default pools (each 1 worker + caller):"; run 2
echo "2 ranks, PARA_CONCURRENCY=1 each:";         PARA_CONCURRENCY=1 run 2
