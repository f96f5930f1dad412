//! Scheduling policy as plain functions of numbers: whether a call runs
//! inline or in parallel, on how many threads, in chunks of what size, and
//! how a reduction's input is cut into blocks. No threads here, so every
//! rule is unit-tested directly.
//!
//! # Guided chunks
//! Without an explicit `chunk_size`, a parallel call's chunks shrink as
//! the work runs out (guided self-scheduling): chunk `k` holds about
//! `remaining / (GUIDED_FACTOR * threads)` units, never fewer than the
//! amortising minimum ([`MIN_CHUNK_NS`] of work), so the first claims are
//! big (few atomic claims) and the last ones small: when the cost per item
//! varies (a Mandelbrot image, whose cost sits in the set), the thread that
//! finishes last is at most one small chunk behind, where equal chunks
//! left one thread working alone on its last eighth of the image.
//! [`guided_ends`] computes the boundaries; [`plan`] hands the minimum to
//! the pool marked with [`GUIDED`]. An explicit `chunk_size` keeps equal
//! chunks of that size.

/// Work below this many nanoseconds (estimated) runs inline on the caller
/// while the workers sleep ([`INLINE_HOT_NS`] applies while one is awake).
///
/// A parallel call costs a wake-up of the workers (a futex wake and a
/// reschedule, 5 to 15 µs on the 2-core benchmark machine when they sleep,
/// well under 1 µs while they spin) plus one atomic claim per chunk; with
/// two threads a call only gains when half its work exceeds that, so 2x the
/// sleeping wake-up cost. The `map_threshold` benchmark group checks the
/// choice: para must start winning at a quarter of rayon's crossover size.
pub(crate) const INLINE_MAX_NS: f64 = 20_000.0;

/// Each thread drafted into a call should get at least this much work.
pub(crate) const MIN_THREAD_NS: f64 = 10_000.0;

/// [`INLINE_MAX_NS`] when a worker is awake (see [`plan`]'s `hot`): handing
/// it a share then costs a queue push and its pop, about a microsecond on
/// the benchmark machine, so two threads gain from about 2 µs of work on;
/// 5 µs keeps a margin. Calls below this never leave the caller, awake
/// workers or not, and never read the clock (the small-call fast path).
pub(crate) const INLINE_HOT_NS: f64 = 5_000.0;

/// [`MIN_THREAD_NS`] when a worker is awake.
pub(crate) const MIN_THREAD_HOT_NS: f64 = 2_500.0;

/// A chunk should carry at least this much work, so that claiming it (one
/// contended `fetch_add`, ~50 ns) stays below 2% of it.
pub(crate) const MIN_CHUNK_NS: f64 = 3_000.0;

/// Chunks per thread when the work allows it, so that a thread slowed down
/// by the OS does not hold up the whole call (load balance). Reductions cut
/// their windows of blocks by it; maps use guided chunks instead.
pub(crate) const CHUNKS_PER_THREAD: usize = 4;

/// A guided chunk holds `1 / (GUIDED_FACTOR * threads)` of the units left.
/// With 1 (classic guided self-scheduling) the first chunk of two threads
/// is half the input, and if that half holds most of the cost the other
/// thread waits; 2 caps the first at a quarter for about twice the claims
/// (a few dozen per call, each ~50 ns).
pub(crate) const GUIDED_FACTOR: usize = 2;

/// The top bit of a planned chunk size (see [`Plan::Parallel`]): set, the
/// rest is the *smallest* chunk of a guided schedule ([`guided_ends`]);
/// clear, every chunk has the size. A flag inside the size, so that code
/// that only caps a size (`chunk.min(n)`, as reductions do per window)
/// keeps working on either kind: a capped guided size is a plain one.
pub(crate) const GUIDED: usize = 1 << (usize::BITS - 1);

/// A planned chunk size split into the size and whether it is the minimum
/// of a guided schedule (see [`GUIDED`]).
#[inline]
pub(crate) fn split_chunk(chunk: usize) -> (usize, bool) {
    (chunk & !GUIDED, chunk & GUIDED != 0)
}

/// The ends of the chunks of a guided schedule of `units` units on
/// `threads` threads, no chunk below `min` units but the last, pushed onto
/// `out` (cleared first) in increasing order; the last is `units`. Chunk
/// `k` covers `ends[k - 1]..ends[k]` (`0..ends[0]` for the first).
///
/// Written into `out` (a buffer on the caller's stack: a parallel map
/// allocates nothing beside its output); returns how many ends it holds,
/// or `None` when the schedule needs more than `out.len()` chunks (the
/// caller then runs equal chunks).
pub(crate) fn guided_ends(
    units: usize,
    threads: usize,
    min: usize,
    out: &mut [usize],
) -> Option<usize> {
    let div = GUIDED_FACTOR * threads.max(1);
    let min = min.max(1);
    let mut done = 0;
    let mut count = 0;
    while done < units {
        let left = units - done;
        done += left.div_ceil(div).max(min).min(left);
        *out.get_mut(count)? = done;
        count += 1;
    }
    Some(count)
}

/// The most chunks a guided schedule may have ([`guided_ends`]'s buffer):
/// a million cheap items on two threads take a few dozen; past this (many
/// threads, a tiny minimum) equal chunks are as good.
pub(crate) const MAX_GUIDED_CHUNKS: usize = 256;

/// Calls estimated at this much work or more are timed (two clock reads,
/// ~50 ns, under 1% of the call) to correct the cached estimate.
pub(crate) const OBSERVE_MIN_NS: f64 = 5_000.0;

/// How long calibration times a prefix before trusting the estimate.
pub(crate) const PROBE_NS: u64 = 10_000;

/// How long an idle worker spins before it sleeps: a little above the
/// round trip of a dispatch, so back-to-back requests find it awake. Also
/// the gap below which two mid-sized calls count as a burst (see
/// `calibrate::rules::hot`): the first one's wake-up keeps a worker
/// spinning for the next.
pub(crate) const SPIN_NS: u64 = 50_000;

/// The largest reduction block. 8192 `f32`s are 32 KiB: a block stays in
/// L1/L2 while its eight accumulators run, and its result slot costs
/// 1/8192 of the input.
pub(crate) const MAX_BLOCK: usize = 8192;

/// A reduction is cut into at least this many blocks (when it has that many
/// items), so that up to this many threads can share it.
pub(crate) const MIN_BLOCKS: usize = 64;

/// How a call runs the units that calibration left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plan {
    /// On the calling thread, in order.
    Inline,
    /// On `threads` threads (the caller included), in chunks of `chunk`
    /// units: equal ones, or, with the [`GUIDED`] bit set, guided ones of
    /// at least the rest of `chunk` ([`split_chunk`]).
    Parallel { threads: usize, chunk: usize },
}

/// Decide how to run `units` units of `cost_ns` nanoseconds each on at most
/// `max_threads` threads (the caller included). `chunk` forces the chunk
/// size (the user's `chunk_size`, in units: equal chunks); without it the
/// chunks are guided, of at least [`MIN_CHUNK_NS`] of work each (see the
/// module's docs). `hot`: a worker can take a
/// share without being woken (one is awake, or calls come back to back so
/// that one wake-up keeps a worker spinning for the calls that follow);
/// then the thresholds are the `*_HOT_NS` ones.
pub(crate) fn plan(
    units: usize,
    cost_ns: f64,
    max_threads: usize,
    chunk: Option<usize>,
    hot: bool,
) -> Plan {
    let (inline_max, min_thread) = if hot {
        (INLINE_HOT_NS, MIN_THREAD_HOT_NS)
    } else {
        (INLINE_MAX_NS, MIN_THREAD_NS)
    };
    let total = units as f64 * cost_ns;
    if units < 2 || max_threads < 2 || total < inline_max {
        return Plan::Inline;
    }
    let by_work = (total / min_thread) as usize;
    let threads = max_threads.min(units).min(by_work.max(1));
    if threads < 2 {
        return Plan::Inline;
    }
    // Below `GUIDED`, so that the flag bit stays clear.
    let (chunk, flag) = match chunk {
        Some(c) => (c.clamp(1, units).min(GUIDED - 1), 0),
        None => {
            let amortise = (MIN_CHUNK_NS / cost_ns.max(1e-3)).ceil() as usize;
            (amortise.min(units.div_ceil(threads)).max(1), GUIDED)
        }
    };
    // Fewer chunks than threads would leave threads idle. (A guided
    // schedule's chunks are at most `max(min, units / threads)` units each,
    // so they are no fewer than equal chunks of that size.)
    let threads = threads.min(units.div_ceil(chunk));
    if threads < 2 {
        Plan::Inline
    } else {
        Plan::Parallel {
            threads,
            chunk: chunk | flag,
        }
    }
}

/// The block length of a reduction over `len` items: a function of `len`
/// (and of an explicit chunk size) only, never of threads or timing, which
/// is what makes reductions deterministic.
pub(crate) fn reduce_block(len: usize, explicit: Option<usize>) -> usize {
    match explicit {
        Some(c) => c.max(1),
        None => len.div_ceil(MIN_BLOCKS).clamp(1, MAX_BLOCK),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plan's threads and its guided minimum chunk; panics on an inline
    /// or equal-chunk plan.
    fn guided(p: Plan) -> (usize, usize) {
        match p {
            Plan::Parallel { threads, chunk } => match split_chunk(chunk) {
                (min, true) => (threads, min),
                _ => panic!("equal chunks: {p:?}"),
            },
            Plan::Inline => panic!("inline"),
        }
    }

    #[test]
    fn cheap_small_work_runs_inline() {
        assert_eq!(plan(100, 0.5, 16, None, false), Plan::Inline);
        assert_eq!(plan(10_000, 0.5, 16, None, false), Plan::Inline);
        assert_eq!(plan(1, 1e9, 16, None, false), Plan::Inline);
        assert_eq!(plan(1000, 1e6, 1, None, false), Plan::Inline);
    }

    #[test]
    fn heavy_work_goes_parallel_even_when_short() {
        // 1,000 items of 100 µs: length alone would say "small"; each item
        // amortises a claim on its own.
        assert_eq!(guided(plan(1000, 100_000.0, 2, None, false)), (2, 1));
        assert_eq!(guided(plan(4, 1e6, 16, None, false)), (4, 1));
    }

    #[test]
    fn threads_scale_with_work_and_chunks_amortise() {
        // 40 µs of work: at most 4 threads by MIN_THREAD_NS.
        let (threads, min) = guided(plan(40_000, 1.0, 16, None, false));
        assert!((2..=4).contains(&threads));
        assert_eq!(min, MIN_CHUNK_NS as usize);
        // 0.3 ns per item: a chunk needs 10,000 items to amortise its claim.
        assert_eq!(guided(plan(10_000_000, 0.3, 2, None, false)), (2, 10_000));
        // The minimum never exceeds a thread's share: 8 µs of work on 3
        // threads (a worker awake), where a claim would want 375 items.
        assert_eq!(guided(plan(1_000, 8.0, 4, None, true)), (3, 334));
    }

    #[test]
    fn an_awake_worker_takes_mid_sized_work() {
        // 10 µs of work: inline while the workers sleep (a wake-up would
        // cost as much as the work), shared when one is awake.
        assert_eq!(plan(10_000, 1.0, 2, None, false), Plan::Inline);
        let (threads, min) = guided(plan(10_000, 1.0, 2, None, true));
        assert_eq!(threads, 2);
        assert!(min as f64 * 1.0 >= MIN_CHUNK_NS && min <= 5_000);
        // Below INLINE_HOT_NS nothing leaves the caller.
        assert_eq!(plan(4_000, 1.0, 16, None, true), Plan::Inline);
    }

    #[test]
    fn explicit_chunk_is_kept_equal() {
        assert_eq!(
            plan(1_000_000, 10.0, 4, Some(4096), false),
            Plan::Parallel {
                threads: 4,
                chunk: 4096
            }
        );
        // A chunk covering everything leaves one thread: inline.
        assert_eq!(plan(1000, 1e5, 4, Some(5000), false), Plan::Inline);
        // A huge explicit chunk never reads as guided.
        match plan(usize::MAX, 1e3, 2, Some(usize::MAX - 1), false) {
            Plan::Parallel { chunk, .. } => assert_eq!(split_chunk(chunk), (GUIDED - 1, false)),
            p => panic!("{p:?}"),
        }
    }

    #[test]
    fn guided_chunks_partition_and_shrink_to_the_minimum() {
        let mut ends = [0_usize; MAX_GUIDED_CHUNKS];
        for (units, threads, min) in [
            (0, 2, 1),
            (1, 2, 1),
            (7, 2, 3),
            (1000, 2, 1),
            (1000, 4, 30),
            (1 << 20, 2, 13),
            (10_000_000, 16, 10_000),
            (100, 2, 1000),
        ] {
            let count = guided_ends(units, threads, min, &mut ends).expect("fits");
            let sizes: Vec<usize> = std::iter::once(0)
                .chain(ends[..count].iter().copied())
                .collect::<Vec<_>>()
                .windows(2)
                .map(|w| w[1] - w[0])
                .collect();
            assert_eq!(ends[..count].last().copied().unwrap_or(0), units);
            assert!(sizes.iter().all(|&s| s > 0), "{sizes:?}");
            assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
            if let Some((last, rest)) = sizes.split_last() {
                assert!(rest.iter().all(|&s| s >= min), "{sizes:?}");
                assert!(*last >= 1);
                // The first chunk is 1 / (GUIDED_FACTOR * threads) of the
                // input, or the minimum.
                let first = units.div_ceil(GUIDED_FACTOR * threads).max(min).min(units);
                assert_eq!(sizes[0], first);
            }
        }
        // A million pixels on two threads with a 13-pixel minimum: a few
        // dozen claims, not thousands.
        let count = guided_ends(1 << 20, 2, 13, &mut ends).expect("fits");
        assert!((20..80).contains(&count), "{count}");
        // A schedule longer than the buffer is refused, not cut short.
        assert_eq!(guided_ends(1 << 20, 2, 1, &mut ends[..10]), None);
    }

    #[test]
    fn reduce_block_depends_on_length_only() {
        assert_eq!(reduce_block(0, None), 1);
        assert_eq!(reduce_block(10, None), 1);
        assert_eq!(reduce_block(1000, None), 16);
        assert_eq!(reduce_block(100_000_000, None), MAX_BLOCK);
        assert_eq!(reduce_block(100, Some(7)), 7);
        assert_eq!(reduce_block(100, Some(0)), 1);
    }
}
