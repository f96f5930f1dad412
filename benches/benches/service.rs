//! A service-shaped load: 16 concurrent requests, each mapping a
//! 100,000-item batch, on a 2-worker tokio runtime, served three ways in
//! one group:
//!
//! - `map_async`: `para::global().map_async(score, batch).await`;
//! - `spawn_blocking_pmap`: `spawn_blocking(move || pmap!(score, &batch))`;
//! - `rayon_spawn_oneshot`: `rayon::spawn` of a `par_iter` map answering on
//!   a oneshot channel (what tokio-rayon does).
//!
//! criterion reports the rounds' throughput in requests (elements) per
//! second. A ping task on the same runtime ticks every millisecond while
//! each variant runs; its lateness (how long after its deadline a tick ran)
//! is collected and its p99 printed after each variant, with the requests
//! per second over the same rounds: a runtime thread blocked by a request
//! shows there.
//!
//! # The allocator
//! Each request's answer is a fresh 400 KB `Vec`, and with glibc's default
//! settings whether its pages are still mapped when the next round asks
//! for them depends on which threads' arenas the answers came from and in
//! what order they were freed: a free that grows an arena's top chunk past
//! the (self-adjusting) trim threshold hands the pages back to the kernel,
//! and the next round faults them in again. That decided the ranking more
//! than the serving did: over five fresh processes of the same binary,
//! `map_async`'s median ranged from 8.1k to 16.8k requests/s, while
//! `spawn_blocking_pmap`, whose answers come from sixteen threads' arenas,
//! stayed between 7.7k and 8.4k (counted per thread in two interleaved
//! runs, `map_async`'s requests took 34 page faults each in one and 84 in
//! the other). So on glibc the bench fixes the
//! thresholds first (`mallopt`: no `mmap` below 32 MiB, no trimming below
//! 1 GiB), the same for all three servers: every round then reuses the
//! pages of the one before, as a long-running service does.
//! `SERVICE_GLIBC_DEFAULTS=1` keeps glibc's defaults instead.
//!
//! `SERVICE_ONLY=name[,name]` limits the interleaved part (below) to the
//! variants whose names contain one of the given strings; profiling one
//! server alone, e.g. under `perf stat`, runs
//! `SERVICE_ONLY=map_async <bench binary> --bench nothing-matches`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rayon::prelude::*;
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const REQUESTS: usize = 16;
const BATCH: usize = 100_000;

/// A per-item kernel: a chain of tens of nanoseconds per item on one lane,
/// about one nanosecond per item once the map's loop runs it on 256-bit
/// vectors (a request is then about 0.1 ms of work).
#[para::pure]
fn score(x: &f32) -> f32 {
    let mut v = *x;
    for _ in 0..4 {
        v = v * 0.75 + (v * v).sqrt() * 0.25 + 1.0;
    }
    v
}

/// A ping task ticking every millisecond: the lateness of each tick.
struct Ping {
    stop: Arc<AtomicBool>,
    lateness: Arc<Mutex<Vec<Duration>>>,
}

impl Ping {
    fn start(rt: &tokio::runtime::Runtime) -> Ping {
        let stop = Arc::new(AtomicBool::new(false));
        let lateness = Arc::new(Mutex::new(Vec::new()));
        let (s, l) = (Arc::clone(&stop), Arc::clone(&lateness));
        rt.spawn(async move {
            let mut iv = tokio::time::interval(Duration::from_millis(1));
            iv.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            while !s.load(Ordering::Relaxed) {
                let due = iv.tick().await;
                let late = Instant::now().saturating_duration_since(due.into_std());
                l.lock().unwrap().push(late);
            }
        });
        Ping { stop, lateness }
    }

    /// Stop, and the p99 lateness of the ticks (and how many there were).
    fn stop(self) -> (Duration, usize) {
        self.stop.store(true, Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(5));
        let mut v = self.lateness.lock().unwrap().clone();
        v.sort_unstable();
        let p99 = v
            .get((v.len() * 99 / 100).min(v.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default();
        (p99, v.len())
    }
}

/// A server: a request's batch in, its scores out.
type Serve = dyn Fn(Arc<[f32]>) -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<f32>> + Send>>
    + Send
    + Sync;

/// Fix glibc's `mmap` and trim thresholds (see `# The allocator`), unless
/// `SERVICE_GLIBC_DEFAULTS` is set; what the allocator runs with, for the
/// report.
fn steady_allocator() -> &'static str {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("SERVICE_GLIBC_DEFAULTS").is_none() {
        // SAFETY: `mallopt` takes glibc's own locks and only sets two of
        // its tuning parameters; no memory is touched.
        let ok = unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20) == 1
                && libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30) == 1
        };
        return if ok {
            "glibc, thresholds fixed"
        } else {
            "glibc (mallopt refused)"
        };
    }
    "the default allocator"
}

fn service(c: &mut Criterion) {
    let alloc = steady_allocator();
    eprintln!("service: allocator: {alloc}");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    let rayon = Arc::new(rayon::ThreadPoolBuilder::new().build().unwrap());
    let batch: Arc<[f32]> = (0..BATCH).map(|i| (i % 1000) as f32 * 0.01).collect();
    let want: Vec<f32> = batch.iter().map(score).collect();
    let check = |out: &[f32]| assert!(out.len() == BATCH && out[BATCH - 1] == want[BATCH - 1]);

    let variants: Vec<(&str, Arc<Serve>)> = vec![
        (
            "map_async",
            Arc::new(|b: Arc<[f32]>| Box::pin(para::global().map_async(score, b)) as _),
        ),
        (
            "spawn_blocking_pmap",
            Arc::new(|b: Arc<[f32]>| {
                Box::pin(async move {
                    tokio::task::spawn_blocking(move || para::pmap!(score, &b[..]))
                        .await
                        .unwrap()
                }) as _
            }),
        ),
        ("rayon_spawn_oneshot", {
            let rayon = Arc::clone(&rayon);
            Arc::new(move |b: Arc<[f32]>| {
                let (tx, rx) = tokio::sync::oneshot::channel();
                rayon.spawn(move || {
                    let out: Vec<f32> = b.par_iter().map(score).collect();
                    let _ = tx.send(out);
                });
                Box::pin(async move { rx.await.unwrap() }) as _
            })
        }),
    ];

    let mut g = c.benchmark_group("service");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_millis(500))
        .throughput(Throughput::Elements(REQUESTS as u64));
    let mut report = Vec::new();
    for (name, serve) in variants.iter().cloned() {
        let ping = Ping::start(&rt);
        let mut rounds = 0usize;
        let mut busy = Duration::ZERO;
        g.bench_function(name, |b| {
            b.iter(|| {
                let t = Instant::now();
                let outs = round(&rt, &serve, &batch);
                busy += t.elapsed();
                rounds += 1;
                for o in &outs {
                    check(o);
                }
            })
        });
        let (p99, ticks) = ping.stop();
        let rps = (rounds * REQUESTS) as f64 / busy.as_secs_f64();
        report.push(format!(
            "service/{name}: {rps:.0} req/s over {rounds} rounds; ping p99 lateness {:.3} ms ({ticks} ticks)",
            p99.as_secs_f64() * 1e3
        ));
    }
    g.finish();
    for line in report {
        eprintln!("{line}");
    }
    let only = std::env::var("SERVICE_ONLY").ok();
    let picked: Vec<_> = variants
        .iter()
        .filter(|(n, _)| {
            only.as_deref()
                .is_none_or(|o| o.split(',').any(|o| n.contains(o)))
        })
        .cloned()
        .collect();
    interleaved(&rt, &picked, &batch);
}

/// One round: `REQUESTS` requests of `batch` spawned at once on `rt` and
/// served by `serve`; their answers, in order.
fn round(rt: &tokio::runtime::Runtime, serve: &Arc<Serve>, batch: &Arc<[f32]>) -> Vec<Vec<f32>> {
    rt.block_on(async {
        let tasks: Vec<_> = (0..REQUESTS)
            .map(|_| {
                let (serve, b) = (Arc::clone(serve), Arc::clone(batch));
                tokio::spawn(async move { serve(b).await })
            })
            .collect();
        let mut outs = Vec::with_capacity(REQUESTS);
        for t in tasks {
            outs.push(t.await.unwrap());
        }
        outs
    })
}

/// The same three servers measured round-robin, one round of `REQUESTS`
/// requests each in turn, for `SERVICE_INTERLEAVED_S` seconds (default 4):
/// what one variant leaves behind in the process (allocator state, idle
/// threads of a runtime, a warm cache) then weighs on all of them alike,
/// where the criterion group above runs them one after the other. The ping
/// task runs throughout; each tick's lateness counts for the variant whose
/// round it fell in.
fn interleaved(rt: &tokio::runtime::Runtime, variants: &[(&str, Arc<Serve>)], batch: &Arc<[f32]>) {
    let secs: f64 = std::env::var("SERVICE_INTERLEAVED_S")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4.0);
    let current = Arc::new(std::sync::atomic::AtomicUsize::new(usize::MAX));
    let lateness: Arc<Mutex<Vec<Vec<Duration>>>> =
        Arc::new(Mutex::new(vec![Vec::new(); variants.len()]));
    let stop = Arc::new(AtomicBool::new(false));
    {
        let (cur, late, stop) = (
            Arc::clone(&current),
            Arc::clone(&lateness),
            Arc::clone(&stop),
        );
        rt.spawn(async move {
            let mut iv = tokio::time::interval(Duration::from_millis(1));
            iv.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            while !stop.load(Ordering::Relaxed) {
                let due = iv.tick().await;
                let l = Instant::now().saturating_duration_since(due.into_std());
                let v = cur.load(Ordering::Relaxed);
                if v != usize::MAX {
                    late.lock().unwrap()[v].push(l);
                }
            }
        });
    }
    let mut busy = vec![Duration::ZERO; variants.len()];
    let mut rounds = vec![0usize; variants.len()];
    let t_end = Instant::now() + Duration::from_secs_f64(secs);
    let mut r = 0usize;
    while Instant::now() < t_end {
        let v = r % variants.len();
        r += 1;
        let serve = &variants[v].1;
        current.store(v, Ordering::Relaxed);
        let t = Instant::now();
        black_box(round(rt, serve, batch));
        busy[v] += t.elapsed();
        rounds[v] += 1;
        current.store(usize::MAX, Ordering::Relaxed);
    }
    stop.store(true, Ordering::Relaxed);
    std::thread::sleep(Duration::from_millis(5));
    let late = lateness.lock().unwrap().clone();
    for (v, (name, _)) in variants.iter().enumerate() {
        let mut l = late[v].clone();
        l.sort_unstable();
        let p99 = l
            .get((l.len() * 99 / 100).min(l.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default();
        eprintln!(
            "service_interleaved/{name}: {:.0} req/s over {} rounds; ping p99 lateness {:.3} ms ({} ticks)",
            (rounds[v] * REQUESTS) as f64 / busy[v].as_secs_f64(),
            rounds[v],
            p99.as_secs_f64() * 1e3,
            l.len()
        );
    }
}

criterion_group!(benches, service);
criterion_main!(benches);
