//! The collective calls beyond map and reduce, each deterministic:
//!
//! - `map_into.rs`: map into caller-owned [`Outputs`](crate::Outputs)
//!   (`map_rows_into`, `map_outputs_with`), allocating nothing;
//! - `fold.rs`: `fold`, a reduction whose accumulator differs from the
//!   items (one sequential fold per block, blocks combined in order);
//! - `try_map.rs`: `try_map` and [`TryItem`], a map that stops at the
//!   lowest failing index;
//! - `chain.rs`: the in-order hand-over of a value from each block to the
//!   next that `scan` and `filter` build on (their single pass);
//! - `scan.rs`: `scan`, the inclusive prefix (reduce-then-scan per block);
//! - `filter.rs`: `filter`, the kept items in order.
//!
//! Every call builds its units and hands them to the one driver
//! (`drive.rs`), as `calls.rs` does: independent units through
//! `Shared::run`, ordered ones as a `Units` of their own through
//! `Shared::drive`.

mod chain;
mod filter;
mod fold;
mod map_into;
mod scan;
mod try_map;

pub use try_map::TryItem;

/// Every collective call once, on small inputs of owned values and chunks
/// of a few items: sized for Miri (the CI runs every `pool::` unit test
/// under Miri, ThreadSanitizer and AddressSanitizer), so that their unsafe
/// writes into outputs and slots run under them with values that own heap
/// memory and count their drops.
#[cfg(all(test, not(loom)))]
mod tests {
    use crate::{CallOptions, Pool};
    use std::sync::atomic::{AtomicUsize, Ordering};

    use crate::pool::test_support::Counted;

    fn setup() -> (Pool, CallOptions, Vec<String>) {
        let p = Pool::builder().concurrency(2).build().unwrap();
        let words = (0..37).map(|i| format!("{i},")).collect();
        (p, CallOptions::default().chunk_size(4), words)
    }

    #[test]
    fn scan_filter_fold_and_try_map_match_their_sequential_answers() {
        let (p, opts, words) = setup();
        let want: Vec<String> = words
            .iter()
            .scan(String::new(), |acc, w| {
                acc.push_str(w);
                Some(acc.clone())
            })
            .collect();
        assert_eq!(
            p.scan_with(opts, |a, b| a + &b, String::new(), &words),
            want
        );

        let kept: Vec<String> = words.iter().filter(|w| w.len() == 3).cloned().collect();
        assert_eq!(p.filter_with(opts, |w: &String| w.len() == 3, &words), kept);

        let folded = p.fold_with(
            opts,
            |mut acc: Vec<String>, w: &String| {
                acc.push(w.clone());
                acc
            },
            |mut a, b| {
                a.extend(b);
                a
            },
            Vec::new(),
            &words,
        );
        assert_eq!(folded, words);

        let all: Result<Vec<String>, usize> =
            p.try_map_with(opts, |w: &String| Ok(w.repeat(2)), &words);
        assert_eq!(all, Ok(words.iter().map(|w| w.repeat(2)).collect()));
        let failed: Result<Vec<String>, usize> = p.try_map_with(
            opts,
            |w: &String| {
                let i: usize = w.trim_end_matches(',').parse().unwrap();
                if i % 10 == 7 {
                    Err(i)
                } else {
                    Ok(w.clone())
                }
            },
            &words,
        );
        assert_eq!(failed, Err(7), "the lowest failing index wins");
    }

    #[test]
    fn maps_into_owned_slots_drop_each_old_value_once() {
        static OLD: AtomicUsize = AtomicUsize::new(0);
        let (p, opts, words) = setup();
        let mut out: Vec<Counted> = (0..37)
            .map(|_| Counted(String::from("old"), &OLD))
            .collect();
        p.map_into_with(
            opts,
            |w: &String| Counted(w.to_uppercase(), &OLD),
            &words,
            &mut out,
        );
        assert_eq!(
            OLD.load(Ordering::SeqCst),
            37,
            "each old value dropped once"
        );
        assert!(out.iter().zip(&words).all(|(o, w)| o.0 == *w));
        p.map_outputs_with(
            opts,
            |w: &String, slot: &mut Counted| slot.0.push_str(w),
            &words,
            &mut out,
        );
        assert_eq!(OLD.load(Ordering::SeqCst), 37, "slots are written in place");
        assert!(out
            .iter()
            .zip(&words)
            .all(|(o, w)| o.0 == format!("{w}{w}")));
        drop(out);
        assert_eq!(OLD.load(Ordering::SeqCst), 74);
    }
}
