#!/usr/bin/env bash
# Compile-time cost of #[pure]: generates a crate of 200 kernels, once with
# the attribute and once without, and times `cargo build --release` of that
# crate alone (dependencies are built first and not counted). Prints both
# times and the ratio.
#
#   bash benches/compile_time.sh [kernels]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-200}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="$work/target" CARGO_INCREMENTAL=0

gen() { # $1 = dir, $2 = attribute line
  mkdir -p "$1/src"
  cat > "$1/Cargo.toml" <<TOML
[package]
name = "$(basename "$1")"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
para = { path = "$root/para" }

[workspace]
TOML
  {
    echo "#![allow(dead_code)]"
    echo "const SCALE: f32 = 0.5;"
    for i in $(seq 1 "$n"); do
      cat <<RS
$2
pub fn kernel_$i(row: &[f32]) -> f32 {
    let bias = $i as f32 * SCALE;
    let mut acc = 0.0f32;
    for (k, x) in row.iter().enumerate() {
        acc += if k % 2 == 0 { x * x } else { x.abs().sqrt() };
    }
    let m = std::cmp::max(row.len(), 1) as f32;
    assert!(m > 0.0, "rows are non-empty: {m}");
    acc / m + bias
}
RS
    done
  } > "$1/src/lib.rs"
}

gen "$work/with_pure" "#[para::pure]"
gen "$work/without_pure" ""
cp "$root/Cargo.lock" "$work/with_pure/" 2>/dev/null || true
cp "$root/Cargo.lock" "$work/without_pure/" 2>/dev/null || true

build_once() { # seconds of one rebuild of the crate alone
  touch "$1/src/lib.rs"
  local t0 t1
  t0=$(date +%s.%N)
  (cd "$1" && cargo build --release -q)
  t1=$(date +%s.%N)
  python3 -c "print($t1 - $t0)"
}

# Dependencies first (not counted), then the two crates alternately, so a
# slow spell on this shared machine hits both; the best of five each.
(cd "$work/with_pure" && cargo build --release -q)
(cd "$work/without_pure" && cargo build --release -q)
with=999999
without=999999
for _ in 1 2 3 4 5; do
  with=$(python3 -c "print(min($with, $(build_once "$work/with_pure")))")
  without=$(python3 -c "print(min($without, $(build_once "$work/without_pure")))")
done
python3 - "$with" "$without" "$n" <<'PY'
import sys
w, wo, n = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
print(f"{n} kernels, cargo build --release of the crate (best of 5):")
print(f"  with #[pure]:    {w:.2f} s")
print(f"  without:         {wo:.2f} s")
print(f"  ratio:           {w / wo:.2f}x (target <= 1.5x)")
PY
