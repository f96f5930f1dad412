//! Calibration's decisions as plain functions of numbers: which estimate a
//! call plans with, what a probe and a timed call teach the cache, and
//! whether a worker can take a share without being woken.
//!
//! The thresholds are [`chunk`](crate::chunk)'s, each named after the
//! benchmark that chose it; the driver (`pool/drive.rs`) measures and calls
//! these. A wrong answer here costs a call some speed, never a result:
//! reductions fix their tree by length alone (see `reduce.rs`).

use super::Cost;
use crate::chunk::{INLINE_HOT_NS, INLINE_MAX_NS, OBSERVE_MIN_NS, PROBE_NS, SPIN_NS};

/// The cached estimate a call of `items` items plans with, or `None` when
/// it must probe first: a confident estimate always; an unconfident one
/// only while the call it predicts is too small to leave the caller (below
/// [`INLINE_MAX_NS`]), where a wrong estimate costs little.
pub(crate) fn trusted(known: Option<Cost>, items: f64) -> Option<Cost> {
    known.filter(|c| c.confident || items * c.ns_per_item < INLINE_MAX_NS)
}

/// The estimate of a probe whose fastest step took `best_ns_per_item` and
/// which ran `elapsed_ns` in all: confident once it timed at least
/// [`PROBE_NS`] of work.
pub(crate) fn probed(best_ns_per_item: f64, elapsed_ns: u128) -> Cost {
    Cost {
        ns_per_item: best_ns_per_item,
        confident: elapsed_ns >= u128::from(PROBE_NS),
    }
}

/// Whether a probe's estimate `probed` goes into the cache in place of
/// `known`: when nothing is known, when the probe is confident, and when
/// it is lower. A probe's best step bounds the cost from above (it includes
/// reading the clock), so the lower bound is the better one. Without that,
/// a call too short to give a confident estimate, after a tiny call had
/// left an inflated one, would probe again on every call.
pub(crate) fn replaces(known: Option<Cost>, probed: Cost) -> bool {
    match known {
        None => true,
        Some(k) => probed.confident || probed.ns_per_item < k.ns_per_item,
    }
}

/// The corrected estimate after a timed call, or `None` to keep
/// `estimate`: `items` items took `ns` nanoseconds on `threads` threads.
///
/// A parallel call gives an upper bound of the cost (threads × time /
/// items); an inline call gives it exactly. The estimate moves when it is
/// off by more than 2x, so that one unlucky probe does not pin a wrong
/// decision for good.
///
/// A call that ran faster than estimated corrects the estimate however
/// short it was: noise only ever slows a call, so a fast one is proof. (A
/// probe slowed by page faults once left a 0.14 ns kernel estimated at
/// several ns: its 10,000-item calls went parallel, took 3.5 µs instead of
/// 1.1 µs inline, and were too short to be trusted, so the wrong plan
/// stuck.) A call slower than estimated corrects it only when it ran inline
/// for at least [`PROBE_NS`]: one preemption must not pin a kernel to the
/// pool, and a parallel call's time is only an upper bound.
pub(crate) fn corrected(estimate: Cost, ns: f64, items: usize, threads: usize) -> Option<Cost> {
    if items == 0 {
        return None;
    }
    let implied = ns * threads as f64 / items as f64;
    let too_high = implied < estimate.ns_per_item / 2.0;
    let too_low = threads == 1 && ns >= PROBE_NS as f64 && implied > estimate.ns_per_item * 2.0;
    (too_high || too_low).then_some(Cost {
        ns_per_item: implied,
        confident: true,
    })
}

/// Whether work estimated at `est_ns` is mid-sized: enough to share with
/// an awake worker ([`INLINE_HOT_NS`]), too little to pay for waking a
/// sleeping one ([`INLINE_MAX_NS`]). Only such a call asks [`hot`].
pub(crate) fn mid_sized(est_ns: f64) -> bool {
    (INLINE_HOT_NS..INLINE_MAX_NS).contains(&est_ns)
}

/// Whether a mid-sized call can share its work without paying for a
/// wake-up: fewer than all `workers` are `asleep` (one is spinning for
/// [`SPIN_NS`] after its last task, or busy), or the previous mid-sized
/// call was planned less than `SPIN_NS` before this one (`last_plan_ns`,
/// `now_ns`: the same clock, 0 for never). In the second case this call
/// may wake a worker, but the calls that follow in the same burst find it
/// spinning; a lone call on a sleeping pool stays inline. Both inputs are
/// hints: a wrong guess costs one call some speed, never a result.
pub(crate) fn hot(now_ns: u64, last_plan_ns: u64, asleep: usize, workers: usize) -> bool {
    asleep < workers || (last_plan_ns != 0 && now_ns.saturating_sub(last_plan_ns) < SPIN_NS)
}

/// Whether a call estimated at `est_ns` is worth timing to correct the
/// estimate: two clock reads must stay under 1% of it
/// ([`OBSERVE_MIN_NS`]).
pub(crate) fn worth_timing(est_ns: f64) -> bool {
    est_ns >= OBSERVE_MIN_NS
}

/// Calls of fewer units than this run inline without planning (the
/// small-call fast path): below [`INLINE_HOT_NS`] of work nothing leaves
/// the caller, awake workers or not.
pub(crate) fn inline_below(cost: Cost) -> u64 {
    let below = (INLINE_HOT_NS / cost.ns_per_item.max(1e-6)).ceil();
    below.min(u64::MAX as f64) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sure(ns_per_item: f64) -> Cost {
        Cost {
            ns_per_item,
            confident: true,
        }
    }

    fn unsure(ns_per_item: f64) -> Cost {
        Cost {
            ns_per_item,
            confident: false,
        }
    }

    #[test]
    fn a_faster_call_corrects_the_estimate_however_short() {
        // 10,000 items estimated at 2 ns took 100 ns on two threads: far
        // below `PROBE_NS`, and far faster than the 20 µs estimated.
        let now = corrected(sure(2.0), 100.0, 10_000, 2).expect("corrected");
        assert!(now.ns_per_item < 1.0 && now.confident, "{now:?}");
        assert_eq!(now.ns_per_item, 100.0 * 2.0 / 10_000.0);
    }

    #[test]
    fn a_short_slow_call_leaves_the_estimate() {
        // 1,000 items in 5 µs on one thread: 5 ns each, 5000x the estimate,
        // but shorter than `PROBE_NS`, so it may be one preemption.
        assert_eq!(corrected(sure(0.001), 5_000.0, 1_000, 1), None);
        // The same slowness over a long call does move it.
        let now = corrected(sure(0.001), 5e6, 1_000_000, 1).expect("corrected");
        assert!(now.ns_per_item > 1.0 && now.confident, "{now:?}");
    }

    #[test]
    fn a_slow_parallel_call_never_raises_the_estimate() {
        // Threads × time is only an upper bound of the cost.
        assert_eq!(corrected(sure(1.0), 1e9, 1_000, 2), None);
    }

    #[test]
    fn an_estimate_within_2x_stands() {
        assert_eq!(corrected(sure(1.0), 15_000.0, 10_000, 1), None);
        assert_eq!(corrected(sure(1.0), 6_000.0, 10_000, 1), None);
        assert_eq!(corrected(sure(1.0), 0.0, 0, 1), None, "an empty call");
    }

    #[test]
    fn a_lower_unconfident_probe_replaces_an_inflated_one() {
        // As a 100-item call leaves it: clock reads inflate the estimate.
        assert!(replaces(Some(unsure(1_000.0)), unsure(5.0)));
        assert!(replaces(Some(sure(1_000.0)), unsure(5.0)));
    }

    #[test]
    fn a_higher_unconfident_probe_keeps_the_known_estimate() {
        assert!(!replaces(Some(unsure(1.0)), unsure(5.0)));
        assert!(!replaces(Some(unsure(5.0)), unsure(5.0)));
        // A confident probe, or a first one, always goes in.
        assert!(replaces(Some(sure(1.0)), sure(5.0)));
        assert!(replaces(None, unsure(5.0)));
    }

    #[test]
    fn an_unconfident_estimate_is_trusted_for_small_calls_only() {
        assert_eq!(trusted(None, 10.0), None);
        assert_eq!(trusted(Some(sure(1.0)), 1e9), Some(sure(1.0)));
        assert_eq!(trusted(Some(unsure(1.0)), 100.0), Some(unsure(1.0)));
        assert_eq!(trusted(Some(unsure(1.0)), INLINE_MAX_NS), None);
    }

    #[test]
    fn a_probe_is_confident_after_probe_ns() {
        assert!(!probed(3.0, u128::from(PROBE_NS) - 1).confident);
        assert_eq!(probed(3.0, u128::from(PROBE_NS)), sure(3.0));
    }

    #[test]
    fn hot_means_an_awake_worker_or_a_burst_of_calls() {
        let now = 1_000 * SPIN_NS;
        // Every worker asleep, no call before: a lone call stays inline.
        assert!(!hot(now, 0, 2, 2));
        // One worker awake.
        assert!(hot(now, 0, 1, 2));
        // Calls planned back to back are a burst.
        assert!(hot(now, now - SPIN_NS / 2, 2, 2));
        // After a pause, cold again.
        assert!(!hot(now, now - 3 * SPIN_NS, 2, 2));
        assert!(!hot(now, now - SPIN_NS, 2, 2));
    }

    #[test]
    fn only_mid_sized_calls_ask_whether_a_worker_is_awake() {
        assert!(!mid_sized(INLINE_HOT_NS - 1.0));
        assert!(mid_sized(INLINE_HOT_NS));
        assert!(mid_sized(INLINE_MAX_NS - 1.0));
        assert!(!mid_sized(INLINE_MAX_NS));
        assert!(!worth_timing(OBSERVE_MIN_NS - 1.0));
        assert!(worth_timing(OBSERVE_MIN_NS));
    }

    #[test]
    fn the_small_call_bound_is_inline_hot_ns_of_work() {
        assert_eq!(inline_below(sure(1.0)), INLINE_HOT_NS as u64);
        assert_eq!(inline_below(sure(3.0)), (INLINE_HOT_NS / 3.0).ceil() as u64);
        // A zero estimate does not divide by zero.
        assert_eq!(inline_below(sure(0.0)), (INLINE_HOT_NS / 1e-6) as u64);
    }
}
