//! `PoolBuilder::metrics(true)` (cargo feature `metrics`), end to end: a
//! Prometheus exporter (metrics-exporter-prometheus, as in
//! `para/examples/metrics.rs`) serves the process's recorder on a loopback
//! port, and the tests fetch `/metrics` over real HTTP (a hand-written
//! GET on a `TcpStream`) after known workloads.
//!
//! The recorder is global to the process, so every test shares one
//! exporter and names its pool after itself.
#![cfg(feature = "metrics")]

use para::Pool;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The exporter's address: a free loopback port, found by binding port 0
/// (retried if another process takes it before the exporter binds it).
fn exporter() -> SocketAddr {
    static ADDR: OnceLock<SocketAddr> = OnceLock::new();
    *ADDR.get_or_init(|| {
        let mut last = None;
        for _ in 0..10 {
            let addr = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free loopback port");
            match metrics_exporter_prometheus::PrometheusBuilder::new()
                .with_http_listener(addr)
                .install()
            {
                Ok(()) => return addr,
                Err(e) => last = Some(e),
            }
        }
        panic!("cannot start the exporter: {last:?}");
    })
}

/// `GET /metrics` over HTTP/1.0; the body of a 200 answer.
fn scrape() -> String {
    let mut s = TcpStream::connect(exporter()).expect("connect to the exporter");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(b"GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).expect("read the answer");
    let (head, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
    assert!(
        head.starts_with("HTTP/1.") && head.contains(" 200 "),
        "{head}"
    );
    body.to_owned()
}

/// The value of `metric{pool="<pool>"}` in a scrape, if present.
fn value(body: &str, metric: &str, pool: &str) -> Option<f64> {
    let key = format!("{metric}{{pool=\"{pool}\"}} ");
    body.lines()
        .find_map(|l| l.strip_prefix(key.as_str()))
        .map(|v| v.trim().parse().expect("a number"))
}

/// The four metrics of `pool`: workers, queued, inflight, completed.
fn values(body: &str, pool: &str) -> [Option<f64>; 4] {
    [
        "para_pool_workers",
        "para_pool_queued",
        "para_pool_inflight",
        "para_pool_completed_total",
    ]
    .map(|m| value(body, m, pool))
}

/// Scrape until `pool`'s metrics read `want` (updates reach the recorder
/// from the notifier thread, after the change); fails with the last
/// scrape after 20 s.
fn wait_for(pool: &str, want: [f64; 4]) {
    let t = Instant::now();
    loop {
        let body = scrape();
        if values(&body, pool) == want.map(Some) {
            return;
        }
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "metrics of {pool} never read {want:?}; last scrape:\n{body}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_known_workload_reads_back_over_http() {
    exporter();
    let pool = Pool::builder()
        .name("workload")
        .concurrency(2)
        .metrics(true)
        .build()
        .unwrap();
    let workers = pool.concurrency() as f64;
    wait_for("workload", [workers, 0.0, 0.0, 0.0]);

    let xs: Vec<u64> = (0..50_000).collect();
    let mut items = 0;
    for round in 1..=4_u64 {
        let ys = pool.map(|x: &u64| x.wrapping_mul(round), &xs);
        assert_eq!(ys[7], 7 * round);
        items += xs.len();
    }
    let total: u64 = pool.reduce(|a, b| a + b, 0, &xs);
    assert_eq!(total, 49_999 * 50_000 / 2);
    items += xs.len();
    assert_eq!(pool.signals().completed.get(), items);
    wait_for("workload", [workers, 0.0, 0.0, items as f64]);

    // A dispose stops the workers and resets `completed` to 0; the counter
    // keeps what it counted and goes on from there.
    pool.dispose();
    wait_for("workload", [0.0, 0.0, 0.0, items as f64]);
    let _ = pool.map(|x: &u64| x + 1, &xs[..1_000]);
    wait_for("workload", [0.0, 0.0, 0.0, (items + 1_000) as f64]);
}

#[test]
fn a_dropped_pool_leaves_its_gauges_at_zero() {
    exporter();
    let pool = Pool::builder()
        .name("dropped")
        .concurrency(2)
        .metrics(true)
        .build()
        .unwrap();
    let workers = pool.concurrency() as f64;
    let _ = pool.map(|x: &u32| x + 1, &[1_u32, 2, 3]);
    wait_for("dropped", [workers, 0.0, 0.0, 3.0]);
    drop(pool);
    // Set by the drop itself, so the first scrape reads it.
    assert_eq!(values(&scrape(), "dropped"), [0.0, 0.0, 0.0, 3.0].map(Some));
}

#[test]
fn only_pools_that_ask_publish_and_the_default_name_labels_them() {
    exporter();
    let quiet = Pool::builder()
        .name("quiet")
        .concurrency(1)
        .build()
        .unwrap();
    let _ = quiet.map(|x: &u8| x ^ 1, &[1_u8; 64]);
    let unnamed = Pool::builder()
        .concurrency(1)
        .metrics(true)
        .build()
        .unwrap();
    let _ = unnamed.map(|x: &u8| x ^ 1, &[1_u8; 10]);
    assert_eq!(unnamed.name(), "para");
    wait_for("para", [unnamed.concurrency() as f64, 0.0, 0.0, 10.0]);
    assert_eq!(values(&scrape(), "quiet"), [None; 4]);
}
