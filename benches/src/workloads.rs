//! The workloads of `benches/workloads.rs`: deterministic data generators,
//! the pure kernels that para, rayon and the sequential loop all run (so
//! the three forms differ only in how they spread the work), and small
//! helpers that turn a kernel's output into a result (k-means' new
//! centroids).
//!
//! Every generator is seeded: the same sizes give the same bytes on every
//! run and machine, so a result can be checked against the sequential one
//! bit for bit. The data are chosen so that those checks are exact: the
//! k-means coordinates and the sum-of-squares values are multiples of a
//! power of two small enough that every `f64` sum is exact, whatever the
//! association order.

use para::pure;

/// A xorshift64 generator (Marsaglia 2003): tiny, seeded, and the same
/// numbers everywhere; statistical quality is beside the point here.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator from `seed` (0 is replaced: xorshift never leaves 0).
    pub fn new(seed: u64) -> Self {
        XorShift(seed.max(1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n` (`n > 0`; the modulo bias is irrelevant here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// A float in `[0, 1)` with 24 random bits.
    pub fn unit_f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 * (1.0 / (1u64 << 24) as f32)
    }
}

// ---------------------------------------------------------------------------
// Dense matrix multiply, c = a · b, row-major n × n f32.

/// An `n × n` row-major matrix of floats in `[-1, 1)`.
pub fn matrix(n: usize, seed: u64) -> Vec<f32> {
    let mut r = XorShift::new(seed);
    (0..n * n).map(|_| r.unit_f32() * 2.0 - 1.0).collect()
}

/// Row `i` of `c = a · b`, given row `i` of `a`: `c_row = Σ_k a_row[k] ·
/// b[k, ..]`. The i-k-j order streams rows of `b` and has no reduction in
/// its inner loop, so the compiler vectorises it without reordering any
/// float operation (each `c[i][j]` is summed over `k` in order).
#[pure]
pub fn matmul_row(b: &[f32], n: usize, a_row: &[f32], #[out] c_row: &mut [f32]) {
    for c in c_row.iter_mut() {
        *c = 0.0;
    }
    for (k, &a) in a_row.iter().enumerate() {
        let b_row = &b[k * n..(k + 1) * n];
        for (c, &bv) in c_row.iter_mut().zip(b_row) {
            *c += a * bv;
        }
    }
}

/// `c = a · b` with a plain loop over the rows.
pub fn matmul_sequential(a: &[f32], b: &[f32], n: usize) -> Vec<f32> {
    let mut c = vec![0.0; n * n];
    for (a_row, c_row) in a.chunks_exact(n).zip(c.chunks_exact_mut(n)) {
        matmul_row(b, n, a_row, c_row);
    }
    c
}

// ---------------------------------------------------------------------------
// 3×3 box blur of a grayscale image, edges clamped.

/// A `w × h` grayscale image in `[0, 1)`: smooth gradients plus noise,
/// so the blur has something to smooth.
pub fn image(w: usize, h: usize, seed: u64) -> Vec<f32> {
    let mut r = XorShift::new(seed);
    let mut img = Vec::with_capacity(w * h);
    for y in 0..h {
        for x in 0..w {
            let base = ((x * 7 + y * 3) % 256) as f32 / 256.0;
            img.push(0.75 * base + 0.25 * r.unit_f32());
        }
    }
    img
}

/// Row `y` of the 3×3 box blur of `img` (rows of `w` pixels), with the
/// image's edge pixels repeated outside it.
#[pure]
pub fn blur_row(img: &[f32], w: usize, y: usize, #[out] row: &mut [f32]) {
    let h = img.len() / w;
    let up = &img[y.saturating_sub(1) * w..][..w];
    let mid = &img[y * w..][..w];
    let dn = &img[(y + 1).min(h - 1) * w..][..w];
    let ninth = 1.0 / 9.0;
    // Edges: columns -1 and w are columns 0 and w - 1 again.
    let at = |x: usize| {
        let l = x.saturating_sub(1);
        let r = (x + 1).min(w - 1);
        (up[l] + up[x] + up[r] + mid[l] + mid[x] + mid[r] + dn[l] + dn[x] + dn[r]) * ninth
    };
    row[0] = at(0);
    if w > 1 {
        row[w - 1] = at(w - 1);
    }
    if w > 2 {
        let inner = row[1..w - 1].iter_mut();
        for (((o, u), m), d) in inner
            .zip(up.windows(3))
            .zip(mid.windows(3))
            .zip(dn.windows(3))
        {
            *o = (u[0] + u[1] + u[2] + m[0] + m[1] + m[2] + d[0] + d[1] + d[2]) * ninth;
        }
    }
}

/// The blur with a plain loop over the rows.
pub fn blur_sequential(img: &[f32], w: usize) -> Vec<f32> {
    let mut out = vec![0.0; img.len()];
    for (y, row) in out.chunks_exact_mut(w).enumerate() {
        blur_row(img, w, y, row);
    }
    out
}

// ---------------------------------------------------------------------------
// CSV: `id,city,price,qty` lines, parsed into records and totalled.

/// Number of distinct cities in the generated CSV (`city00` ..).
pub const CITIES: usize = 16;

/// One parsed CSV line.
#[derive(Debug, Clone, Copy, PartialEq, para::PureData)]
pub struct Rec {
    /// The first field.
    pub id: u64,
    /// The city's number (`city07` is 7).
    pub city: u8,
    /// Unit price.
    pub price: f64,
    /// Quantity.
    pub qty: u32,
}

/// Why a CSV line did not parse: the field that was missing or wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, para::PureData)]
pub struct CsvError {
    /// `"id"`, `"city"`, `"price"`, `"qty"`, or `"extra"` for a fifth field.
    pub field: &'static str,
}

/// About `bytes` of CSV text (whole lines, the last one ends in `\n`),
/// such as `1048576,city07,123.45,17`.
pub fn csv(bytes: usize, seed: u64) -> String {
    let mut r = XorShift::new(seed);
    let mut s = String::with_capacity(bytes + 64);
    let mut id = 1_000_000u64;
    while s.len() < bytes {
        id += 1 + r.below(3);
        let city = r.below(CITIES as u64);
        let cents = 100 + r.below(99_900);
        let qty = 1 + r.below(40);
        use std::fmt::Write;
        let _ = writeln!(
            s,
            "{id},city{city:02},{}.{:02},{qty}",
            cents / 100,
            cents % 100
        );
    }
    s
}

/// Parse one line `id,cityNN,price,qty`.
#[pure]
pub fn parse_line(line: &str) -> Result<Rec, CsvError> {
    let mut f = line.split(',');
    let id = f.next().and_then(|v| v.parse::<u64>().ok());
    let id = id.ok_or(CsvError { field: "id" })?;
    let city = f
        .next()
        .and_then(|v| v.strip_prefix("city"))
        .and_then(|v| v.parse::<u8>().ok());
    let city = city
        .filter(|&c| (c as usize) < CITIES)
        .ok_or(CsvError { field: "city" })?;
    let price = f.next().and_then(|v| v.parse::<f64>().ok());
    let price = price.ok_or(CsvError { field: "price" })?;
    let qty = f.next().and_then(|v| v.parse::<u32>().ok());
    let qty = qty.ok_or(CsvError { field: "qty" })?;
    if f.next().is_some() {
        return Err(CsvError { field: "extra" });
    }
    Ok(Rec {
        id,
        city,
        price,
        qty,
    })
}

/// The revenue of one line (`price × qty`), 0 for a line that does not
/// parse: the map of a fused parse-and-total.
#[pure]
pub fn line_revenue(line: &str) -> f64 {
    match parse_line(line) {
        Ok(r) => r.price * r.qty as f64,
        Err(_) => 0.0,
    }
}

/// Parse every line with a plain loop; the first error wins.
pub fn csv_sequential(text: &str) -> Result<Vec<Rec>, CsvError> {
    text.lines().map(parse_line).collect()
}

// ---------------------------------------------------------------------------
// k-means: one assignment-and-update step over 2-D points.

/// Number of clusters.
pub const K: usize = 8;

/// Points in `[0, 64)²` on a grid of 2⁻¹⁶, clustered around `K` centres.
/// A coordinate has at most 22 significant bits (below 2⁶, on a grid of
/// 2⁻¹⁶), so an `f64` sum of up to 2³¹ of them is exact: sums in any order
/// are the same bits.
pub fn points(n: usize, seed: u64) -> Vec<[f32; 2]> {
    let mut r = XorShift::new(seed);
    let centres: Vec<[f32; 2]> = (0..K)
        .map(|_| [8.0 + r.below(48) as f32, 8.0 + r.below(48) as f32])
        .collect();
    let grid = |v: f32| ((v * 65536.0).floor() / 65536.0).clamp(0.0, 63.999);
    (0..n)
        .map(|_| {
            let c = centres[r.below(K as u64) as usize];
            let dx = (r.unit_f32() - 0.5) * 12.0;
            let dy = (r.unit_f32() - 0.5) * 12.0;
            [grid(c[0] + dx), grid(c[1] + dy)]
        })
        .collect()
}

/// The starting centroids: the first `K` points.
pub fn initial_centroids(points: &[[f32; 2]]) -> [[f32; 2]; K] {
    std::array::from_fn(|i| points[i % points.len().max(1)])
}

/// Per-cluster coordinate sums and counts: the accumulator of a k-means
/// step.
#[derive(Debug, Clone, Copy, PartialEq, Default, para::PureData)]
pub struct Sums {
    /// Sum of the x and y coordinates of the points assigned to each cluster.
    pub sum: [[f64; 2]; K],
    /// Number of points assigned to each cluster.
    pub count: [u64; K],
}

/// Add point `p` to the sums of its nearest centroid (the lowest index on
/// a tie).
#[pure]
pub fn assign(centroids: &[[f32; 2]; K], mut acc: Sums, p: &[f32; 2]) -> Sums {
    let mut best = 0;
    let mut best_d = f32::INFINITY;
    for (i, c) in centroids.iter().enumerate() {
        let dx = p[0] - c[0];
        let dy = p[1] - c[1];
        let d = dx * dx + dy * dy;
        if d < best_d {
            best_d = d;
            best = i;
        }
    }
    acc.sum[best][0] += p[0] as f64;
    acc.sum[best][1] += p[1] as f64;
    acc.count[best] += 1;
    acc
}

/// Combine two partial sums.
#[pure]
pub fn merge_sums(mut a: Sums, b: Sums) -> Sums {
    for i in 0..K {
        a.sum[i][0] += b.sum[i][0];
        a.sum[i][1] += b.sum[i][1];
        a.count[i] += b.count[i];
    }
    a
}

/// The new centroids from a step's sums (an empty cluster keeps its
/// centroid).
pub fn update(old: &[[f32; 2]; K], s: &Sums) -> [[f32; 2]; K] {
    std::array::from_fn(|i| match s.count[i] {
        0 => old[i],
        n => [
            (s.sum[i][0] / n as f64) as f32,
            (s.sum[i][1] / n as f64) as f32,
        ],
    })
}

/// One k-means step's sums with a plain loop.
pub fn kmeans_sequential(points: &[[f32; 2]], centroids: &[[f32; 2]; K]) -> Sums {
    points
        .iter()
        .fold(Sums::default(), |acc, p| assign(centroids, acc, p))
}

// ---------------------------------------------------------------------------
// Byte histogram.

/// `n` random bytes.
pub fn bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut r = XorShift::new(seed);
    let mut v = Vec::with_capacity(n + 8);
    while v.len() < n {
        v.extend_from_slice(&r.next_u64().to_le_bytes());
    }
    v.truncate(n);
    v
}

/// Count the bytes of `chunk` into `h`.
#[pure]
pub fn bump_chunk(mut h: [u64; 256], chunk: &[u8]) -> [u64; 256] {
    for &b in chunk {
        h[b as usize] += 1;
    }
    h
}

/// Count one byte into `h`.
#[pure]
pub fn bump(mut h: [u64; 256], b: u8) -> [u64; 256] {
    h[b as usize] += 1;
    h
}

/// Add two histograms.
#[pure]
pub fn merge_hist(mut a: [u64; 256], b: [u64; 256]) -> [u64; 256] {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
    a
}

/// The histogram with a plain loop.
pub fn histogram_sequential(bytes: &[u8]) -> [u64; 256] {
    bump_chunk([0; 256], bytes)
}

/// Chunk length of the chunked histogram forms: 64 KiB (L2-sized, and
/// long enough that folding a chunk dwarfs handing it out).
pub const HIST_CHUNK: usize = 1 << 16;

// ---------------------------------------------------------------------------
// Mandelbrot.

/// Iteration limit of the Mandelbrot workload.
pub const MANDEL_ITER: u32 = 256;

/// Escape count of pixel `i` of a `w × w` view of `[-2, 1] × [-1.5, 1.5]`:
/// the iterations before `|z| > 2`, at most [`MANDEL_ITER`]. Costs vary
/// from 1 to 256 iterations a pixel, so the work is uneven.
#[pure]
pub fn escape(w: usize, i: usize) -> u32 {
    let (x, y) = (i % w, i / w);
    let cr = -2.0 + 3.0 * x as f64 / w as f64;
    let ci = -1.5 + 3.0 * y as f64 / w as f64;
    let (mut zr, mut zi) = (0.0f64, 0.0f64);
    let mut n = 0;
    while n < MANDEL_ITER && zr * zr + zi * zi <= 4.0 {
        let t = zr * zr - zi * zi + cr;
        zi = 2.0 * zr * zi + ci;
        zr = t;
        n += 1;
    }
    n
}

/// The escape counts with a plain loop.
pub fn mandelbrot_sequential(w: usize) -> Vec<u32> {
    (0..w * w).map(|i| escape(w, i)).collect()
}

// ---------------------------------------------------------------------------
// Sum of squares.

/// `n` values, multiples of 1/16 in `[0, 64)`: their squares are multiples
/// of 2⁻⁸ below 2¹², so a sum of up to 2²⁴ of them is exact in `f64` in any
/// order.
pub fn values(n: usize, seed: u64) -> Vec<f64> {
    let mut r = XorShift::new(seed);
    (0..n).map(|_| r.below(1024) as f64 / 16.0).collect()
}

/// `x²`.
#[pure]
pub fn square(x: f64) -> f64 {
    x * x
}

/// `a + b`.
#[pure]
pub fn add(a: f64, b: f64) -> f64 {
    a + b
}

/// The sum of squares with a plain loop.
pub fn sum_squares_sequential(x: &[f64]) -> f64 {
    x.iter().map(|v| v * v).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blur_of_a_constant_image_is_the_constant() {
        for (w, h) in [(1, 1), (1, 5), (2, 2), (3, 1), (7, 4)] {
            let img = vec![0.5f32; w * h];
            let out = blur_sequential(&img, w);
            for v in out {
                assert!((v - 0.5).abs() < 1e-6, "{w}x{h}: {v}");
            }
        }
    }

    #[test]
    fn csv_round_trips_and_errors_name_the_field() {
        let text = csv(4096, 1);
        let recs = csv_sequential(&text).unwrap();
        assert_eq!(recs.len(), text.lines().count());
        assert_eq!(
            parse_line("1,city03,2.50,4"),
            Ok(Rec {
                id: 1,
                city: 3,
                price: 2.5,
                qty: 4
            })
        );
        assert_eq!(
            parse_line("1,town03,2.50,4"),
            Err(CsvError { field: "city" })
        );
        assert_eq!(parse_line("1,city03,x,4"), Err(CsvError { field: "price" }));
        assert_eq!(
            parse_line("1,city03,2.5,4,5"),
            Err(CsvError { field: "extra" })
        );
    }

    #[test]
    fn matmul_by_identity_is_the_matrix() {
        let n = 5;
        let a = matrix(n, 3);
        let mut id = vec![0.0; n * n];
        for i in 0..n {
            id[i * n + i] = 1.0;
        }
        assert_eq!(matmul_sequential(&a, &id, n), a);
    }

    #[test]
    fn kmeans_counts_every_point() {
        let p = points(10_000, 2);
        let s = kmeans_sequential(&p, &initial_centroids(&p));
        assert_eq!(s.count.iter().sum::<u64>(), 10_000);
    }

    #[test]
    fn histogram_counts_every_byte() {
        let b = bytes(12_345, 4);
        assert_eq!(histogram_sequential(&b).iter().sum::<u64>(), 12_345);
    }
}
