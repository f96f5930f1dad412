//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

/// A small deterministic generator (xorshift64*), so failures replay.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn f32(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
    }
    pub fn f64(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}

/// The four signals of a pool: (workers_count, queued, inflight, completed).
pub fn signal_values(s: &para::Signals) -> (usize, usize, usize, usize) {
    (
        s.workers_count.get(),
        s.queued.get(),
        s.inflight.get(),
        s.completed.get(),
    )
}

/// A kernel that costs about `iters` multiply-adds: dispatched by name
/// (`"spin_for"`) to keep a worker busy for a while.
#[para::pure]
pub fn spin_for(iters: u64) -> u64 {
    let mut x = 1u64;
    for i in 0..iters {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(i);
    }
    x
}

/// Spin (with short sleeps) until `cond` holds, for at most 10 s.
pub fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let t = Instant::now();
    while !cond() {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// A waker that counts its wake-ups (tokio-test's `is_woken`).
#[derive(Default)]
pub struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A future pinned on the heap, polled with a counting waker.
pub struct Task<F: Future> {
    fut: Pin<Box<F>>,
    count: Arc<Count>,
}

impl<F: Future> Task<F> {
    pub fn new(fut: F) -> Task<F> {
        Task {
            fut: Box::pin(fut),
            count: Arc::default(),
        }
    }
    pub fn poll(&mut self) -> Poll<F::Output> {
        let w = Waker::from(Arc::clone(&self.count));
        self.fut.as_mut().poll(&mut Context::from_waker(&w))
    }
    /// Woken since the last call.
    pub fn is_woken(&self) -> bool {
        self.count.0.swap(0, Ordering::SeqCst) > 0
    }
}
