//! Per-pool memory of what a kernel costs, so that only the first call of a
//! function pays for measuring it.
//!
//! # Design
//! A fixed table of [`ENTRIES`] entries (key, cost, small-call bound) with
//! linear probing, read without locks: the fast path of a small call is one
//! hash and one or two atomic loads. A key is the
//! [`TypeId`](std::any::TypeId) of the kernel's type (closures included,
//! through the `typeid` crate, which gives ids to non-`'static` types) mixed
//! with the [`CallKind`]. A full table stops caching; calls stay correct
//! and re-measure.
//!
//! # Memory ordering
//! An entry's key is claimed by a compare-exchange from 0 and never changes
//! until a reset. Its cost is written after the claim with `Release` and read
//! with `Acquire`; a reader that finds the key but a zero cost treats the
//! entry as unknown. The small-call bound (`inline_below`, derived from the
//! cost) is read with `Relaxed` loads of key and bound: it guards no other
//! data, and `Acquire` there would keep the compiler from forwarding the
//! caller's just-stored locals across the lookup. Costs are plain `f64` bits:
//! a reader sees either the old or the new estimate, and either is a valid
//! estimate. Every table is listed (weakly) in a global registry, and `reset`
//! clears each live one, so lookups check nothing but their entry. A lookup
//! or a store racing a reset may leave or see an old estimate: harmless
//! (estimates only steer scheduling), and a reset is meant for tests between
//! calls.

use super::Cost;
use crate::loom::{AtomicU64, Ordering};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Weak};

/// Entries per pool: far more kernels than a program calls through one
/// pool in practice; a full table only costs re-measuring.
const ENTRIES: usize = 128;

/// Low bit of a stored cost: set when the estimate came from at least
/// [`PROBE_NS`](crate::chunk::PROBE_NS) of timed work.
const CONFIDENT: u64 = 1;

/// Every live table, so that a reset reaches them all.
static TABLES: std::sync::Mutex<Vec<Weak<Table>>> = std::sync::Mutex::new(Vec::new());

fn tables() -> std::sync::MutexGuard<'static, Vec<Weak<Table>>> {
    TABLES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Forget every cached estimate of every pool.
pub(crate) fn reset_all() {
    let live: Vec<Arc<Table>> = tables().iter().filter_map(Weak::upgrade).collect();
    for t in live {
        clear(&t);
    }
}

fn clear(table: &Table) {
    for s in table {
        s.inline_below.store(0, Ordering::Relaxed);
        s.cost.store(0, Ordering::Relaxed);
        s.key.store(0, Ordering::Release);
    }
}

impl Cost {
    fn encode(self) -> u64 {
        // Costs are positive; clearing the lowest mantissa bit changes the
        // estimate by under one part in 2^52.
        let bits = self.ns_per_item.max(1e-6).to_bits() & !CONFIDENT;
        bits | u64::from(self.confident)
    }

    fn decode(bits: u64) -> Cost {
        Cost {
            ns_per_item: f64::from_bits(bits & !CONFIDENT),
            confident: bits & CONFIDENT != 0,
        }
    }
}

/// One kernel's line of the table.
struct Entry {
    key: AtomicU64,
    cost: AtomicU64,
    /// Calls of fewer units than this run inline (derived from `cost` when
    /// it is written, so the small-call fast path compares integers).
    inline_below: AtomicU64,
}

/// A fixed-size table: its length is known at compile time, so a probe
/// needs no bounds check.
type Table = [Entry; ENTRIES];

/// A pool's cost table.
pub(crate) struct CostCache {
    table: Arc<Table>,
}

impl std::fmt::Debug for CostCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let used = self
            .table
            .iter()
            .filter(|s| s.key.load(Ordering::Relaxed) != 0)
            .count();
        f.debug_struct("CostCache").field("entries", &used).finish()
    }
}

impl CostCache {
    pub(crate) fn new() -> Self {
        let table: Arc<Table> = Arc::new(std::array::from_fn(|_| Entry {
            key: AtomicU64::new(0),
            cost: AtomicU64::new(0),
            inline_below: AtomicU64::new(0),
        }));
        let mut all = tables();
        all.retain(|w| w.strong_count() > 0);
        all.push(Arc::downgrade(&table));
        drop(all);
        CostCache { table }
    }

    pub(crate) fn clear(&self) {
        clear(&self.table);
    }

    /// The entry holding `key`, if any (linear probing from its hash).
    #[inline]
    fn find(&self, key: u64, order: Ordering) -> Option<&Entry> {
        let start = (key as usize) % ENTRIES;
        for probe in 0..ENTRIES {
            let s = &self.table[(start + probe) % ENTRIES];
            match s.key.load(order) {
                0 => return None,
                k if k == key => return Some(s),
                _ => {}
            }
        }
        None
    }

    #[inline]
    pub(crate) fn get(&self, key: u64) -> Option<Cost> {
        let c = self
            .find(key, Ordering::Acquire)?
            .cost
            .load(Ordering::Acquire);
        (c != 0).then(|| Cost::decode(c))
    }

    /// Calls of the kernel `key` with fewer units than this are known to
    /// be too small to share (0 when nothing is known).
    #[inline]
    pub(crate) fn inline_below(&self, key: u64) -> u64 {
        // Relaxed: the bound guards no other data, and a stale or missing
        // bound only sends a call down the planning path. The home entry is
        // checked first, out of the probe loop: it is where a key lives
        // unless another key took it first.
        let home = &self.table[(key as usize) % ENTRIES];
        let s = if home.key.load(Ordering::Relaxed) == key {
            home
        } else {
            match self.find(key, Ordering::Relaxed) {
                Some(s) => s,
                None => return 0,
            }
        };
        s.inline_below.load(Ordering::Relaxed)
    }

    pub(crate) fn put(&self, key: u64, cost: Cost) {
        let start = (key as usize) % ENTRIES;
        for probe in 0..ENTRIES {
            let s = &self.table[(start + probe) % ENTRIES];
            let claimed = match s
                .key
                .compare_exchange(0, key, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => true,
                Err(k) => k == key,
            };
            if claimed {
                s.cost.store(cost.encode(), Ordering::Release);
                s.inline_below
                    .store(super::rules::inline_below(cost), Ordering::Release);
                return;
            }
        }
    }
}

/// Mixes what a `TypeId` feeds to a hasher into a `u64`.
struct Mix(u64);

impl Hasher for Mix {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, x: u64) {
        // One round of a multiply-rotate mix (the constant is 2^64 / phi).
        self.0 = (self.0 ^ x)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(29);
    }
}

/// What a call does with its kernel: the same closure type may be a map's
/// kernel in one call and a reduction's combiner in another, at different
/// costs per item, so each kind has its own cache entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallKind {
    /// `map`, `map_into` (and the cluster share's map over blocks): the
    /// kernel runs once per item.
    Map,
    /// `reduce`: the combiner runs once per item.
    Reduce,
    /// `map_reduce`: the kernel and the combiner once per item each; keyed
    /// by both types.
    MapReduce,
}

impl CallKind {
    /// The number mixed into the key (the values of the `TAG_*` constants
    /// this enum replaced, so keys are unchanged).
    fn tag(self) -> u64 {
        match self {
            CallKind::Map => 1,
            CallKind::Reduce => 2,
            CallKind::MapReduce => 3,
        }
    }
}

/// The cache key of the kernel type `F` in calls of kind `kind`.
pub(crate) fn key_of<F: ?Sized>(kind: CallKind) -> u64 {
    let mut h = Mix(kind.tag().wrapping_add(0x51_7C_C1_B7_27_22_0A_95));
    typeid::of::<F>().hash(&mut h);
    h.finish() | 1
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn put_get_roundtrip_and_distinct_keys() {
        let c = CostCache::new();
        let a = key_of::<fn(u8)>(CallKind::Map);
        let b = key_of::<fn(u16)>(CallKind::Map);
        let a2 = key_of::<fn(u8)>(CallKind::Reduce);
        assert_ne!(a, b);
        assert_ne!(a, a2);
        assert_eq!(c.get(a), None);
        c.put(
            a,
            Cost {
                ns_per_item: 2.5,
                confident: true,
            },
        );
        let got = c.get(a).unwrap();
        assert!((got.ns_per_item - 2.5).abs() < 1e-9 && got.confident);
        assert_eq!(c.get(b), None);
        c.put(
            a,
            Cost {
                ns_per_item: 7.0,
                confident: false,
            },
        );
        assert!(!c.get(a).unwrap().confident);
    }

    #[test]
    fn closures_get_their_own_keys() {
        fn k<F>(_: &F) -> u64 {
            key_of::<F>(CallKind::Map)
        }
        let x = 3;
        let f = |a: i32| a + x;
        let g = |a: i32| a * x;
        assert_ne!(k(&f), k(&g));
        assert_eq!(k(&f), k(&f));
    }

    #[test]
    fn full_table_stops_caching_without_harm() {
        let c = CostCache::new();
        for key in 1..=(ENTRIES as u64 * 2) {
            c.put(
                key * 2 + 1,
                Cost {
                    ns_per_item: 1.0,
                    confident: true,
                },
            );
        }
        assert!(c.get(3).is_some());
        assert_eq!(c.get(u64::MAX), None);
    }
}
