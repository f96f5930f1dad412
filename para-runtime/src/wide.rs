//! Kernel loops compiled for wide vectors where the CPU has them.
//!
//! A map's loop over a chunk is compiled twice: for the build's target
//! (on x86-64 without `-C target-cpu`, 128-bit SSE2) and, on x86 and
//! x86-64, once more inside an `#[target_feature(enable = "avx2")]`
//! function, into which the compiler inlines the loop and the kernel.
//! Each chunk picks one at run time from a cached CPU check, so a cheap
//! kernel such as `x * 2.0 + 1.0` runs on 256-bit vectors without the
//! user building for a newer CPU.
//!
//! Results do not change: enabling AVX2 adds wider registers, not new
//! rounding. Rust never fuses a multiply and an add into an FMA unless
//! asked, and it never reorders floating-point operations, so every item
//! is computed by the same IEEE operations in both copies. Reductions are
//! not routed through here; their association tree is fixed elsewhere
//! (see `reduce`) and would not change either.
//!
//! Measured on the development machine (Sapphire Rapids, 2 vCPUs), map
//! of `x * 2.0 + 1.0` over `f32`, output allocated per call, against a
//! plain loop built for the baseline target: at 100 items 1.14x to 1.21x
//! with the baseline copy only, 0.97x to 1.02x with the AVX2 copy; at
//! 1,000 items 0.74x to 0.84x. `PARA_AVX2=0` in the environment turns the
//! second copy off (read once, when the first pool is built).
//!
//! Long chunks also start their stores on a 32-byte boundary (see
//! [`for_each_aligned`]): a 32-byte store that crosses a cache line costs
//! two, and a fresh `Vec` is only 16-byte aligned. Without that, map of
//! 10,000 items ran 1.17x the plain loop; with it, 0.95x to 0.98x.

use crate::input::{Item, Source};
use std::ops::Range;

/// A chunk's loop, for [`call`]: `run` is compiled once per copy.
///
/// Implementations mark `run` `#[inline(always)]`: the AVX2 copy is only
/// as wide as what is inlined into it. A closure is inlined at the
/// compiler's discretion, and it declined for the async map's chunk loop
/// (the `service` bench's kernel ran on 128-bit registers there, 256 in the
/// blocking map); the map loops below go through [`MapFill`], whose `run`
/// is always inlined, so that no call site depends on that choice.
pub(crate) trait Body {
    /// What a chunk returns (the items it finished, for a map).
    type Out;
    /// Run the chunk over `r`.
    fn run(&self, r: Range<usize>) -> Self::Out;
}

impl<R, F: Fn(Range<usize>) -> R> Body for F {
    type Out = R;
    #[inline(always)]
    fn run(&self, r: Range<usize>) -> R {
        self(r)
    }
}

/// A map's chunk loop: `out[i] = f(src[i])` for each `i` of the range,
/// stores aligned as in [`for_each_aligned`]. `ASSIGN`: the slots hold
/// values, which each store drops (a `map_into` over a slice); otherwise
/// they are uninitialised and written without a drop.
pub(crate) struct MapFill<'a, S, F, U, const ASSIGN: bool> {
    src: &'a S,
    f: &'a F,
    out: *mut U,
}

// SAFETY: threads share a `MapFill` to run disjoint ranges (`new`'s
// contract), each storing `U`s into its own slots (`U: Send`) while reading
// the source and calling `f` through shared references (`S`, `F: Sync`).
unsafe impl<S: Sync, F: Sync, U: Send, const ASSIGN: bool> Sync for MapFill<'_, S, F, U, ASSIGN> {}

impl<'a, S, F, U, const ASSIGN: bool> MapFill<'a, S, F, U, ASSIGN> {
    /// # Safety
    /// `out` has `src.len()` slots (initialised ones when `ASSIGN`), and
    /// until the last `run` returns, no range of `0..src.len()` is run
    /// twice and nothing else accesses those slots.
    #[inline(always)]
    pub(crate) unsafe fn new(src: &'a S, f: &'a F, out: *mut U) -> Self {
        MapFill { src, f, out }
    }
}

impl<S, F, U, const ASSIGN: bool> Body for MapFill<'_, S, F, U, ASSIGN>
where
    S: Source,
    F: for<'s> Fn(Item<'s, S>) -> U,
{
    type Out = usize;
    #[inline(always)]
    fn run(&self, r: Range<usize>) -> usize {
        let (f, p) = (self.f, self.out);
        let len = r.len();
        for_each_aligned(self.src, r, p, |i, x| {
            // SAFETY: `i` lies in the range, a sub-range of `0..src.len()`
            // (`Source` is an unsafe trait whose `for_each_in` hands out
            // exactly the indices of the range, once each); `out` has that
            // many slots and no range runs twice (`new`'s contract), so
            // slot `i` is this store's alone.
            unsafe {
                if ASSIGN {
                    *p.add(i) = f(x);
                } else {
                    p.add(i).write(f(x));
                }
            }
        });
        len
    }
}

/// Run `body` over `r`, through the AVX2 copy where the CPU has AVX2 and
/// it is not turned off.
#[inline(always)]
pub(crate) fn call<B: Body>(body: &B, r: Range<usize>) -> B::Out {
    #[cfg(all(any(target_arch = "x86_64", target_arch = "x86"), not(miri)))]
    {
        if x86::wide() {
            // SAFETY: `wide()` is true only where the CPU reports AVX2.
            return unsafe { x86::call_avx2(body, r) };
        }
    }
    body.run(r)
}

/// Settle the CPU check now (pools call this when built), so that no
/// timed call pays for it.
pub(crate) fn prepare() {
    #[cfg(all(any(target_arch = "x86_64", target_arch = "x86"), not(miri)))]
    let _ = x86::wide();
}

#[cfg(all(any(target_arch = "x86_64", target_arch = "x86"), not(miri)))]
mod x86 {
    use std::ops::Range;
    use std::sync::atomic::{AtomicU8, Ordering};

    const UNKNOWN: u8 = 0;
    const NO: u8 = 1;
    const YES: u8 = 2;

    static STATE: AtomicU8 = AtomicU8::new(UNKNOWN);

    /// Whether to use the AVX2 copy: one relaxed load once known.
    #[inline(always)]
    pub(super) fn wide() -> bool {
        if cfg!(target_feature = "avx2") {
            return true;
        }
        match STATE.load(Ordering::Relaxed) {
            YES => true,
            NO => false,
            _ => detect(),
        }
    }

    /// Every thread that races here computes the same answer, so a plain
    /// store is enough.
    #[cold]
    #[inline(never)]
    fn detect() -> bool {
        let on = crate::env::avx2() && std::arch::is_x86_feature_detected!("avx2");
        STATE.store(if on { YES } else { NO }, Ordering::Relaxed);
        on
    }

    /// `body.run(r)`, compiled with AVX2: `run` (built for the baseline
    /// target, a subset of these features) is inlined into this function,
    /// whose loop is vectorised for 256-bit registers.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn call_avx2<B: super::Body>(body: &B, r: Range<usize>) -> B::Out {
        body.run(r)
    }
}

/// Items from this many on: align the stores (below it the extra check
/// and head loop cost more than the split stores they save, which stay in
/// L1 anyway).
const ALIGN_FROM: usize = 1024;

/// `src.for_each_in(r, g)`, where `g` stores item `i` at `out + i`: for a
/// long range whose item size divides 32 bytes, the first few items run
/// on their own so that the rest store on 32-byte boundaries.
#[inline(always)]
pub(crate) fn for_each_aligned<S, U, G>(src: &S, r: Range<usize>, out: *const U, mut g: G)
where
    S: Source,
    G: FnMut(usize, Item<'_, S>),
{
    let head = aligned_head(out, r.clone());
    let mut start = r.start;
    if head > 0 {
        src.for_each_in(start..start + head, &mut g);
        start += head;
    }
    src.for_each_in(start..r.end, g);
}

/// How many items of `r` to run before `out + i` is 32-byte aligned; 0
/// for short ranges and for item sizes that do not divide 32.
#[inline(always)]
fn aligned_head<U>(out: *const U, r: Range<usize>) -> usize {
    let size = std::mem::size_of::<U>();
    if size == 0 || 32 % size != 0 || r.len() < ALIGN_FROM {
        return 0;
    }
    let offset = out.wrapping_add(r.start) as usize % 32;
    ((32 - offset) % 32 / size).min(r.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::SliceSource;

    #[test]
    fn aligned_walk_visits_every_index_once_in_order() {
        let data: Vec<u32> = (0..5000).collect();
        let src = SliceSource(&data);
        let out = vec![0_u32; 5000];
        for start in [0, 1, 3, 7, 100] {
            for end in [start, start + 1, start + 1023, start + 1024, 5000] {
                let mut seen = Vec::new();
                for_each_aligned(&src, start..end, out.as_ptr(), |i, x| {
                    assert_eq!(i as u32, *x);
                    seen.push(i);
                });
                assert_eq!(seen, (start..end).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn head_reaches_a_32_byte_boundary() {
        let buf = vec![0_u32; 4096];
        for start in 0..16 {
            let head = aligned_head(buf.as_ptr(), start..start + ALIGN_FROM);
            assert!(head < 8, "at most 7 u32 before a boundary");
            assert_eq!(buf.as_ptr().wrapping_add(start + head) as usize % 32, 0);
        }
        assert_eq!(aligned_head(buf.as_ptr(), 1..ALIGN_FROM), 0, "short range");
        let odd = vec![[0_u8; 3]; 4096];
        assert_eq!(
            aligned_head(odd.as_ptr(), 1..4000),
            0,
            "size 3 never aligns"
        );
    }

    /// A `MapFill` over split ranges writes every slot once with `f`'s
    /// value, in both copies; the assigning form drops each old value
    /// once, the writing form none.
    #[test]
    fn map_fill_writes_each_slot_once_and_assign_drops_the_old_value() {
        use std::cell::Cell;
        let drops = Cell::new(0_usize);
        struct D<'a>(u64, &'a Cell<usize>);
        impl Drop for D<'_> {
            fn drop(&mut self) {
                self.1.set(self.1.get() + 1);
            }
        }
        let data: Vec<u64> = (0..3000).collect();
        let src = SliceSource(&data);
        let f = |x: &u64| D(x * 3 + 1, &drops);
        let mut old: Vec<D<'_>> = (0..3000).map(|_| D(0, &drops)).collect();
        // SAFETY: `old` holds 3000 values; the two ranges are disjoint.
        let fill = unsafe { MapFill::<_, _, _, true>::new(&src, &f, old.as_mut_ptr()) };
        assert_eq!(call(&fill, 0..1100), 1100);
        assert_eq!(fill.run(1100..3000), 1900);
        assert_eq!(drops.get(), 3000, "each old value dropped once");
        assert!(old.iter().enumerate().all(|(i, d)| d.0 == i as u64 * 3 + 1));
        drop(old);
        drops.set(0);
        let mut fresh: Vec<D<'_>> = Vec::with_capacity(3000);
        // SAFETY: `fresh` has capacity 3000; the ranges are disjoint.
        let fill = unsafe { MapFill::<_, _, _, false>::new(&src, &f, fresh.as_mut_ptr()) };
        assert_eq!(call(&fill, 0..2999) + call(&fill, 2999..3000), 3000);
        assert_eq!(drops.get(), 0, "nothing dropped into fresh slots");
        // SAFETY: every slot of `0..3000` was written above.
        unsafe { fresh.set_len(3000) };
        assert!(fresh
            .iter()
            .enumerate()
            .all(|(i, d)| d.0 == i as u64 * 3 + 1));
    }

    #[test]
    fn wide_call_returns_the_body_result() {
        // A multiply then an add whose fused form rounds differently for
        // many of these inputs: the wide copy must not fuse them.
        let v: Vec<f32> = (0..1000).map(|i| i as f32 * 0.37).collect();
        let body = |r: Range<usize>| v[r].iter().map(|x| x * 1.1 + 0.3).collect::<Vec<f32>>();
        let fused = v
            .iter()
            .filter(|x| x.mul_add(1.1, 0.3) != *x * 1.1 + 0.3)
            .count();
        assert!(fused > 0, "the inputs do not tell fused from unfused");
        #[cfg(all(any(target_arch = "x86_64", target_arch = "x86"), not(miri)))]
        if std::arch::is_x86_feature_detected!("avx2") && crate::env::avx2() {
            assert!(x86::wide(), "AVX2 is there but the wide copy is off");
        }
        let plain = body(0..1000);
        let wide = call(&body, 0..1000);
        assert_eq!(
            plain.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            wide.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
    }
}
