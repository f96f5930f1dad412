//! The async calls of a pool: `map_async`, `reduce_async`,
//! `map_reduce_async`, `fold_async` and their `_with` forms, and their
//! future, [`AsyncCall`].
//!
//! Each call moves its input and closures into an [`AsyncJob`] (see
//! `async_job.rs` for the protocol), plans its chunks from the calibration
//! cache, and queues help requests that only the pool's threads answer:
//! the calling task never blocks and never runs a chunk.
//!
//! # The last core
//! A blocking call runs on its caller and up to `concurrency` workers; the
//! default pool has cores − 1 workers because the caller is the last core.
//! An async call has no caller at work, so the pool's *spare* thread (one
//! per pool, `{name}-spare`; see `queue.rs`) stands in for it: an async
//! call runs on up to `concurrency` workers plus the spare, as many threads
//! as a blocking call. The spare takes only work that no calling thread
//! does (async chunks, and help for calls made on the pool's own threads),
//! so blocking calls never run on more threads than before.
//!
//! # Planning
//! The caller runs nothing, so there is no probe: a kernel whose cost the
//! cache knows is planned by the same rule as a blocking call
//! ([`chunk::plan`]; a small call runs as one chunk on one thread), in
//! chunks that are also turns (below): `TURNS_PER_THREAD` per thread, of
//! 10 µs to 1 ms of work each. An unknown one is cut into
//! [`CHUNKS_PER_THREAD`](chunk::CHUNKS_PER_THREAD) chunks per thread.
//! Chunks are timed on the workers, and the finished call teaches the
//! cache (the same key as the blocking form), so the next call of the
//! kernel plans with its cost.
//!
//! # Turns
//! Concurrent async calls share the threads chunk by chunk rather than
//! first come, first served: after each chunk, a thread on an async call
//! that still has chunks to hand out looks at the queue, and if a task it
//! may take waits there (another call's help request, a dispatch, a
//! blocking call's help), it puts the call back behind everything and takes
//! that task instead (`Queue::hand_on`, one critical section; nothing is
//! locked while nobody waits). So a small request is not stuck behind a
//! large one, and requests submitted together finish close together, which
//! is also what serves a burst of requests best: their futures are woken
//! in one burst, while the runtime's threads are awake, instead of one
//! wake-up of a sleeping runtime thread each, on a core that a pool thread
//! has to give up for it (the `service` bench's account). The price is the
//! latency of the first of equal requests submitted together: each
//! finishes about when the last does. A hand-over never delays a finish:
//! the call goes back on the queue before its chunk is published, so the
//! finish takes it back off with the call's other requests.

use super::async_job::{AsyncJob, Content, Handle, Hook};
use super::{AsyncWork, CallOptions, Pool, Shared, Task};
use crate::calibrate::{key_of, rules, CallKind, Cost};
use crate::chunk::{self, Plan};
use crate::input::{IntoSource, Item, Source};
use crate::reduce::{self, Blocks, Tree};
use crate::unwind::Payload;
use crate::wide;
use std::fmt;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::ops::Range;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// The future of an async call ([`Pool::map_async`] and its siblings):
/// `Send + 'static`, usable under any executor; it needs no runtime of its
/// own and never blocks in `poll`.
///
/// Its output is the call's answer; a panic of the call's kernel is
/// re-raised, with its original payload, by the `poll` that finds it.
///
/// # Cancel safety
/// Dropping the future cancels the call: chunks not yet started never
/// start, chunks running finish, and the input, the closures and the
/// outputs already made are dropped once the last of them has (on the
/// thread that finished it). The pool's signals return to 0 once the
/// running chunks are over. Polling again with a different waker replaces
/// the stored one.
#[must_use = "an async call does nothing useful unless awaited; dropping it cancels the call"]
pub struct AsyncCall<T> {
    state: CallState<T>,
}

enum CallState<T> {
    Ready(Option<T>),
    Running {
        job: Arc<dyn Handle<T>>,
        id: usize,
        shared: Arc<Shared>,
    },
    Done,
}

// The answer is only ever moved, never pinned.
impl<T> Unpin for AsyncCall<T> {}

impl<T> fmt::Debug for AsyncCall<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            CallState::Ready(_) => "ready",
            CallState::Running { .. } => "running",
            CallState::Done => "done",
        };
        f.debug_struct("AsyncCall").field("state", &state).finish()
    }
}

impl<T> AsyncCall<T> {
    fn ready(v: T) -> Self {
        AsyncCall {
            state: CallState::Ready(Some(v)),
        }
    }
}

impl<T: Send + 'static> Future for AsyncCall<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let this = self.get_mut();
        let out: Result<T, Payload> = match &mut this.state {
            CallState::Ready(v) => Ok(v.take().expect("a ready call holds its answer")),
            CallState::Running { job, shared, .. } => {
                // Polled on one of the pool's own threads (a kernel that
                // blocks on an async call): run chunks here rather than
                // wait on a thread that may be this one.
                if shared.on_worker() {
                    let s = &shared.signals;
                    job.help(&|n| s.completed.add(n));
                }
                std::task::ready!(job.poll(cx))
            }
            CallState::Done => panic!("para: an async call's future was polled after completion"),
        };
        this.state = CallState::Done;
        match out {
            Ok(v) => Poll::Ready(v),
            Err(p) => std::panic::resume_unwind(p),
        }
    }
}

impl<T> Drop for AsyncCall<T> {
    fn drop(&mut self) {
        if let CallState::Running { job, id, shared } = &self.state {
            let answer = job.cancel();
            shared.remove_async(*id);
            // An answer that arrived unread is dropped here, on the
            // future's thread (a panic of its `Drop` is this drop's); an
            // unread panic payload is dropped contained.
            match answer {
                Some(Err(p)) => crate::unwind::drop_payload(p),
                other => drop(other),
            }
        }
    }
}

/// An output buffer of `cap` slots that chunks fill through `ptr`, each
/// its own indices; dropped without dropping its items (those a stopped
/// call made are leaked, as in the blocking form).
struct OutBuf<U> {
    ptr: *mut U,
    cap: usize,
}

// SAFETY: the buffer is owned (a `Vec`'s allocation); chunks write
// disjoint slots through `ptr`, and it is read or freed only by the
// finisher, after every chunk (the async job's protocol).
unsafe impl<U: Send> Send for OutBuf<U> {}
// SAFETY: as for `Send`: shared access writes disjoint slots only.
unsafe impl<U: Send> Sync for OutBuf<U> {}

impl<U> OutBuf<U> {
    fn new(n: usize) -> Self {
        let mut v = ManuallyDrop::new(Vec::<U>::with_capacity(n));
        OutBuf {
            ptr: v.as_mut_ptr(),
            cap: v.capacity(),
        }
    }

    /// The buffer as a `Vec` of its first `len` slots.
    ///
    /// # Safety
    /// Slots `0..len` are initialised.
    unsafe fn into_vec(self, len: usize) -> Vec<U> {
        let me = ManuallyDrop::new(self);
        // SAFETY: `ptr` and `cap` come from a `Vec<U>` that was forgotten;
        // the caller promises the first `len` slots.
        unsafe { Vec::from_raw_parts(me.ptr, len, me.cap) }
    }
}

impl<U> Drop for OutBuf<U> {
    fn drop(&mut self) {
        // SAFETY: as in `into_vec`, with no slot claimed initialised.
        drop(unsafe { Vec::from_raw_parts(self.ptr, 0, self.cap) });
    }
}

/// A map's content: `out[i] = f(src[i])`, `chunk` items per chunk.
struct MapChunks<S, F, U> {
    src: S,
    f: F,
    out: OutBuf<U>,
    n: usize,
    chunk: usize,
}

impl<S, F, U> Content for MapChunks<S, F, U>
where
    S: Source + Send + 'static,
    F: for<'s> Fn(Item<'s, S>) -> U + Send + Sync + 'static,
    U: Send + 'static,
{
    type Output = Vec<U>;

    fn run(&self, i: usize) -> usize {
        // `i < chunks = n.div_ceil(chunk)`, so `a < n`.
        let a = i * self.chunk;
        let r = a..a + self.chunk.min(self.n - a);
        // SAFETY: the buffer has `n == src.len()` slots, and chunks
        // partition `0..n`: this thread holds chunk `i`, so its range runs
        // once, here, and nothing else touches those slots before the
        // finish.
        let fill =
            unsafe { wide::MapFill::<_, _, _, false>::new(&self.src, &self.f, self.out.ptr) };
        wide::call(&fill, r)
    }

    fn finish(self) -> Vec<U> {
        let MapChunks { src, f, out, n, .. } = self;
        // SAFETY: every chunk ran without a panic, so every slot of `0..n`
        // was written.
        let v = unsafe { out.into_vec(n) };
        drop(f);
        drop(src);
        v
    }
}

/// A reduction's content: the blocks of [`Tree`] (`map` then `g` from
/// `init`), `per_chunk` blocks per chunk, each result in its slot; the
/// finish combines them in order from `init`, as the blocking form does.
struct ReduceBlocks<S, M, G, V> {
    src: S,
    map: M,
    g: G,
    init: V,
    block: usize,
    blocks: Blocks,
    per_chunk: usize,
    slots: OutBuf<V>,
}

impl<S, M, G, V> Content for ReduceBlocks<S, M, G, V>
where
    S: Source + Send + 'static,
    M: for<'s> Fn(Item<'s, S>) -> V + Send + Sync + 'static,
    G: Fn(V, V) -> V + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    type Output = V;

    fn run(&self, i: usize) -> usize {
        let r = chunk_blocks(i, self.per_chunk, self.blocks.count());
        let tree = Tree::new(&self.src, self.block, &self.init, &self.map, &self.g);
        let p = self.slots.ptr;
        for b in r.clone() {
            // SAFETY: `b < count`, the buffer's length; chunks partition
            // the blocks, so each slot is written once.
            unsafe { p.add(b).write(tree.block(b)) };
        }
        self.blocks.items_in(&r)
    }

    fn finish(self) -> V {
        let ReduceBlocks {
            g,
            init,
            blocks,
            slots,
            ..
        } = self;
        // SAFETY: every chunk ran without a panic: every block's slot was
        // written.
        let results = unsafe { slots.into_vec(blocks.count()) };
        reduce::combine_owned(init, results, &g)
    }
}

/// A fold's content: each block folded once, in order, from
/// `init.clone()` with `fold`; the finish combines the block results left
/// to right from the first with `combine`.
struct FoldBlocks<S, F, C, A> {
    src: S,
    fold: F,
    combine: C,
    init: A,
    blocks: Blocks,
    per_chunk: usize,
    slots: OutBuf<A>,
}

impl<S, F, C, A> Content for FoldBlocks<S, F, C, A>
where
    S: Source + Send + 'static,
    F: for<'s> Fn(A, Item<'s, S>) -> A + Send + Sync + 'static,
    C: Fn(A, A) -> A + Send + Sync + 'static,
    A: Clone + Send + Sync + 'static,
{
    type Output = A;

    fn run(&self, i: usize) -> usize {
        let r = chunk_blocks(i, self.per_chunk, self.blocks.count());
        let p = self.slots.ptr;
        for b in r.clone() {
            let mut acc = self.init.clone();
            for k in self.blocks.span(b) {
                // SAFETY: a block's span lies inside `0..src.len()`.
                acc = (self.fold)(acc, unsafe { self.src.get_unchecked(k) });
            }
            // SAFETY: as in `ReduceBlocks::run`.
            unsafe { p.add(b).write(acc) };
        }
        self.blocks.items_in(&r)
    }

    fn finish(self) -> A {
        let FoldBlocks {
            combine,
            init,
            blocks,
            slots,
            ..
        } = self;
        // SAFETY: as in `ReduceBlocks::finish`.
        let results = unsafe { slots.into_vec(blocks.count()) };
        // Left to right from the first block's result, as the blocking
        // `fold` combines (a call with no block returned `init` at once).
        reduce::combine_from_first(results, &combine).unwrap_or(init)
    }
}

/// Blocks of chunk `i` of `per_chunk` blocks each, out of `count`.
fn chunk_blocks(i: usize, per_chunk: usize, count: usize) -> Range<usize> {
    let lo = i * per_chunk;
    lo..lo + per_chunk.min(count - lo)
}

/// How an async call runs: units per chunk, chunks, help requests to
/// queue, and what the cache knew.
struct AsyncPlan {
    per_chunk: usize,
    chunks: usize,
    tasks: usize,
    known: Option<Cost>,
}

/// Chunks per thread of an async call of known cost: each chunk is a turn
/// in which concurrent calls share the threads (see the pool's `# Turns`;
/// a turn ends only between two chunks), so that calls submitted together
/// also finish close together, and their futures are woken in a burst
/// rather than one wake-up of a sleeping runtime thread each. In the
/// `service` bench (16 concurrent requests of about 0.1 ms of work each, 2
/// cores) with turns, `map_async` served 1.06x, 1.17x, 1.11x and 1.10x the
/// requests of `spawn_blocking` + `pmap!` in four runs with 8 chunks per
/// thread, 1.24x, 0.94x, 0.99x and 1.01x with 4.
const TURNS_PER_THREAD: usize = 8;

/// The shortest chunk an async call of known cost is cut into, in
/// nanoseconds of work: a hand-over costs a lock of the queue, and a
/// chunk's bookkeeping two clock reads and three atomics.
const TURN_MIN_NS: f64 = 10_000.0;

/// The longest chunk an async call of known cost is cut into: how long a
/// call waiting for its turn waits for each call ahead of it, at most.
const TURN_MAX_NS: f64 = 1_000_000.0;

impl Shared {
    /// Plan `units` units of `unit_items` items of kernel `key` (see the
    /// module's `# Planning`); `chunk` forces the units per chunk.
    fn plan_async(
        self: &Arc<Self>,
        key: u64,
        units: usize,
        unit_items: usize,
        chunk: Option<usize>,
        opts: &CallOptions,
    ) -> AsyncPlan {
        check(opts);
        let helpers = if self.ensure_running() {
            opts.concurrency
                .unwrap_or(self.concurrency)
                .min(self.concurrency)
        } else {
            0
        };
        // The spare stands in for the caller (see `# The last core`).
        let max_threads = helpers + 1;
        let known = self.cache.get(key);
        let per_chunk = match known {
            Some(c) => {
                match chunk::plan(
                    units,
                    c.ns_per_item * unit_items.max(1) as f64,
                    max_threads,
                    chunk,
                    false,
                ) {
                    Plan::Inline => units,
                    // A guided plan carries its smallest chunk under a flag
                    // bit (`chunk::GUIDED`); async jobs run equal chunks,
                    // `TURNS_PER_THREAD` per thread, each one turn: not
                    // under `TURN_MIN_NS` of work (nor the guided minimum)
                    // and not over `TURN_MAX_NS`.
                    Plan::Parallel { chunk, threads } => match chunk::split_chunk(chunk) {
                        (size, true) => {
                            let unit_ns = c.ns_per_item * unit_items.max(1) as f64;
                            let share =
                                units as f64 * unit_ns / (threads * TURNS_PER_THREAD) as f64;
                            let turn = share.clamp(TURN_MIN_NS, TURN_MAX_NS);
                            // A float to integer cast saturates.
                            ((turn / unit_ns).ceil() as usize).max(size)
                        }
                        (size, false) => size,
                    },
                }
            }
            None => chunk.unwrap_or_else(|| units.div_ceil(max_threads * chunk::CHUNKS_PER_THREAD)),
        }
        .clamp(1, units);
        let chunks = units.div_ceil(per_chunk);
        AsyncPlan {
            per_chunk,
            chunks,
            tasks: chunks.min(max_threads),
            known,
        }
    }

    /// Start an async call of `content` as planned: the job, its help
    /// requests, and the future.
    fn start_async<C: Content>(
        self: &Arc<Self>,
        content: C,
        key: u64,
        plan: &AsyncPlan,
    ) -> AsyncCall<C::Output> {
        let weak = Arc::downgrade(self);
        let known = plan.known;
        let hook: Hook = Box::new(move |id, busy_ns, items, ok| {
            let Some(shared) = weak.upgrade() else {
                return;
            };
            shared.remove_async(id);
            if ok {
                shared.learn(key, known, busy_ns, items);
            }
        });
        let job = Arc::new(AsyncJob::new(content, plan.chunks, Some(hook)));
        let id = job.id();
        let work: Arc<dyn AsyncWork> = Arc::clone(&job) as Arc<dyn AsyncWork>;
        if self
            .queue
            .push_async(&work, plan.tasks, &self.signals.queued)
            == 0
        {
            // A disposed pool: no worker will come, so a thread of the
            // call's own runs it (the blocking forms run inline there; an
            // async caller must not block).
            let w = Arc::clone(&work);
            let spawned = std::thread::Builder::new()
                .name(format!("{}-late", self.name))
                .spawn(move || w.run_rest());
            if spawned.is_err() {
                work.run_rest();
            }
        }
        AsyncCall {
            state: CallState::Running {
                job,
                id,
                shared: Arc::clone(self),
            },
        }
    }

    /// Take async call `id`'s help requests that no worker picked up back
    /// off the queue.
    fn remove_async(&self, id: usize) {
        self.queue.remove(
            |t| matches!(t, Task::Async(w) if Arc::as_ptr(w) as *const () as usize == id),
            &self.signals.queued,
        );
    }

    /// Teach the cache what a finished async call of `key` cost: `busy_ns`
    /// of thread time over `items` items (exact, not a bound: each chunk is
    /// timed on its own thread), planned with `known`.
    fn learn(&self, key: u64, known: Option<Cost>, busy_ns: u64, items: usize) {
        if items == 0 {
            return;
        }
        let measured = Cost {
            ns_per_item: busy_ns as f64 / items as f64,
            confident: busy_ns >= chunk::PROBE_NS,
        };
        let new = match known {
            None => Some(measured),
            Some(k) => rules::corrected(k, busy_ns as f64, items, 1)
                .or_else(|| (!k.confident && rules::replaces(known, measured)).then_some(measured)),
        };
        if let Some(c) = new {
            self.cache.put(key, c);
        }
    }
}

/// The options' check of the blocking forms: a runtime `concurrency` of 0
/// panics (at the call).
fn check(opts: &CallOptions) {
    if let Some(0) = opts.concurrency {
        panic!("para: `concurrency` must be at least 1 (got 0)");
    }
}

/// The panic of a map whose output cannot exist (the blocking form's
/// message).
#[cold]
#[inline(never)]
fn output_too_large<U>(n: usize) -> ! {
    panic!(
        "para: map: the output of {n} items of {} bytes each cannot be allocated (more than isize::MAX bytes)",
        std::mem::size_of::<U>()
    )
}

impl Pool {
    /// [`map`](Pool::map) as a future: the input moves into the call, the
    /// pool's threads run every chunk, and the future resolves to the
    /// outputs (`out[i] == f(input[i])`, same order).
    ///
    /// The input is owned: `Vec<T>`, `Arc<[T]>`, `Arc<Vec<T>>`
    /// (items `&T`), [`OwnedRows`](crate::OwnedRows) (items `&[T]`), ranges
    /// (items `usize`). `f` may capture anything `Send + Sync + 'static`.
    /// The future is `Send + 'static` and works on any executor; the
    /// calling task never blocks and never runs a chunk. The call runs on
    /// up to [`concurrency`](Pool::concurrency) workers plus the pool's
    /// spare thread (which stands in for the caller a blocking call would
    /// have), so as many threads as a blocking call. A panic of `f` is
    /// re-raised with its payload by the `poll` that finds it; outputs
    /// already made are leaked.
    ///
    /// # Cancel safety
    /// Dropping the future cancels the call: chunks not yet started never
    /// start, running ones finish, then the input and closure are dropped
    /// (once) and the signals return to 0. Nothing is lost or leaked but
    /// the outputs already made (leaked, as after a panic).
    ///
    /// ```
    /// let pool = para_runtime::Pool::new()?;
    /// let w = 2.0_f32;
    /// let fut = pool.map_async(move |x: &f32| x * w, vec![1.0_f32, 2.0, 3.0]);
    /// assert_eq!(futures::executor::block_on(fut), [2.0, 4.0, 6.0]);
    /// let squares = futures::executor::block_on(pool.map_async(|i: usize| i * i, 0..4));
    /// assert_eq!(squares, [0, 1, 4, 9]);
    /// # Ok::<(), para_runtime::BuildError>(())
    /// ```
    pub fn map_async<I, F, U>(&self, f: F, input: I) -> AsyncCall<Vec<U>>
    where
        I: IntoSource,
        I::Source: Send + 'static,
        F: for<'s> Fn(Item<'s, I::Source>) -> U + Send + Sync + 'static,
        U: Send + 'static,
    {
        self.map_async_with(CallOptions::default(), f, input)
    }

    /// [`map_async`](Pool::map_async) with explicit [`CallOptions`]:
    /// `concurrency` caps the workers (the spare comes on top, as the
    /// caller does in a blocking call), `chunk_size` fixes the items per
    /// chunk.
    ///
    /// # Cancel safety
    /// As [`map_async`](Pool::map_async).
    ///
    /// # Panics
    /// With `concurrency` 0 (at the call, not in the future), and when the
    /// output cannot be allocated.
    pub fn map_async_with<I, F, U>(&self, opts: CallOptions, f: F, input: I) -> AsyncCall<Vec<U>>
    where
        I: IntoSource,
        I::Source: Send + 'static,
        F: for<'s> Fn(Item<'s, I::Source>) -> U + Send + Sync + 'static,
        U: Send + 'static,
    {
        let src = input.into_source();
        let n = src.len();
        if std::mem::size_of::<U>() != 0 && n > isize::MAX as usize / std::mem::size_of::<U>() {
            output_too_large::<U>(n);
        }
        let shared = &self.shared;
        let key = key_of::<F>(CallKind::Map);
        let chunk = opts.chunk_size.or(shared.chunk_size);
        if n == 0 {
            check(&opts);
            return AsyncCall::ready(Vec::new());
        }
        let plan = shared.plan_async(key, n, 1, chunk, &opts);
        let content = MapChunks {
            src,
            f,
            out: OutBuf::new(n),
            n,
            chunk: plan.per_chunk,
        };
        shared.start_async(content, key, &plan)
    }

    /// [`reduce`](Pool::reduce) as a future: the same blocks, the same
    /// tree, the same bits, whatever the threads; the input moves into the
    /// call and only the pool's threads run it (see
    /// [`map_async`](Pool::map_async)).
    ///
    /// # Cancel safety
    /// As [`map_async`](Pool::map_async): dropping the future stops the
    /// call, lets running blocks finish, then drops the input, `g`, `init`
    /// and the block results (those made are leaked, as after a panic).
    ///
    /// ```
    /// let pool = para_runtime::Pool::new()?;
    /// let words = vec!["a".to_string(), "b".into(), "c".into()];
    /// let all = pool.reduce_async(|a, b| a + &b, String::new(), words);
    /// assert_eq!(futures::executor::block_on(all), "abc");
    /// # Ok::<(), para_runtime::BuildError>(())
    /// ```
    pub fn reduce_async<I, G, V>(&self, g: G, init: V, input: I) -> AsyncCall<V>
    where
        I: IntoSource,
        I::Source: Source<Value = V> + Send + 'static,
        G: Fn(V, V) -> V + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
    {
        self.reduce_async_with(CallOptions::default(), g, init, input)
    }

    /// [`reduce_async`](Pool::reduce_async) with explicit [`CallOptions`];
    /// a `chunk_size` is the block length, as in
    /// [`reduce_with`](Pool::reduce_with).
    ///
    /// # Cancel safety
    /// As [`reduce_async`](Pool::reduce_async).
    pub fn reduce_async_with<I, G, V>(
        &self,
        opts: CallOptions,
        g: G,
        init: V,
        input: I,
    ) -> AsyncCall<V>
    where
        I: IntoSource,
        I::Source: Source<Value = V> + Send + 'static,
        G: Fn(V, V) -> V + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
    {
        let src = input.into_source();
        let map = |x: Item<'_, I::Source>| <I::Source as Source>::value(x);
        self.reduce_blocks_async(key_of::<G>(CallKind::Reduce), &opts, src, map, g, init)
    }

    /// [`map_reduce`](Pool::map_reduce) as a future: bit-identical to the
    /// blocking form (and so to `reduce` over `map`), without an
    /// intermediate vector; the input moves into the call (see
    /// [`map_async`](Pool::map_async)).
    ///
    /// # Cancel safety
    /// As [`reduce_async`](Pool::reduce_async).
    ///
    /// ```
    /// let pool = para_runtime::Pool::new()?;
    /// let fut = pool.map_reduce_async(|x: &f64| x * x, |a, b| a + b, 0.0, vec![1.0, 2.0, 3.0]);
    /// assert_eq!(futures::executor::block_on(fut), 14.0);
    /// # Ok::<(), para_runtime::BuildError>(())
    /// ```
    pub fn map_reduce_async<I, F, G, U>(&self, f: F, g: G, init: U, input: I) -> AsyncCall<U>
    where
        I: IntoSource,
        I::Source: Send + 'static,
        F: for<'s> Fn(Item<'s, I::Source>) -> U + Send + Sync + 'static,
        G: Fn(U, U) -> U + Send + Sync + 'static,
        U: Clone + Send + Sync + 'static,
    {
        self.map_reduce_async_with(CallOptions::default(), f, g, init, input)
    }

    /// [`map_reduce_async`](Pool::map_reduce_async) with explicit
    /// [`CallOptions`].
    ///
    /// # Cancel safety
    /// As [`reduce_async`](Pool::reduce_async).
    pub fn map_reduce_async_with<I, F, G, U>(
        &self,
        opts: CallOptions,
        f: F,
        g: G,
        init: U,
        input: I,
    ) -> AsyncCall<U>
    where
        I: IntoSource,
        I::Source: Send + 'static,
        F: for<'s> Fn(Item<'s, I::Source>) -> U + Send + Sync + 'static,
        G: Fn(U, U) -> U + Send + Sync + 'static,
        U: Clone + Send + Sync + 'static,
    {
        let src = input.into_source();
        self.reduce_blocks_async(
            key_of::<(F, G)>(CallKind::MapReduce),
            &opts,
            src,
            f,
            g,
            init,
        )
    }

    /// Fold every item into an accumulator, in parallel and
    /// deterministically, as a future: the input is cut into the blocks of
    /// a reduction (their length depends only on the input length, or on an
    /// explicit `chunk_size`); each block folds its items in order with
    /// `fold`, once, from `init.clone()`; the block results are combined
    /// left to right from `init` with `combine`. The tree never depends on
    /// threads or timing (the blocking `Pool::fold`'s rule). An empty input
    /// gives `init`. The input moves into the call (see
    /// [`map_async`](Pool::map_async)).
    ///
    /// # Cancel safety
    /// As [`reduce_async`](Pool::reduce_async).
    ///
    /// ```
    /// let pool = para_runtime::Pool::new()?;
    /// // Count the even numbers: the accumulator's type is not the item's.
    /// let evens = pool.fold_async(
    ///     |n: usize, x: usize| n + usize::from(x % 2 == 0),
    ///     |a, b| a + b,
    ///     0,
    ///     0..1000,
    /// );
    /// assert_eq!(futures::executor::block_on(evens), 500);
    /// # Ok::<(), para_runtime::BuildError>(())
    /// ```
    pub fn fold_async<I, F, C, A>(&self, fold: F, combine: C, init: A, input: I) -> AsyncCall<A>
    where
        I: IntoSource,
        I::Source: Send + 'static,
        F: for<'s> Fn(A, Item<'s, I::Source>) -> A + Send + Sync + 'static,
        C: Fn(A, A) -> A + Send + Sync + 'static,
        A: Clone + Send + Sync + 'static,
    {
        self.fold_async_with(CallOptions::default(), fold, combine, init, input)
    }

    /// [`fold_async`](Pool::fold_async) with explicit [`CallOptions`]; a
    /// `chunk_size` is the block length.
    ///
    /// # Cancel safety
    /// As [`reduce_async`](Pool::reduce_async).
    pub fn fold_async_with<I, F, C, A>(
        &self,
        opts: CallOptions,
        fold: F,
        combine: C,
        init: A,
        input: I,
    ) -> AsyncCall<A>
    where
        I: IntoSource,
        I::Source: Send + 'static,
        F: for<'s> Fn(A, Item<'s, I::Source>) -> A + Send + Sync + 'static,
        C: Fn(A, A) -> A + Send + Sync + 'static,
        A: Clone + Send + Sync + 'static,
    {
        let src = input.into_source();
        let shared = &self.shared;
        let key = key_of::<(F, C)>(CallKind::MapReduce);
        let n = src.len();
        if n == 0 {
            check(&opts);
            return AsyncCall::ready(init);
        }
        let block = chunk::reduce_block(n, opts.chunk_size.or(shared.chunk_size));
        let blocks = Blocks::new(n, block);
        let plan = shared.plan_async(key, blocks.count(), block, None, &opts);
        let content = FoldBlocks {
            src,
            fold,
            combine,
            init,
            blocks,
            per_chunk: plan.per_chunk,
            slots: OutBuf::new(blocks.count()),
        };
        shared.start_async(content, key, &plan)
    }

    /// Start the async reduction of `src`, each item mapped by `map`, with
    /// `g` from `init`: [`Tree`]'s blocks as [`ReduceBlocks`].
    fn reduce_blocks_async<S, M, G, V>(
        &self,
        key: u64,
        opts: &CallOptions,
        src: S,
        map: M,
        g: G,
        init: V,
    ) -> AsyncCall<V>
    where
        S: Source + Send + 'static,
        M: for<'s> Fn(Item<'s, S>) -> V + Send + Sync + 'static,
        G: Fn(V, V) -> V + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
    {
        let shared = &self.shared;
        let n = src.len();
        if n == 0 {
            check(opts);
            return AsyncCall::ready(init);
        }
        let block = chunk::reduce_block(n, opts.chunk_size.or(shared.chunk_size));
        let blocks = Blocks::new(n, block);
        // The block length is the reduction's chunk; the plan chooses how
        // many blocks a chunk holds.
        let plan = shared.plan_async(key, blocks.count(), block, None, opts);
        let content = ReduceBlocks {
            src,
            map,
            g,
            init,
            block,
            blocks,
            per_chunk: plan.per_chunk,
            slots: OutBuf::new(blocks.count()),
        };
        shared.start_async(content, key, &plan)
    }
}

/// Small async calls on real pools, driven by a minimal executor: sized for
/// Miri (the CI runs every `pool::` unit test under Miri, ThreadSanitizer
/// and AddressSanitizer), so that the async protocol's owned content, its
/// output buffer, its finish and its cancellation run under them, not only
/// under loom's models.
#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::input::OwnedRows;
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Wake, Waker};

    /// Wakes the thread that blocks on a future.
    struct Unpark(std::thread::Thread);

    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }

    fn block_on<F: Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
        let mut cx = Context::from_waker(&waker);
        loop {
            if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
            std::thread::park();
        }
    }

    use crate::pool::test_support::Counted;

    fn pool(workers: usize) -> Pool {
        Pool::builder().concurrency(workers).build().unwrap()
    }

    #[test]
    fn small_maps_and_reductions_match_the_sequential_answers() {
        static DROPS: AtomicUsize = AtomicUsize::new(0);
        let p = pool(2);
        let input: Vec<Counted> = (0..40).map(|i| Counted(i.to_string(), &DROPS)).collect();
        let want: Vec<String> = input.iter().map(|c| format!("<{}>", c.0)).collect();
        let opts = CallOptions::default().chunk_size(3);
        let got = block_on(p.map_async_with(opts, |c: &Counted| format!("<{}>", c.0), input));
        assert_eq!(got, want);
        assert_eq!(DROPS.load(Ordering::SeqCst), 40, "the input dropped once");

        let words: Vec<String> = (0..50).map(|i| format!("{i},")).collect();
        let concat = words.concat();
        let r = block_on(p.reduce_async_with(opts, |a, b| a + &b, String::new(), words.clone()));
        assert_eq!(r, concat, "a non-commutative reduce keeps the order");
        let f = block_on(p.fold_async_with(
            opts,
            |mut a: String, w: &String| {
                a.push_str(w);
                a
            },
            |a, b| a + &b,
            String::new(),
            words,
        ));
        assert_eq!(f, concat);
        let rows = OwnedRows::new((0..24_u32).collect(), 4);
        let sums = block_on(p.map_async(|r: &[u32]| r.iter().sum::<u32>(), rows));
        assert_eq!(sums, [6, 22, 38, 54, 70, 86]);
        let squares = block_on(p.map_reduce_async(|i: usize| i * i, |a, b| a + b, 0, 0..30));
        assert_eq!(squares, (0..30).map(|i| i * i).sum::<usize>());
    }

    /// Three calls at once on one worker and the spare, one chunk per
    /// item: the threads hand each call on between its chunks (the pool's
    /// `# Turns`); every answer is whole and in order, every input dropped
    /// once, and the pool is quiet after.
    #[test]
    fn concurrent_calls_taking_turns_answer_in_full() {
        static DROPS: AtomicUsize = AtomicUsize::new(0);
        let p = pool(1);
        let opts = CallOptions::default().chunk_size(1);
        let calls: Vec<_> = (0..3)
            .map(|k| {
                let input: Vec<Counted> = (0..12)
                    .map(|i| Counted(format!("{k}.{i}"), &DROPS))
                    .collect();
                p.map_async_with(opts, |c: &Counted| format!("<{}>", c.0), input)
            })
            .collect();
        for (k, call) in calls.into_iter().enumerate().rev() {
            let want: Vec<String> = (0..12).map(|i| format!("<{k}.{i}>")).collect();
            assert_eq!(block_on(call), want);
        }
        assert_eq!(DROPS.load(Ordering::SeqCst), 36, "each input dropped once");
        let s = p.signals();
        for _ in 0..10_000 {
            if (s.queued.get(), s.inflight.get()) == (0, 0) {
                break;
            }
            std::thread::yield_now();
        }
        assert_eq!(
            (s.queued.get(), s.inflight.get()),
            (0, 0),
            "the pool is quiet"
        );
    }

    #[test]
    fn a_dropped_call_drops_its_input_once_after_its_running_chunks() {
        static DROPS: AtomicUsize = AtomicUsize::new(0);
        let p = pool(1);
        let started = Arc::new(AtomicUsize::new(0));
        let s = Arc::clone(&started);
        let input: Vec<Counted> = (0..30).map(|i| Counted(i.to_string(), &DROPS)).collect();
        let k = move |c: &Counted| {
            s.fetch_add(1, Ordering::SeqCst);
            std::thread::yield_now();
            c.0.len()
        };
        let mut call = Box::pin(p.map_async_with(CallOptions::default().chunk_size(1), k, input));
        let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
        let _ = call.as_mut().poll(&mut Context::from_waker(&waker));
        while started.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
        drop(call);
        // The chunks running at the drop finish; the last of them drops
        // the input.
        while DROPS.load(Ordering::SeqCst) < 30 {
            std::thread::yield_now();
        }
        let after = started.load(Ordering::SeqCst);
        assert_eq!(block_on(p.map_async(|i: usize| i + 1, 0..3)), [1, 2, 3]);
        assert_eq!(
            started.load(Ordering::SeqCst),
            after,
            "a chunk ran after the drop"
        );
        assert_eq!(DROPS.load(Ordering::SeqCst), 30, "each item dropped once");
    }

    #[test]
    fn a_kernel_panic_reaches_the_poll_and_the_input_is_dropped_once() {
        static DROPS: AtomicUsize = AtomicUsize::new(0);
        let p = pool(2);
        let input: Vec<Counted> = (0..20).map(|i| Counted(i.to_string(), &DROPS)).collect();
        let call = p.map_async_with(
            CallOptions::default().chunk_size(2),
            // Outputs that own nothing: those made before a panic are
            // leaked, not dropped (the failure table in the README), and
            // Miri's leak check would report owning ones.
            |c: &Counted| {
                assert!(c.0 != "13", "kernel failed at 13");
                c.0.len()
            },
            input,
        );
        let err = catch_unwind(AssertUnwindSafe(|| block_on(call))).unwrap_err();
        let msg = err
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()));
        assert_eq!(msg.as_deref(), Some("kernel failed at 13"));
        assert_eq!(DROPS.load(Ordering::SeqCst), 20, "the input dropped once");
        assert_eq!(
            block_on(p.reduce_async(|a, b| a + b, 0_u64, vec![1, 2, 3])),
            6
        );
    }
}
