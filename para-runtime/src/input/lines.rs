//! [`Lines`]: a text as its lines, exactly as `str::lines` splits it, with
//! the line boundaries found in parallel.
//!
//! # How the boundaries are found
//! The text is cut into byte spans of [`SPAN`] bytes; each span's `\n`
//! bytes are counted (32 byte lanes at a time) and their positions written,
//! relative to the span, into a `Vec<u32>` of its own while the span is in
//! cache: one read of the text from memory, on the global pool for a text
//! of [`PARALLEL_MIN`] bytes or more. The spans' starts are then copied,
//! made absolute, into one flat index (`u32` offsets below 4 GiB of text),
//! span by span in parallel, so a line is two loads away. The first
//! version read the text twice (count, then fill one `Vec<usize>`): 20 ms
//! for a 50 MB CSV of 2.2 million lines, 14 ms now, where a parallel parse
//! of it takes about 75 ms.

use super::{IntoSource, Source, SourceItem};
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

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
    /// The line starts (shared by clones).
    index: Arc<Index>,
}

/// Where the lines start: `at(j)` for line `j`, `at(len)` one past the
/// `\n` that ends the last line, or one past the text's end when it does
/// not end with `\n`. `u32` offsets for texts below 4 GiB (half the
/// memory, half the writes), `usize` above.
enum Index {
    Small(Vec<u32>),
    Large(Vec<usize>),
}

impl Index {
    fn new(bytes: &[u8]) -> Index {
        let spans = bytes.len().div_ceil(SPAN);
        let span = |k: usize| &bytes[k * SPAN..bytes.len().min((k + 1) * SPAN)];
        // One read of the text: each span's starts, relative to the span.
        let rel: Vec<Vec<u32>> = if bytes.len() < PARALLEL_MIN {
            (0..spans).map(|k| span_starts(span(k))).collect()
        } else {
            crate::global().map(|k: usize| span_starts(span(k)), 0..spans)
        };
        let open_last = bytes.last().is_some_and(|&b| b != b'\n');
        if u32::try_from(bytes.len() + 1).is_ok() {
            Index::Small(flatten(&rel, bytes.len(), open_last, |x| x as u32))
        } else {
            Index::Large(flatten(&rel, bytes.len(), open_last, |x| x))
        }
    }

    /// Number of lines.
    #[inline]
    fn len(&self) -> usize {
        match self {
            Index::Small(v) => v.len() - 1,
            Index::Large(v) => v.len() - 1,
        }
    }

    /// Where line `j <= len()` starts.
    ///
    /// # Panics
    /// If `j > len()`.
    #[inline(always)]
    fn at(&self, j: usize) -> usize {
        match self {
            Index::Small(v) => v[j] as usize,
            Index::Large(v) => v[j],
        }
    }
}

/// The absolute starts, `0` first and the end past a last line without a
/// `\n` last, from the spans' relative ones; copied span by span on the
/// global pool for a large text.
fn flatten<T: Copy + Send + Sync + Default>(
    rel: &[Vec<u32>],
    text_len: usize,
    open_last: bool,
    conv: impl Fn(usize) -> T + Sync,
) -> Vec<T> {
    let total: usize = rel.iter().map(Vec::len).sum();
    let mut out = vec![T::default(); total + 1 + usize::from(open_last)];
    if open_last {
        let last = out.len() - 1;
        out[last] = conv(text_len + 1);
    }
    let mut parts: Vec<(usize, &mut [T])> = Vec::with_capacity(rel.len());
    let mut rest = &mut out[1..=total];
    for (k, r) in rel.iter().enumerate() {
        let (part, tail) = std::mem::take(&mut rest).split_at_mut(r.len());
        parts.push((k, part));
        rest = tail;
    }
    let copy = |(k, part): &mut (usize, &mut [T])| {
        let base = *k * SPAN;
        for (o, &r) in part.iter_mut().zip(&rel[*k]) {
            *o = conv(base + r as usize);
        }
    };
    if total < PARALLEL_MIN {
        parts.iter_mut().for_each(copy);
    } else {
        let parts: Vec<std::sync::Mutex<(usize, &mut [T])>> =
            parts.into_iter().map(std::sync::Mutex::new).collect();
        crate::global().map(
            |k: usize| {
                let mut p = parts[k]
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                copy(&mut p);
            },
            0..parts.len(),
        );
    }
    out
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
        Lines {
            text,
            index: Arc::new(Index::new(text.as_bytes())),
        }
    }

    /// Number of lines (`text.lines().count()`).
    pub fn len(&self) -> usize {
        self.index.len()
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
        line_at(self.text, self.index.at(i), self.index.at(i + 1))
    }
}

/// The line of `text` that starts at `a`, the next line at `next` (one
/// past its `\n`, or one past the text's end).
#[inline(always)]
fn line_at(text: &str, a: usize, next: usize) -> &str {
    // `next - 1` is the `\n` that ends the line, or the text's end.
    let mut end = next - 1;
    let bytes = text.as_bytes();
    if end < bytes.len() && end > a && bytes[end - 1] == b'\r' {
        end -= 1;
    }
    // Checked (a few compares per line): an index that lied would be a
    // panic here, never a read out of bounds or a split character.
    assert!(a <= end && end <= bytes.len(), "line bounds");
    // SAFETY: `a` is 0 or one past a `\n`, and `end` is the text's end, a
    // `\n` or the `\r` right before one: all ASCII, so all char
    // boundaries; `a <= end <= text.len()`, checked above.
    unsafe { text.get_unchecked(a..end) }
}

/// One past each `\n` of `span`, relative to the span's start.
fn span_starts(span: &[u8]) -> Vec<u32> {
    debug_assert!(span.len() <= SPAN);
    let mut out = vec![0; count_newlines(span)];
    fill_starts(span, 0, &mut out);
    out
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
fn fill_starts(bytes: &[u8], base: usize, out: &mut [u32]) {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const NL: u64 = 0x0a0a_0a0a_0a0a_0a0a;
    let mut slots = out.iter_mut();
    let mut put = |p: usize| {
        // `base + p + 1 <= SPAN`, within `u32` (a span is 64 KiB).
        *slots.next().expect("as many slots as newlines") = (base + p + 1) as u32;
    };
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

impl<'s, 'a> SourceItem<'s> for Lines<'a> {
    type Item = &'a str;
}

// SAFETY: `len` is fixed by the index, which is never changed after
// `new`; `get_unchecked` and `for_each_in` find each line's bounds in the
// index (indexing its vectors with bounds checks) and check them against
// the text before slicing, so an index out of range panics, never reads
// out of bounds; `for_each_in` walks exactly `range`.
unsafe impl<'a> Source for Lines<'a> {
    type Value = &'a str;

    #[inline]
    fn len(&self) -> usize {
        Lines::len(self)
    }

    #[inline]
    unsafe fn get_unchecked(&self, i: usize) -> &'a str {
        line_at(self.text, self.index.at(i), self.index.at(i + 1))
    }

    #[inline]
    fn value(item: &'a str) -> &'a str {
        item
    }

    #[inline]
    fn for_each_in<G: FnMut(usize, &'a str)>(&self, range: Range<usize>, mut g: G) {
        assert!(range.end <= self.index.len(), "range out of bounds");
        let text = self.text;
        match &*self.index {
            Index::Small(v) => {
                for i in range {
                    g(i, line_at(text, v[i] as usize, v[i + 1] as usize));
                }
            }
            Index::Large(v) => {
                for i in range {
                    g(i, line_at(text, v[i], v[i + 1]));
                }
            }
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
        let index = Index::new(text.as_bytes());
        assert_eq!(index.len(), text.lines().count());
        assert!(text.len() > 3 * SPAN, "several spans");
        // Random access agrees with the walk, span boundaries included.
        let lines = Lines::new(&text);
        let want: Vec<&str> = text.lines().collect();
        for i in (0..want.len()).step_by(7) {
            assert_eq!(lines.line(i), want[i]);
        }
        let mut got = Vec::new();
        lines.for_each_in(want.len() / 3..want.len(), |_, l| got.push(l));
        assert_eq!(got, want[want.len() / 3..]);
    }

    #[test]
    fn lines_longer_than_a_span_and_spans_without_newlines() {
        let long = "z".repeat(3 * SPAN + 5);
        for text in [
            format!("{long}\nshort\n{long}"),
            format!("a\n{long}\n\n{long}\n"),
            long.clone(),
        ] {
            check(&text);
            let lines = Lines::new(&text);
            let want: Vec<&str> = text.lines().collect();
            for (i, w) in want.iter().enumerate() {
                assert_eq!(lines.line(i), *w);
                let mut one = Vec::new();
                lines.for_each_in(i..i + 1, |_, l| one.push(l));
                assert_eq!(one, [*w]);
            }
        }
    }
}
