//! Zipped inputs: a tuple of 2 to 4 inputs of the same length, whose item
//! `i` is the tuple of their items `i` ([`Zip2`], [`Zip3`], [`Zip4`]).
//!
//! The lengths are compared when the tuple converts ([`IntoSource`]), so
//! a mismatch panics before anything runs, with every length in the
//! message (rayon's `zip_eq`).

use super::{IntoSource, Item, Source, SourceItem};
use std::ops::Range;

/// The panic of inputs whose lengths differ: `3 and 4`, `3, 4 and 5`.
#[cold]
#[inline(never)]
#[track_caller]
fn mismatch(lens: &[usize]) -> ! {
    let (last, rest) = lens.split_last().expect("at least two inputs");
    let rest: Vec<String> = rest.iter().map(usize::to_string).collect();
    panic!(
        "para: zip: the inputs have different lengths: {} and {last}",
        rest.join(", ")
    );
}

/// Defines one `ZipN` source and the `IntoSource` impl of the matching
/// tuple.
macro_rules! zip {
    (
        $(#[$doc:meta])*
        $name:ident, $n:literal;
        $first:ident $fv:ident $fi:tt;
        $($rest:ident $rv:ident $ri:tt),+
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name<$first, $($rest),+> {
            len: usize,
            sources: ($first, $($rest),+),
        }

        impl<$first: Source, $($rest: Source),+> $name<$first, $($rest),+> {
            /// The zipped sources, in order.
            pub fn into_inner(self) -> ($first, $($rest),+) {
                self.sources
            }
        }

        impl<'s, $first: Source, $($rest: Source),+> SourceItem<'s> for $name<$first, $($rest),+> {
            type Item = (Item<'s, $first>, $(Item<'s, $rest>),+);
        }

        // SAFETY: `len` is fixed at construction, where every source was
        // checked to have it (and a `Source`'s `len` never changes), so an
        // index below it is below each source's length; `get_unchecked`
        // forwards it to each. `for_each_in` checks `range` against `len`,
        // then walks it in order, each index once.
        unsafe impl<$first: Source, $($rest: Source),+> Source for $name<$first, $($rest),+> {
            type Value = ($first::Value, $($rest::Value),+);

            #[inline]
            fn len(&self) -> usize {
                self.len
            }

            #[inline]
            unsafe fn get_unchecked(&self, i: usize) -> Item<'_, Self> {
                // SAFETY: `i < self.len()` (the caller's promise), which is
                // every source's length.
                unsafe {
                    (
                        self.sources.$fi.get_unchecked(i),
                        $(self.sources.$ri.get_unchecked(i)),+
                    )
                }
            }

            #[inline]
            fn value(item: Item<'_, Self>) -> Self::Value {
                ($first::value(item.$fi), $($rest::value(item.$ri)),+)
            }

            #[inline]
            fn for_each_in<G: FnMut(usize, Item<'_, Self>)>(&self, range: Range<usize>, mut g: G) {
                assert!(range.end <= self.len, "range out of bounds");
                // References to the sources as locals: the callback writes
                // through raw pointers, and shared references tell the
                // compiler that those writes cannot change the sources.
                // Every source is read by index (the trait's walk hands its
                // items to a callback generic over their lifetime, which
                // cannot be paired with another source's items).
                let ($fv, $($rv),+) = (&self.sources.$fi, $(&self.sources.$ri),+);
                for i in range {
                    // SAFETY: `i < range.end <= len`, every source's length.
                    g(i, unsafe { ($fv.get_unchecked(i), $($rv.get_unchecked(i)),+) });
                }
            }
        }

        /// Zips the inputs: item `i` is the tuple of their items `i`.
        ///
        /// # Panics
        /// If the lengths differ, with all of them in the message, before
        /// anything runs.
        impl<$first: IntoSource, $($rest: IntoSource),+> IntoSource for ($first, $($rest),+) {
            type Source = $name<$first::Source, $($rest::Source),+>;
            #[track_caller]
            fn into_source(self) -> Self::Source {
                let sources = (self.$fi.into_source(), $(self.$ri.into_source()),+);
                let lens: [usize; $n] = [sources.$fi.len(), $(sources.$ri.len()),+];
                if lens.iter().any(|&l| l != lens[0]) {
                    mismatch(&lens);
                }
                $name { len: lens[0], sources }
            }
        }
    };
}

zip! {
    /// Two inputs of the same length, zipped: item `i` is `(a[i], b[i])`,
    /// the value the tuple of values. Built from a tuple `(a, b)` of inputs
    /// (see [`IntoSource`]).
    ///
    /// ```
    /// let pool = para_runtime::Pool::new()?;
    /// let (x, y) = (vec![1.0_f32, 2.0, 3.0], vec![10.0_f32, 20.0, 30.0]);
    /// let sums = pool.map(|(a, b): (&f32, &f32)| a + b, (&x, &y));
    /// assert_eq!(sums, [11.0, 22.0, 33.0]);
    /// let dot = pool.map_reduce(|(a, b): (&f32, &f32)| a * b, |p, q| p + q, 0.0, (&x, &y));
    /// assert_eq!(dot, 140.0);
    /// # Ok::<(), para_runtime::BuildError>(())
    /// ```
    ///
    /// Inputs of different lengths panic when the call converts them:
    ///
    /// ```should_panic
    /// # let pool = para_runtime::Pool::new().unwrap();
    /// // panics: "para: zip: the inputs have different lengths: 3 and 4"
    /// pool.map(|(i, x): (usize, &u8)| i + *x as usize, (0..3, &[1_u8, 2, 3, 4]));
    /// ```
    Zip2, 2; A a 0; B b 1
}

zip! {
    /// Three inputs of the same length, zipped: item `i` is `(a[i], b[i],
    /// c[i])`. Built from a tuple `(a, b, c)`; see [`Zip2`].
    ///
    /// ```
    /// let pool = para_runtime::Pool::new()?;
    /// let (x, y) = ([1_u32, 2, 3], [4_u32, 5, 6]);
    /// let out = pool.map(|(i, a, b): (usize, &u32, &u32)| i as u32 * a + b, (0..3, &x, &y));
    /// assert_eq!(out, [4, 7, 12]);
    /// # Ok::<(), para_runtime::BuildError>(())
    /// ```
    Zip3, 3; A a 0; B b 1, C c 2
}

zip! {
    /// Four inputs of the same length, zipped: item `i` is `(a[i], b[i],
    /// c[i], d[i])`. Built from a tuple `(a, b, c, d)`; see [`Zip2`].
    ///
    /// ```
    /// let pool = para_runtime::Pool::new()?;
    /// let v = [1_u8, 2];
    /// let out = pool.map(|(a, b, c, d): (&u8, &u8, usize, &u8)| a + b + c as u8 + d, (&v, &v, 0..2, &v));
    /// assert_eq!(out, [3, 7]);
    /// # Ok::<(), para_runtime::BuildError>(())
    /// ```
    Zip4, 4; A a 0; B b 1, C c 2, D d 3
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
        let p = std::panic::catch_unwind(f).expect_err("should panic");
        p.downcast_ref::<String>()
            .cloned()
            .expect("a String payload")
    }

    #[test]
    fn lengths_are_named_in_the_panic() {
        let v = [0_u8; 4];
        assert_eq!(
            panic_message(|| {
                let _ = (0..3, &v).into_source();
            }),
            "para: zip: the inputs have different lengths: 3 and 4"
        );
        assert_eq!(
            panic_message(|| {
                let _ = (0..3, &v, 0..5).into_source();
            }),
            "para: zip: the inputs have different lengths: 3, 4 and 5"
        );
        assert_eq!(
            panic_message(|| {
                let _ = (&v, &v, &v, 0..1).into_source();
            }),
            "para: zip: the inputs have different lengths: 4, 4, 4 and 1"
        );
    }

    #[test]
    fn walks_in_lockstep() {
        let v = [10_u32, 20, 30, 40, 50];
        let z = (&v, 5..10, &v).into_source();
        let mut seen = Vec::new();
        z.for_each_in(1..4, |i, (a, b, c)| seen.push((i, *a, b, *c)));
        assert_eq!(seen, [(1, 20, 6, 20), (2, 30, 7, 30), (3, 40, 8, 40)]);
        fn value_of<S: Source>(s: &S, i: usize) -> S::Value {
            assert!(i < s.len());
            // SAFETY: `i < s.len()`, checked above.
            S::value(unsafe { s.get_unchecked(i) })
        }
        assert_eq!(value_of(&z, 4), (50, 9, 50));
    }
}
