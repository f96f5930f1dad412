#!/usr/bin/env bash
# Scaling of the big workloads (benches/benches/workloads.rs) with the
# thread count: runs the para and rayon forms with PARA_CONCURRENCY and
# RAYON_NUM_THREADS set to 1, 2, 4, 8 and the machine's cores, the
# sequential loop once, and prints each median with its speedup over the
# sequential loop and over the same library's run at 1.
#
#   bash benches/scaling.sh               # every big case
#   bash benches/scaling.sh 'matmul|blur' # groups matching a regex
#
# PARA_CONCURRENCY is para's worker count; the calling thread of a
# blocking call works too, so para at N uses up to N + 1 threads (capped at
# the cores + 1): at 1 it already runs on two. rayon at N runs N threads
# and its caller waits. Criterion's options come from CRITERION_ARGS
# (default: --warm-up-time 0.5 --measurement-time 2).
set -euo pipefail
cd "$(dirname "$0")/.."

groups=${1:-'[a-z_]+'}
big='(512|1024|3840x2160|50MB|1000000|100MB|10M)'
read -r -a crit <<<"${CRITERION_ARGS:---warm-up-time 0.5 --measurement-time 2}"
cores=$(nproc)
counts=$(printf '%s\n' 1 2 4 8 "$cores" | sort -n -u | tr '\n' ' ')

bench() {
    cargo bench -q -p para-benches --bench workloads -- "$@" "${crit[@]}" >&2
}

echo "building the workloads bench ..." >&2
cargo bench -q -p para-benches --bench workloads --no-run >&2
echo "sequential loop (one thread)" >&2
bench "^(${groups})/sequential/${big}\$" --save-baseline scaling_seq
for t in $counts; do
    echo "PARA_CONCURRENCY=$t RAYON_NUM_THREADS=$t" >&2
    PARA_CONCURRENCY=$t RAYON_NUM_THREADS=$t \
        bench "^(${groups})/(para|para_bytes|rayon)/${big}\$" --save-baseline "scaling_t$t"
done

python3 - "$counts" <<'EOF'
import json, os, sys

counts = [int(t) for t in sys.argv[1].split()]
root = "target/criterion"

def median(*parts):
    path = os.path.join(root, *parts, "estimates.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"]

def fmt(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"

print(f"threads: {counts} (PARA_CONCURRENCY = RAYON_NUM_THREADS = N; "
      "para's caller works too)")
print("cell: median (speedup over the sequential loop, over the same library at 1)")
for group in sorted(os.listdir(root)):
    gpath = os.path.join(root, group)
    if not os.path.isdir(os.path.join(gpath, "sequential")):
        continue
    for param in sorted(os.listdir(os.path.join(gpath, "sequential"))):
        seq = median(group, "sequential", param, "scaling_seq")
        if seq is None:
            continue
        print(f"## {group}/{param}: sequential {fmt(seq)}")
        for func in ("para", "para_bytes", "rayon"):
            one = median(group, func, param, f"scaling_t{counts[0]}")
            if one is None:
                continue
            cells = []
            for t in counts:
                m = median(group, func, param, f"scaling_t{t}")
                if m is not None:
                    cells.append(f"{t}: {fmt(m)} ({seq / m:.2f}x, {one / m:.2f}x)")
            print(f"  {func:<10} " + " | ".join(cells))
EOF
