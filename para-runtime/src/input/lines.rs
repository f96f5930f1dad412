//! [`Lines`]: a text as its lines, exactly as `str::lines` splits it, with
//! the line boundaries found in parallel.
//!
//! # How the boundaries are found
//! A text of [`PARALLEL_MIN`] bytes or more is cut into byte spans of
//! [`SPAN`] bytes, and the global pool scans them twice: once to count the
//! `\n` bytes of each span, then (after a prefix sum on the caller gives
//! each span its first line number) to write each span's line starts into
//! its own disjoint part of one `Vec<usize>`. Both passes read a word at a
//! time. A smaller text is scanned the same way on the caller.

use super::{IntoSource, Source, SourceItem};
use std::fmt;
use std::ops::Range;
use std::sync::{Arc, Mutex, PoisonError};

/// Texts of at least this many bytes are scanned on the global pool.
const PARALLEL_MIN: usize = 64 * 1024;

/// Bytes per span of the parallel scan: each pass over a span costs a
/// few microseconds, well above the cost of handing it out.
const SPAN: usize = 64 * 1024;

/// A text as its lines: item `i` is the `i`-th line of `text.lines()`
/// (split on `\n`, a `\r` right before the `\n` removed, no empty line
/// after a final `\n`, a `\r` anywhere else kept).
///
/// [`Lines::new`] finds the line starts once, in parallel on the global
/// pool ([`global`](crate::global)) for texts of 64 KiB or more, on the
/// caller below that; each item is then two offsets into the text. A
/// `Lines` is cheap to clone (the offsets are shared), and passing
/// `&lines` to a call does not copy them. For a call with an explicit
/// `chunk_size`, the size counts lines.
///
/// ```
/// let pool = para_runtime::Pool::new()?;
/// let text = "alpha\r\nbeta\n\ngamma";
/// let lines = para_runtime::Lines::new(text);
/// assert_eq!(lines.len(), 4);
/// let lens: Vec<usize> = pool.map(|l: &str| l.len(), &lines);
/// assert_eq!(lens, [5, 4, 0, 5]);
/// let longest = pool.reduce(|a: &str, b: &str| if b.len() > a.len() { b } else { a }, "", lines);
/// assert_eq!(longest, "alpha");
/// # Ok::<(), para_runtime::BuildError>(())
/// ```
#[derive(Clone)]
pub struct Lines<'a> {
    text: &'a str,
    /// `starts[i]` is where line `i` begins; `starts[len]` is one past the
    /// `\n` that ends the last line (one past the text's end when the text
    /// does not end with `\n`). Never empty: `starts[0] == 0`.
    starts: Arc<Vec<usize>>,
}

impl fmt::Debug for Lines<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lines")
            .field("lines", &self.len())
            .field("bytes", &self.text.len())
            .finish()
    }
}

impl<'a> Lines<'a> {
    /// Find the lines of `text`: in parallel on the global pool for a
    /// text of 64 KiB or more (see the type's docs), on the caller below.
    pub fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = if bytes.len() < PARALLEL_MIN {
            let mut starts = vec![0; count_newlines(bytes) + 1];
            fill_starts(bytes, 0, &mut starts[1..]);
            starts
        } else {
            scan_parallel(bytes)
        };
        if bytes.last().is_some_and(|&b| b != b'\n') {
            // The last line has no `\n`: end it one past the text.
            starts.push(bytes.len() + 1);
        }
        Lines {
            text,
            starts: Arc::new(starts),
        }
    }

    /// Number of lines (`text.lines().count()`).
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// Whether there are no lines (the text is empty).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The text behind the lines.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Line `i`.
    ///
    /// # Panics
    /// If `i >= self.len()`.
    pub fn line(&self, i: usize) -> &'a str {
        assert!(
            i < self.len(),
            "line {i} out of range ({} lines)",
            self.len()
        );
        line_at(self.text, &self.starts, i)
    }
}

/// Line `i` of `text` given its `starts` (see [`Lines`]'s fields).
///
/// # Panics
/// If `i + 1 >= starts.len()` (never for a valid `i`).
#[inline(always)]
fn line_at<'a>(text: &'a str, starts: &[usize], i: usize) -> &'a str {
    let (a, next) = (starts[i], starts[i + 1]);
    // `next - 1` is the `\n` that ends the line, or the text's end.
    let mut end = next - 1;
    let bytes = text.as_bytes();
    if end < bytes.len() && end > a && bytes[end - 1] == b'\r' {
        end -= 1;
    }
    // SAFETY: `a` is 0 or one past a `\n`, and `end` is the text's end, a
    // `\n` or the `\r` right before one: all ASCII, so all char
    // boundaries; `a <= end <= text.len()` by construction of `starts`.
    unsafe { text.get_unchecked(a..end) }
}

/// The `\n` bytes of `bytes`, counted 32 lanes at a time (a byte counter per
/// lane, emptied before it can overflow), which the compiler vectorises.
fn count_newlines(bytes: &[u8]) -> usize {
    const LANES: usize = 32;
    const BLOCK: usize = LANES * 255;
    let mut total = 0;
    let mut blocks = bytes.chunks_exact(BLOCK);
    for block in &mut blocks {
        let mut acc = [0_u8; LANES];
        for group in block.chunks_exact(LANES) {
            for (a, &b) in acc.iter_mut().zip(group) {
                *a += u8::from(b == b'\n');
            }
        }
        total += acc.iter().map(|&a| usize::from(a)).sum::<usize>();
    }
    total + blocks.remainder().iter().filter(|&&b| b == b'\n').count()
}

/// Write `base + p + 1` for every `\n` at position `p` of `bytes` into
/// `out`, in order, a word at a time.
///
/// # Panics
/// If `out.len()` is not the number of `\n` bytes.
fn fill_starts(bytes: &[u8], base: usize, out: &mut [usize]) {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const NL: u64 = 0x0a0a_0a0a_0a0a_0a0a;
    let mut slots = out.iter_mut();
    let mut put = |p: usize| *slots.next().expect("as many slots as newlines") = base + p + 1;
    let mut words = bytes.chunks_exact(8);
    let mut offset = 0;
    for w in &mut words {
        let x = u64::from_le_bytes(w.try_into().expect("8 bytes")) ^ NL;
        // The high bit of each byte that was `\n` (now 0): exact, no carry
        // crosses a byte since `(b & 0x7f) + 0x7f <= 0xfe`.
        let mut zero = !(((x & LOW) + LOW) | x) & !LOW;
        while zero != 0 {
            put(offset + zero.trailing_zeros() as usize / 8);
            zero &= zero - 1;
        }
        offset += 8;
    }
    for (k, &b) in words.remainder().iter().enumerate() {
        if b == b'\n' {
            put(offset + k);
        }
    }
    assert!(slots.next().is_none(), "as many newlines as slots");
}

/// The line starts of a large text (see the module's docs), without the
/// end of a last line that has no `\n`.
fn scan_parallel(bytes: &[u8]) -> Vec<usize> {
    let pool = crate::global();
    let spans = bytes.len().div_ceil(SPAN);
    let span = |k: usize| &bytes[k * SPAN..bytes.len().min((k + 1) * SPAN)];
    let counts: Vec<usize> = pool.map(|k: usize| count_newlines(span(k)), 0..spans);
    let total: usize = counts.iter().sum();
    let mut starts = vec![0; total + 1];
    // Each span's part of `starts`, handed out through a mutex of its own
    // (locked once, by the one chunk that fills it).
    let mut parts = Vec::with_capacity(spans);
    let mut rest = &mut starts[1..];
    for &c in &counts {
        let (part, tail) = rest.split_at_mut(c);
        parts.push(Mutex::new(part));
        rest = tail;
    }
    pool.map(
        |k: usize| {
            let mut part = parts[k].lock().unwrap_or_else(PoisonError::into_inner);
            fill_starts(span(k), k * SPAN, &mut part);
        },
        0..spans,
    );
    drop(parts);
    starts
}

impl<'s, 'a> SourceItem<'s> for Lines<'a> {
    type Item = &'a str;
}

// SAFETY: `len` is fixed by `starts`, which is never changed after `new`;
// `get_unchecked` and `for_each_in` read `starts` with bounds checks
// (so an index out of range panics, never reads out of bounds), and
// `for_each_in` walks exactly `range`.
unsafe impl<'a> Source for Lines<'a> {
    type Value = &'a str;

    #[inline]
    fn len(&self) -> usize {
        Lines::len(self)
    }

    #[inline]
    unsafe fn get_unchecked(&self, i: usize) -> &'a str {
        line_at(self.text, &self.starts, i)
    }

    #[inline]
    fn value(item: &'a str) -> &'a str {
        item
    }

    #[inline]
    fn for_each_in<G: FnMut(usize, &'a str)>(&self, range: Range<usize>, mut g: G) {
        let (text, starts) = (self.text, self.starts.as_slice());
        assert!(range.end < starts.len(), "range out of bounds");
        for i in range {
            g(i, line_at(text, starts, i));
        }
    }
}

impl<'a> IntoSource for Lines<'a> {
    type Source = Lines<'a>;
    fn into_source(self) -> Self::Source {
        self
    }
}

impl<'a> IntoSource for &Lines<'a> {
    type Source = Lines<'a>;
    fn into_source(self) -> Self::Source {
        self.clone()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn check(text: &str) {
        let want: Vec<&str> = text.lines().collect();
        let lines = Lines::new(text);
        assert_eq!(lines.len(), want.len(), "{text:?}");
        let mut got = Vec::new();
        lines.for_each_in(0..lines.len(), |i, l| got.push((i, l)));
        assert_eq!(got, want.iter().copied().enumerate().collect::<Vec<_>>());
    }

    #[test]
    fn splits_like_str_lines() {
        for t in [
            "",
            "\n",
            "\n\n",
            "a",
            "a\n",
            "a\nb",
            "a\r\nb\r\n",
            "\r",
            "\r\n",
            "a\r",
            "a\rb\n",
            "\r\r\n",
            "é\n€\r\n𝄞",
            " \n \r\n",
        ] {
            check(t);
        }
    }

    #[test]
    fn counts_and_fills_at_every_alignment() {
        let mut text = String::new();
        for i in 0..2_000 {
            text.push_str(&"x".repeat(i % 13));
            text.push(if i % 3 == 0 { '\r' } else { 'y' });
            text.push('\n');
        }
        for start in 0..9 {
            check(&text[start..]);
            check(&text[start..text.len() - start]);
        }
        let bytes = text.as_bytes();
        assert_eq!(count_newlines(bytes), 2_000);
    }

    #[test]
    fn large_texts_scan_in_parallel() {
        let mut text = String::new();
        let mut i = 0_u64;
        while text.len() < 3 * PARALLEL_MIN + 123 {
            i += 1;
            text.push_str(&"ab€".repeat((i * 7 % 31) as usize));
            text.push_str(if i.is_multiple_of(5) { "\r\n" } else { "\n" });
        }
        check(&text);
        check(text.trim_end());
        assert_eq!(
            scan_parallel(text.as_bytes()).len(),
            text.lines().count() + 1
        );
    }
}
