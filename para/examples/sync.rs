//! `Semaphore` limiting concurrent work and `Mutex` guarding shared state,
//! in async code (tokio) and in blocking code (plain threads).
//!
//! `cargo run --release --example sync`

use para::{Mutex, Semaphore};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Default)]
struct Stats {
    done: u32,
    max_concurrent: usize,
    running: usize,
}

async fn job(id: u32, limit: Arc<Semaphore>, stats: Arc<Mutex<Stats>>) {
    let _permit = limit.acquire().await.expect("never closed");
    {
        let mut s = stats.lock().await;
        s.running += 1;
        s.max_concurrent = s.max_concurrent.max(s.running);
    }
    tokio::time::sleep(Duration::from_millis(2 + u64::from(id % 3))).await;
    let mut s = stats.lock().await;
    s.running -= 1;
    s.done += 1;
}

fn main() {
    let limit = Arc::new(Semaphore::new(3));
    let stats = Arc::new(Mutex::new(Stats::default()));

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let tasks: Vec<_> = (0..30)
            .map(|i| tokio::spawn(job(i, Arc::clone(&limit), Arc::clone(&stats))))
            .collect();
        for t in tasks {
            t.await.expect("task");
        }
    });
    println!("async:    {:?}", *stats.lock_blocking());

    let threads: Vec<_> = (0..6)
        .map(|_| {
            let (limit, stats) = (Arc::clone(&limit), Arc::clone(&stats));
            std::thread::spawn(move || {
                for _ in 0..5 {
                    let _permit = limit.acquire_blocking().expect("never closed");
                    {
                        let mut s = stats.lock_blocking();
                        s.running += 1;
                        s.max_concurrent = s.max_concurrent.max(s.running);
                    }
                    std::thread::sleep(Duration::from_millis(1));
                    let mut s = stats.lock_blocking();
                    s.running -= 1;
                    s.done += 1;
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread");
    }
    let s = stats.lock_blocking();
    println!("blocking: {:?}", *s);
    assert_eq!(s.done, 60);
    assert!(s.max_concurrent <= 3, "the semaphore bounds concurrency");
    limit.close();
    println!(
        "after close, acquire gives: {:?}",
        limit.acquire_blocking().err()
    );
}
