//! A pool's live signals served to Prometheus (cargo feature `metrics`).
//!
//! ```text
//! cargo run -p para --features metrics --example metrics
//! curl http://127.0.0.1:9464/metrics
//! ```
//!
//! The exporter (metrics-exporter-prometheus, its HTTP listener only)
//! serves `/metrics` on 127.0.0.1 (port 9464, or `PARA_METRICS_PORT`);
//! the pool named "ranker" publishes `para_pool_workers`,
//! `para_pool_queued`, `para_pool_inflight` and
//! `para_pool_completed_total`, labelled `pool="ranker"`. The program
//! scores batches of rows for a while, prints its own scrape, and stops
//! (at once with `PARA_EXAMPLE_QUICK` set).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

#[para::pure]
fn score(row: &[f32]) -> f32 {
    row.iter().fold(0.0, |a, x| a + x * x)
}

/// One plain HTTP/1.0 GET of `/metrics`.
fn scrape(addr: SocketAddr) -> std::io::Result<String> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    s.write_all(b"GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    let mut body = String::new();
    s.read_to_string(&mut body)?;
    Ok(body)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let quick = std::env::var_os("PARA_EXAMPLE_QUICK").is_some();
    let port: u16 = match std::env::var("PARA_METRICS_PORT") {
        Ok(p) => p.parse()?,
        Err(_) => 9464,
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], port));

    // The recorder first, then the pool: every change is published.
    metrics_exporter_prometheus::PrometheusBuilder::new()
        .with_http_listener(addr)
        .install()?;
    let pool = para::Pool::builder()
        .name("ranker")
        .concurrency(2)
        .metrics(true)
        .build()?;

    let width = 32;
    let data: Vec<f32> = (0..width * 10_000).map(|i| (i % 7) as f32).collect();
    let rows = para::Rows::new(&data, width)?;
    let batches = if quick { 3 } else { 50 };
    for _ in 0..batches {
        let scores: Vec<f32> = para::pmap!(score, rows, pool = &pool);
        assert_eq!(scores.len(), rows.len());
        if !quick {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    let items = batches * rows.len();
    println!("scored {items} rows; serving http://{addr}/metrics");

    // Updates reach the recorder from the notifier thread: wait for the
    // count, then show the pool's lines of the scrape.
    let want = format!("para_pool_completed_total{{pool=\"ranker\"}} {items}");
    let mut body = String::new();
    for _ in 0..200 {
        body = scrape(addr)?;
        if body.contains(&want) {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    for line in body.lines().filter(|l| l.starts_with("para_pool_")) {
        println!("{line}");
    }
    if !quick {
        println!("serving for 30 s more; scrape it");
        std::thread::sleep(Duration::from_secs(30));
    }
    Ok(())
}
