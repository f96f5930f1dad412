//! Parse a 50 MB CSV of sales (`id,city,price,qty`) and total the revenue
//! per city:
//!
//! - `try_pmap!(parse_line, Lines::new(&text))` splits the text into lines
//!   in parallel and parses them into records, or answers the error of the
//!   *first* bad line (the same one for every thread count and run);
//! - `pfold!(tally, merge, Totals::default(), &records)` sums each city's
//!   revenue in integer cents (exact, so the check against the sequential
//!   loop is exact too).
//!
//! The file is generated into the temp dir (or the path given), read
//! back, parsed and totalled both ways.
//!
//! `cargo run --release --example csv [-- sales.csv] [-- --quick]`

use para::{pfold, pure, try_pmap, Lines};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const CITIES: usize = 12;

/// One sale.
#[derive(Debug, Clone, Copy, PartialEq, para::PureData)]
struct Rec {
    id: u64,
    city: u8,
    cents: u64,
    qty: u32,
}

/// A line that did not parse: which field, and the line itself.
#[derive(Debug, Clone, PartialEq, para::PureData)]
struct BadLine {
    field: &'static str,
    line: String,
}

/// Revenue, quantity and sale count per city.
#[derive(Debug, Clone, Copy, PartialEq, Default, para::PureData)]
struct Totals {
    cents: [u64; CITIES],
    qty: [u64; CITIES],
    sales: [u64; CITIES],
}

/// `"123.45"` in cents.
#[pure]
fn parse_cents(v: &str) -> Option<u64> {
    let (units, frac) = v.split_once('.')?;
    if frac.len() != 2 {
        return None;
    }
    Some(units.parse::<u64>().ok()? * 100 + frac.parse::<u64>().ok()?)
}

/// Parse `id,cityNN,price,qty`.
#[pure]
fn parse_line(line: &str) -> Result<Rec, BadLine> {
    let bad = |field: &'static str| BadLine {
        field,
        line: line.to_string(),
    };
    let mut f = line.split(',');
    let id = f
        .next()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| bad("id"))?;
    let city = f
        .next()
        .and_then(|v| v.strip_prefix("city"))
        .and_then(|v| v.parse::<u8>().ok())
        .filter(|&c| (c as usize) < CITIES)
        .ok_or_else(|| bad("city"))?;
    let cents = f.next().and_then(parse_cents).ok_or_else(|| bad("price"))?;
    let qty = f
        .next()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| bad("qty"))?;
    if f.next().is_some() {
        return Err(bad("a fifth field"));
    }
    Ok(Rec {
        id,
        city,
        cents,
        qty,
    })
}

/// Add one sale to the totals.
#[pure]
fn tally(mut t: Totals, r: &Rec) -> Totals {
    let c = r.city as usize;
    t.cents[c] += r.cents * r.qty as u64;
    t.qty[c] += r.qty as u64;
    t.sales[c] += 1;
    t
}

/// Add two partial totals.
#[pure]
fn merge(mut a: Totals, b: Totals) -> Totals {
    for c in 0..CITIES {
        a.cents[c] += b.cents[c];
        a.qty[c] += b.qty[c];
        a.sales[c] += b.sales[c];
    }
    a
}

/// About `bytes` of CSV text from a xorshift generator.
fn generate(bytes: usize) -> String {
    use std::fmt::Write;
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = |n: u64| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s % n
    };
    let mut text = String::with_capacity(bytes + 64);
    let mut id = 1_000_000u64;
    while text.len() < bytes {
        id += 1 + next(3);
        let (city, c, qty) = (next(CITIES as u64), 100 + next(99_900), 1 + next(40));
        let _ = writeln!(text, "{id},city{city:02},{}.{:02},{qty}", c / 100, c % 100);
    }
    text
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

/// Generate about `bytes` of CSV into `path`, read it back, parse and total
/// it sequentially and with para, and check that both agree; then show
/// that a file with two bad lines is answered with the first.
pub fn run(bytes: usize, runs: usize, path: &PathBuf) -> Result<(), String> {
    std::fs::write(path, generate(bytes)).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;

    let (want, t_seq) = median_of(runs, || {
        text.lines()
            .map(parse_line)
            .collect::<Result<Vec<Rec>, BadLine>>()
    });
    let (got, t_par) = median_of(runs, || try_pmap!(parse_line, Lines::new(&text)));
    let want = want.map_err(|e| format!("generated line did not parse: {e:?}"))?;
    let got = got.map_err(|e| format!("try_pmap!: generated line did not parse: {e:?}"))?;

    let (want_t, t_seq_t) = median_of(runs, || want.iter().fold(Totals::default(), tally));
    let (got_t, t_par_t) = median_of(runs, || pfold!(tally, merge, Totals::default(), &got));

    println!(
        "{:.1} MB of CSV, {} lines, median of {runs} runs",
        text.len() as f64 / 1e6,
        want.len()
    );
    println!(
        "  parse  sequential {:>8.2} ms   try_pmap! {:>8.2} ms   {:.2}x the loop's time",
        ms(t_seq),
        ms(t_par),
        t_par.as_secs_f64() / t_seq.as_secs_f64().max(1e-12)
    );
    println!(
        "  total  sequential {:>8.2} ms   pfold!    {:>8.2} ms   {:.2}x the loop's time",
        ms(t_seq_t),
        ms(t_par_t),
        t_par_t.as_secs_f64() / t_seq_t.as_secs_f64().max(1e-12)
    );
    if got != want {
        return Err("try_pmap! records differ from the sequential parse".into());
    }
    if got_t != want_t {
        return Err("pfold! totals differ from the sequential fold".into());
    }
    let mut best: Vec<usize> = (0..CITIES).collect();
    best.sort_by_key(|&c| std::cmp::Reverse(got_t.cents[c]));
    for &c in &best[..3] {
        println!(
            "  city{c:02}: {:>7} sales, {:>9} items, revenue {}.{:02}",
            got_t.sales[c],
            got_t.qty[c],
            got_t.cents[c] / 100,
            got_t.cents[c] % 100
        );
    }

    // Two bad lines: the answer is always the first one's error.
    let mut lines: Vec<&str> = text.lines().collect();
    let (first, second) = (lines.len() / 3, 2 * lines.len() / 3);
    lines[second] = "77,city01,1.00,oops";
    lines[first] = "42,city01,abc,3";
    let broken = lines.join("\n");
    let seq_err = broken
        .lines()
        .map(parse_line)
        .collect::<Result<Vec<Rec>, BadLine>>();
    let par_err = try_pmap!(parse_line, Lines::new(&broken));
    let one = try_pmap!(parse_line, Lines::new(&broken), concurrency = 1);
    if par_err != seq_err || one != seq_err || seq_err.is_ok() {
        return Err(format!(
            "first error: sequential {seq_err:?}, try_pmap! {par_err:?}"
        ));
    }
    if let Err(e) = par_err {
        println!("  a file with bad lines {first} and {second}: try_pmap! answers {e:?}");
    }
    println!(
        "  records and totals equal the sequential ones; parsed {}",
        path.display()
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let quick = std::env::var_os("PARA_EXAMPLE_QUICK").is_some()
        || std::env::args().any(|a| a == "--quick");
    let path = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::env::temp_dir().join(format!("para-sales-{}.csv", std::process::id()))
        });
    let (bytes, runs) = if quick { (4 << 10, 1) } else { (50 << 20, 5) };
    let result = run(bytes, runs, &path);
    if std::env::args().skip(1).all(|a| a.starts_with("--")) {
        let _ = std::fs::remove_file(&path); // our own temp file
    }
    if let Err(e) = result {
        eprintln!("csv: {e}");
        std::process::exit(1);
    }
}
