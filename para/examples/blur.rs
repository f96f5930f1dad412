//! A 3×3 box blur of a 3840 × 2160 grayscale image with `pmap_into!`: the
//! kernel writes one output row (its `#[out]` slot) from three input rows,
//! the image is context shared by every row, and the rows are written in
//! place, in parallel, with no allocation beyond the output. The result is
//! checked against a sequential loop and written as a PGM image.
//!
//! `cargo run --release --example blur [-- out.pgm] [-- --quick]`
//! (default output: `para-blur.pgm` in the temp dir)

use para::{pmap_into, pure, RowsMut};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Row `y` of the blur: each pixel the mean of its 3×3 neighbourhood, the
/// edge pixels repeated outside the image.
#[pure]
fn blur_row(img: &[f32], w: usize, y: usize, #[out] row: &mut [f32]) {
    let h = img.len() / w;
    let up = &img[y.saturating_sub(1) * w..][..w];
    let mid = &img[y * w..][..w];
    let dn = &img[(y + 1).min(h - 1) * w..][..w];
    for (x, out) in row.iter_mut().enumerate() {
        let (l, r) = (x.saturating_sub(1), (x + 1).min(w - 1));
        let sum = up[l] + up[x] + up[r] + mid[l] + mid[x] + mid[r] + dn[l] + dn[x] + dn[r];
        *out = sum * (1.0 / 9.0);
    }
}

/// A test picture: rings around the centre, a diagonal ramp, and noise
/// (which the blur visibly smooths).
fn picture(w: usize, h: usize) -> Vec<f32> {
    let mut s = 0x2545_F491_4F6C_DD1Du64;
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let scale = 40.0 / w.max(h) as f32;
    let mut img = Vec::with_capacity(w * h);
    for y in 0..h {
        for x in 0..w {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let noise = (s >> 40) as f32 / (1u64 << 24) as f32;
            let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt() * scale;
            let rings = 0.5 + 0.5 * d.sin();
            let ramp = (x + y) as f32 / (w + h) as f32;
            img.push(0.45 * rings + 0.25 * ramp + 0.3 * noise);
        }
    }
    img
}

/// Write `img` (`w` wide, values in `[0, 1]`) as a binary 8-bit PGM.
fn write_pgm(path: &PathBuf, img: &[f32], w: usize) -> std::io::Result<()> {
    let h = img.len() / w;
    let mut bytes = format!("P5\n{w} {h}\n255\n").into_bytes();
    bytes.extend(
        img.iter()
            .map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8),
    );
    std::fs::write(path, bytes)
}

/// The median time of `runs` calls of `f`, and its last result.
fn median_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (T, Duration) {
    let mut times = Vec::with_capacity(runs);
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        out = Some(black_box(f()));
        times.push(t.elapsed());
    }
    times.sort();
    (out.expect("runs > 0"), times[runs / 2])
}

/// Blur a `w × h` picture sequentially and with `pmap_into!`, check that
/// both give the same bits, and write the blurred image to `out`.
pub fn run(w: usize, h: usize, runs: usize, out: &PathBuf) -> Result<(), String> {
    let img = picture(w, h);
    let (want, t_seq) = median_of(runs, || {
        let mut o = vec![0.0f32; w * h];
        for (y, row) in o.chunks_exact_mut(w).enumerate() {
            blur_row(&img, w, y, row);
        }
        o
    });
    let (got, t_par) = median_of(runs, || {
        let mut o = vec![0.0f32; w * h];
        let rows = RowsMut::new(&mut o, w).expect("w > 0 and o is w × h");
        pmap_into!(blur_row(&img, w, _), 0..h, rows);
        o
    });
    println!("3x3 blur of a {w} x {h} image, median of {runs} runs");
    println!("  sequential loop  {:>8.2} ms", ms(t_seq));
    println!(
        "  pmap_into!       {:>8.2} ms   {:.2}x the loop's time",
        ms(t_par),
        t_par.as_secs_f64() / t_seq.as_secs_f64().max(1e-12)
    );
    if got != want {
        return Err("pmap_into! blur differs from the sequential loop".into());
    }
    write_pgm(out, &got, w).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    println!("  same bits as the loop; wrote {}", out.display());
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let quick = std::env::var_os("PARA_EXAMPLE_QUICK").is_some()
        || std::env::args().any(|a| a == "--quick");
    let out = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("para-blur.pgm"));
    let (w, h, runs) = if quick { (64, 48, 1) } else { (3840, 2160, 5) };
    if let Err(e) = run(w, h, runs, &out) {
        eprintln!("blur: {e}");
        std::process::exit(1);
    }
}
