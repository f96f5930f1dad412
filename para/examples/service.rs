//! A small tokio service: requests are served by `dispatch_async` to named
//! kernels, a batch endpoint scores a whole batch with `map_async` (the
//! pool's threads run it; the runtime's two threads stay free for the other
//! requests), a para `Semaphore` bounds the requests in flight, and an
//! effect prints the pool's signals as they change.
//!
//! `cargo run --release --example service`

use para::{pure, DispatchError, Pool, Semaphore};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[pure(name = "rankBatch")]
fn rank_batch(batch: &[f32]) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..batch.len() as u32).collect();
    idx.sort_by(|&a, &b| batch[b as usize].total_cmp(&batch[a as usize]));
    idx
}

#[pure]
fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Items in a request to the batch endpoint.
const BATCH: usize = 4096;

/// The batch endpoint: score every item of a batch on the pool, awaited.
async fn score_batch(pool: &Pool, batch: Vec<f32>) -> u64 {
    let scores: Vec<f32> = pool.map_async(|x: &f32| x * 0.5 + 1.0, batch).await;
    scores.iter().map(|s| *s as u64).sum()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let quick = std::env::var_os("PARA_EXAMPLE_QUICK").is_some();
    let requests = if quick { 200 } else { 20_000 };
    let pool = Arc::new(Pool::builder().name("service").build()?);
    let in_flight = Arc::new(Semaphore::new(8));
    let peak = Arc::new(AtomicUsize::new(0));

    let s = pool.signals();
    let fx = para::effect(move || {
        let (q, r, c) = (s.queued.get(), s.inflight.get(), s.completed.get());
        if c % 5000 == 0 || q > 0 {
            eprintln!("[signals] queued={q} inflight={r} completed={c}");
        }
    });

    let mut tasks = Vec::new();
    for i in 0..requests {
        let (pool, limit, peak) = (Arc::clone(&pool), Arc::clone(&in_flight), Arc::clone(&peak));
        tasks.push(tokio::spawn(async move {
            let _permit = Arc::clone(&limit)
                .acquire_owned()
                .await
                .expect("never closed");
            peak.fetch_max(8 - limit.available_permits(), Ordering::Relaxed);
            if i % 10 == 9 {
                let batch: Vec<f32> = (0..BATCH).map(|k| ((k + i) % 100) as f32).collect();
                Ok(score_batch(&pool, batch).await)
            } else if i % 2 == 0 {
                let batch: Vec<f32> = (0..64).map(|k| ((k * 7 + i) % 64) as f32).collect();
                let r: Vec<u32> = pool.dispatch_async("rankBatch", batch).await?;
                Ok::<u64, DispatchError>(u64::from(r[0]))
            } else {
                pool.dispatch_async("checksum", format!("request {i}").into_bytes())
                    .await
            }
        }));
    }
    let mut acc = 0u64;
    for t in tasks {
        acc = acc.wrapping_add(t.await??);
    }
    drop(fx);
    let s = pool.signals();
    println!(
        "served {requests} requests ({} batches of {BATCH}); peak in flight {} (limit 8); checksum {acc:x}",
        requests / 10,
        peak.load(Ordering::Relaxed)
    );
    println!(
        "signals: workers={} queued={} inflight={} completed={}",
        s.workers_count.get(),
        s.queued.get(),
        s.inflight.get(),
        s.completed.get()
    );
    match pool.dispatch::<u64, _>("checksm", vec![1u8]) {
        Err(e) => println!("a typo is caught before anything runs: {e}"),
        Ok(_) => unreachable!(),
    }
    // One item per dispatch, `BATCH` per batch request.
    let batches = requests / 10;
    assert_eq!(s.completed.get(), requests - batches + batches * BATCH);
    Ok(())
}
