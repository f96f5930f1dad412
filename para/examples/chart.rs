//! Measures speedup over a sequential loop for para and rayon on
//! map_cheap, map_heavy and reduce_sum at growing input sizes, and draws
//! `docs/speedup.svg`.
//!
//! `cargo run --release --example chart` (set `PARA_CHART_OUT=dir` to write
//! elsewhere).

use plotters::prelude::*;
use rayon::prelude::*;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn heavy(x: f32) -> f32 {
    let mut v = x;
    for _ in 0..100 {
        v = v.sin();
    }
    v
}

/// Median time of `f` over enough repetitions to fill `budget`.
fn median(budget: Duration, mut f: impl FnMut()) -> f64 {
    f();
    let t = Instant::now();
    f();
    let one = t.elapsed().max(Duration::from_nanos(20));
    let reps = ((budget.as_nanos() / one.as_nanos()).clamp(5, 2001)) as usize;
    let batch = ((Duration::from_micros(50).as_nanos() / one.as_nanos()).max(1)) as usize;
    let mut v: Vec<f64> = (0..reps.div_ceil(batch).max(5))
        .map(|_| {
            let t = Instant::now();
            for _ in 0..batch {
                f();
            }
            t.elapsed().as_secs_f64() / batch as f64
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

struct Series {
    name: &'static str,
    para: Vec<(f64, f64)>,
    rayon: Vec<(f64, f64)>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let quick = std::env::var_os("PARA_EXAMPLE_QUICK").is_some();
    let budget = Duration::from_millis(if quick { 5 } else { 300 });
    let exps: Vec<u32> = if quick {
        vec![2, 3, 4]
    } else {
        vec![2, 3, 4, 5, 6, 7]
    };
    let pool = para::global();
    let mut all = Vec::new();
    for name in ["map_cheap", "map_heavy", "reduce_sum"] {
        let mut s = Series {
            name,
            para: vec![],
            rayon: vec![],
        };
        for &e in &exps {
            let n = 10usize.pow(e);
            if name == "map_heavy" && e > 6 {
                continue;
            }
            let d: Vec<f32> = (0..n).map(|i| (i % 1000) as f32 * 1e-3).collect();
            let (seq, par, ray) = match name {
                "map_cheap" => (
                    median(budget, || {
                        drop(black_box(
                            d.iter().map(|x| x * 2.0 + 1.0).collect::<Vec<f32>>(),
                        ))
                    }),
                    median(budget, || {
                        drop(black_box(pool.map(|x: &f32| x * 2.0 + 1.0, &d)))
                    }),
                    median(budget, || {
                        drop(black_box(
                            d.par_iter().map(|x| x * 2.0 + 1.0).collect::<Vec<f32>>(),
                        ))
                    }),
                ),
                "map_heavy" => (
                    median(budget, || {
                        drop(black_box(d.iter().map(|&x| heavy(x)).collect::<Vec<f32>>()))
                    }),
                    median(budget, || {
                        drop(black_box(pool.map(|x: &f32| heavy(*x), &d)))
                    }),
                    median(budget, || {
                        drop(black_box(
                            d.par_iter().map(|&x| heavy(x)).collect::<Vec<f32>>(),
                        ))
                    }),
                ),
                _ => (
                    median(budget, || {
                        black_box(d.iter().fold(0.0f32, |a, b| a + b));
                    }),
                    median(budget, || {
                        black_box(pool.reduce(|a, b| a + b, 0.0f32, &d));
                    }),
                    median(budget, || {
                        black_box(d.par_iter().copied().reduce(|| 0.0, |a, b| a + b));
                    }),
                ),
            };
            println!(
                "{name:>10} n=1e{e}: sequential {:>10.1} µs  para {:>5.2}x  rayon {:>5.2}x",
                seq * 1e6,
                seq / par,
                seq / ray
            );
            s.para.push((n as f64, seq / par));
            s.rayon.push((n as f64, seq / ray));
        }
        all.push(s);
    }
    let dir = std::env::var_os("PARA_CHART_OUT")
        .map_or_else(|| std::path::PathBuf::from("docs"), Into::into);
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("speedup.svg");
    draw(&path, &all)?;
    println!("wrote {}", path.display());
    Ok(())
}

fn draw(path: &std::path::Path, all: &[Series]) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (1200, 420)).into_drawing_area();
    root.fill(&WHITE)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let root = root.titled(
        &format!("speedup over a sequential loop ({cores} cores)"),
        ("sans-serif", 20),
    )?;
    let panels = root.split_evenly((1, all.len()));
    for (area, s) in panels.iter().zip(all) {
        let max_n = s.para.iter().map(|p| p.0).fold(100.0, f64::max);
        let max_y = s
            .para
            .iter()
            .chain(&s.rayon)
            .map(|p| p.1)
            .fold(1.0, f64::max)
            * 1.15;
        let mut chart = ChartBuilder::on(area)
            .caption(s.name, ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(45)
            .build_cartesian_2d((100f64..max_n).log_scale(), 0f64..max_y)?;
        chart
            .configure_mesh()
            .x_desc("input size (items)")
            .y_desc("speedup (x)")
            .x_label_formatter(&|v| format!("1e{}", v.log10().round()))
            .draw()?;
        chart.draw_series(LineSeries::new(
            vec![(100.0, 1.0), (max_n, 1.0)],
            BLACK.mix(0.3),
        ))?;
        chart
            .draw_series(LineSeries::new(s.para.clone(), RED.stroke_width(2)).point_size(3))?
            .label("para")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], RED));
        chart
            .draw_series(LineSeries::new(s.rayon.clone(), BLUE.stroke_width(2)).point_size(3))?
            .label("rayon")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], BLUE));
        chart
            .configure_series_labels()
            .border_style(BLACK)
            .background_style(WHITE)
            .draw()?;
    }
    root.present()?;
    Ok(())
}
