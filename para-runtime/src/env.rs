//! Every environment variable the runtime reads, in one place.
//!
//! - `PARA_CONCURRENCY`: the default worker count of a pool built without
//!   `concurrency` ([`PoolBuilder::build`](crate::PoolBuilder::build)); a
//!   positive integer, anything else is [`BuildError::InvalidEnv`].
//! - `PARA_HUGEPAGES`: `0` turns off the huge-page advice for outputs of
//!   4 MiB or more (`mem.rs`), read by the first such `map`.
//! - `PARA_AVX2`: `0` turns off the AVX2 copy of the map loop (`wide.rs`),
//!   read when the first pool is built.
//!
//! Each is read when first needed; the callers cache what they read (a
//! `OnceLock`, a CPU-check state), so a variable changed later in the
//! process is seen by new pools (`PARA_CONCURRENCY`) or not at all (the
//! two switches).

use crate::error::BuildError;

/// The default worker count from `PARA_CONCURRENCY`: `Ok(None)` when it is
/// not set.
///
/// # Errors
/// [`BuildError::InvalidEnv`] when it is set to anything but a positive
/// integer (surrounding whitespace allowed).
pub(crate) fn concurrency() -> Result<Option<usize>, BuildError> {
    match std::env::var("PARA_CONCURRENCY") {
        Ok(v) => parse_count(&v)
            .map(Some)
            .ok_or(BuildError::InvalidEnv { value: v }),
        Err(_) => Ok(None),
    }
}

/// A positive integer, surrounding whitespace allowed.
fn parse_count(v: &str) -> Option<usize> {
    v.trim().parse::<usize>().ok().filter(|&n| n > 0)
}

/// Whether `map` may advise big outputs to huge pages (`PARA_HUGEPAGES`,
/// on unless `0`).
#[allow(
    dead_code,
    reason = "used where huge pages exist; unused under Miri and loom"
)]
pub(crate) fn hugepages() -> bool {
    switch_on("PARA_HUGEPAGES")
}

/// Whether the map loop may run its AVX2 copy (`PARA_AVX2`, on unless
/// `0`).
#[allow(dead_code, reason = "used on x86 and x86-64; unused under Miri")]
pub(crate) fn avx2() -> bool {
    switch_on("PARA_AVX2")
}

/// Whether an on-by-default switch is on: it is off only when `var` is set
/// to `0`.
#[allow(
    dead_code,
    reason = "used where huge pages or AVX2 exist; unused under Miri"
)]
fn switch_on(var: &str) -> bool {
    switch_value(std::env::var(var).ok().as_deref())
}

/// An on-by-default switch's value: off only for `0`.
#[allow(
    dead_code,
    reason = "used where huge pages or AVX2 exist; unused under Miri"
)]
fn switch_value(v: Option<&str>) -> bool {
    v.is_none_or(|v| v.trim() != "0")
}

#[cfg(test)]
mod tests {
    use super::*;

    // The parsers, not the variables: tests run in parallel threads of one
    // process, and `tests/tests/pool_env.rs` sets `PARA_CONCURRENCY` in a
    // process of its own.
    #[test]
    fn a_count_is_a_positive_integer() {
        assert_eq!(parse_count("3"), Some(3));
        assert_eq!(parse_count(" 8\n"), Some(8));
        for bad in ["0", "", "-1", "two", "1.5"] {
            assert_eq!(parse_count(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_switch_is_off_only_for_zero() {
        assert!(switch_value(None));
        assert!(switch_value(Some("1")));
        assert!(switch_value(Some("")));
        assert!(!switch_value(Some("0")));
        assert!(!switch_value(Some(" 0 ")));
    }
}
