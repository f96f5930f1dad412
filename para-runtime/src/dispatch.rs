//! RPC-style calls of registered kernels by name: `Pool::dispatch` and
//! `Pool::dispatch_async`.
//!
//! # Design
//! A request is a boxed [`Request`] on the pool's queue, carrying the
//! kernel's type-erased entry point, the owned arguments and an `Arc` to a
//! one-shot [`Reply`]. The worker that runs it stores the result (or the
//! panic message) in the reply, then wakes the waiter: a parked thread for
//! `dispatch`, a `Waker` for `dispatch_async`. Types are checked against
//! the registry before anything is queued.
//!
//! # Protocol
//! The reply's state (`result`, `waker`, `cancelled`, `started`) lives under
//! its mutex, and every step of either side is one critical section:
//!
//! - the worker's [`Reply::start`] marks the request started unless it was
//!   cancelled (then the worker drops the arguments and stops);
//! - [`Reply::complete`] stores the result and takes the waker, or, if the
//!   future was dropped meanwhile, takes the result back to drop it (on the
//!   worker, contained: the only case where a result is dropped there); it
//!   wakes and unparks only after unlocking, and only after `done` is set;
//! - the future's [`Reply::poll`] takes the result, or stores its waker, in
//!   one critical section, so a completion comes either before it (the
//!   result is taken) or after (it finds the waker): no lost wake-up;
//! - [`Reply::cancel`] (the future's drop) marks the reply cancelled and
//!   takes a result that arrived unread, so none is left in the reply to be
//!   dropped with its last `Arc` on a worker.
//!
//! The blocking waiter ([`Reply::wait`]) re-checks `done` after every park,
//! and `complete` sets `done` before it unparks: a park that returns early
//! on an unpark token meant for this reply finds `done` set.
//!
//! # Memory ordering
//! The result lives under the mutex; `done` is set with `Release` after the
//! result is stored (still under the lock), so a blocking waiter that sees
//! `done` with `Acquire` may take the result. Wakers are taken out of the
//! reply under the lock and woken after it is released.
//!
//! # Cancel safety
//! Dropping a `dispatch_async` future marks the reply cancelled and takes
//! the request off the queue if no worker has picked it up: the kernel never
//! runs and the counters stay exact. If it already runs, it finishes and
//! the worker drops its result.

use crate::loom::{lock, thread, AtomicBool, Mutex, Ordering};
use crate::pool::{Pool, Request, Shared};
use crate::registry::{kernels, KernelInfo};
use crate::signals::Signals;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Waker};

/// Why a [`Pool::dispatch`] did not produce a result.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DispatchError {
    /// No kernel is registered under this name.
    UnknownKernel {
        /// The name asked for.
        name: String,
        /// Registered names close to it.
        suggestions: Vec<String>,
    },
    /// Several modules register this name; use one of the full names.
    Ambiguous {
        /// The name asked for.
        name: String,
        /// Full names (`module::path::name`) that match.
        candidates: Vec<String>,
    },
    /// The arguments do not have the kernel's owned parameter type.
    ArgType {
        /// The kernel's full name.
        kernel: String,
        /// What the kernel takes (owned form: `Vec<T>` for `&[T]`, a tuple
        /// for several parameters).
        expected: &'static str,
        /// What was passed.
        found: &'static str,
    },
    /// The requested result type is not the kernel's return type.
    ReturnType {
        /// The kernel's full name.
        kernel: String,
        /// What the kernel returns.
        expected: &'static str,
        /// What was asked for.
        found: &'static str,
    },
    /// The kernel panicked.
    Panicked {
        /// The kernel's full name.
        kernel: String,
        /// The panic message (`<non-string panic payload>` if it had none).
        message: String,
    },
    /// The pool was disposed before the request ran.
    Disposed,
}

impl fmt::Display for DispatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DispatchError::UnknownKernel { name, suggestions } if suggestions.is_empty() => {
                write!(f, "no kernel named {name:?} is registered")
            }
            DispatchError::UnknownKernel { name, suggestions } => {
                write!(
                    f,
                    "no kernel named {name:?} is registered; did you mean {}?",
                    suggestions.join(" or ")
                )
            }
            DispatchError::Ambiguous { name, candidates } => write!(
                f,
                "kernel name {name:?} is registered by several modules; use a full name: {}",
                candidates.join(", ")
            ),
            DispatchError::ArgType {
                kernel,
                expected,
                found,
            } => {
                write!(f, "kernel {kernel} takes arguments of type `{expected}`, but `{found}` was passed")
            }
            DispatchError::ReturnType {
                kernel,
                expected,
                found,
            } => {
                write!(
                    f,
                    "kernel {kernel} returns `{expected}`, but `{found}` was asked for"
                )
            }
            DispatchError::Panicked { kernel, message } => {
                write!(f, "kernel {kernel} panicked: {message}")
            }
            DispatchError::Disposed => f.write_str("the pool was disposed before the request ran"),
        }
    }
}

impl std::error::Error for DispatchError {}

pub(crate) type Erased = Box<dyn Any + Send>;

struct ReplyState {
    result: Option<Result<Erased, DispatchError>>,
    waker: Option<Waker>,
    cancelled: bool,
    started: bool,
}

/// The one-shot reply a request answers into (see the module's
/// `# Protocol`).
pub(crate) struct Reply {
    state: Mutex<ReplyState>,
    done: AtomicBool,
    waiter: Option<thread::Thread>,
}

impl Reply {
    /// A reply; `waiter` is the thread to unpark (a blocking `dispatch`).
    pub(crate) fn new(waiter: Option<thread::Thread>) -> Arc<Reply> {
        Arc::new(Reply {
            state: Mutex::new(ReplyState {
                result: None,
                waker: None,
                cancelled: false,
                started: false,
            }),
            done: AtomicBool::new(false),
            waiter,
        })
    }

    /// The worker, before running the kernel: whether to run it (false if
    /// the future was dropped first). From here on a dropped future leaves
    /// the request to the worker rather than taking it off the queue.
    pub(crate) fn start(&self) -> bool {
        let mut s = lock(&self.state);
        s.started = !s.cancelled;
        s.started
    }

    /// Store the answer and wake the waiter. Runs on a worker (or on the
    /// disposing thread), so the user code it may run is contained: the
    /// drop of a result nobody waits for any more (the future was dropped)
    /// and the executor's `wake`.
    pub(crate) fn complete(&self, r: Result<Erased, DispatchError>) {
        let (waker, unwanted) = {
            let mut s = lock(&self.state);
            if s.cancelled {
                // The future is gone; its waker went with it (`cancel`).
                (None, Some(r))
            } else {
                s.result = Some(r);
                self.done.store(true, Ordering::Release);
                (s.waker.take(), None)
            }
        };
        if let Some(r) = unwanted {
            crate::unwind::drop_caught(r);
        }
        if let Some(w) = waker {
            if let Err(p) = catch_unwind(AssertUnwindSafe(|| w.wake())) {
                crate::unwind::drop_payload(p);
            }
        }
        if let Some(t) = &self.waiter {
            t.unpark();
        }
    }

    /// The blocking waiter (the thread given to [`Reply::new`]): spin up to
    /// `spins` times, then park until `done`; take the result.
    pub(crate) fn wait(&self, spins: u32) -> Result<Erased, DispatchError> {
        let mut spun = 0;
        while !self.done.load(Ordering::Acquire) {
            if spun < spins {
                spun += 1;
                crate::loom::spin_hint();
            } else {
                thread::park();
            }
        }
        lock(&self.state)
            .result
            .take()
            .expect("a done reply holds its result")
    }

    /// The future's poll: take the result, or leave `cx`'s waker for
    /// [`Reply::complete`] (replacing one that would not wake the same
    /// task), in one critical section.
    pub(crate) fn poll(&self, cx: &Context<'_>) -> Poll<Result<Erased, DispatchError>> {
        let mut s = lock(&self.state);
        if let Some(r) = s.result.take() {
            return Poll::Ready(r);
        }
        let replace = s.waker.as_ref().is_none_or(|w| !w.will_wake(cx.waker()));
        let old = if replace {
            s.waker.replace(cx.waker().clone())
        } else {
            None
        };
        drop(s);
        drop(old); // outside the lock
        Poll::Pending
    }

    /// The future's drop: mark the reply cancelled. Returns whether a
    /// worker has started the request (if not, the caller takes it off the
    /// queue), and what the future left or received in the reply (a
    /// result that arrived unread, its stored waker) for the caller to
    /// drop on its own thread: the waker is the executor's, and left in the
    /// reply it would be dropped on the worker with the reply's last `Arc`.
    pub(crate) fn cancel(&self) -> (bool, Option<Result<Erased, DispatchError>>, Option<Waker>) {
        let mut s = lock(&self.state);
        s.cancelled = true;
        (
            s.started || s.result.is_some(),
            s.result.take(),
            s.waker.take(),
        )
    }

    /// Whether a result sits in the reply (loom models: none may be left
    /// once both sides are done).
    #[cfg(all(test, loom))]
    pub(crate) fn holds_result(&self) -> bool {
        lock(&self.state).result.is_some()
    }
}

struct DispatchRequest {
    info: &'static KernelInfo,
    args: Erased,
    reply: Arc<Reply>,
    signals: Signals,
}

impl Request for DispatchRequest {
    fn run(self: Box<Self>, finish: &dyn Fn()) {
        let DispatchRequest {
            info,
            args,
            reply,
            signals,
        } = *self;
        if !reply.start() {
            // The arguments are the user's values: their `Drop` may panic.
            crate::unwind::drop_caught(args);
            return;
        }
        // `invoke` consumes `args`, so the kernel's parameters and its
        // result are dropped or boxed inside this catch.
        let out = catch_unwind(AssertUnwindSafe(move || info.invoke(args)));
        signals.completed.add(1);
        finish();
        reply.complete(out.map_err(|p| {
            let message = panic_message(p.as_ref());
            crate::unwind::drop_payload(p);
            DispatchError::Panicked {
                kernel: info.full_name(),
                message,
            }
        }));
    }

    fn cancel(self: Box<Self>) {
        let DispatchRequest { args, reply, .. } = *self;
        reply.complete(Err(DispatchError::Disposed));
        crate::unwind::drop_caught(args);
    }

    fn id(&self) -> usize {
        Arc::as_ptr(&self.reply) as usize
    }
}

fn panic_message(p: &(dyn Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_owned()
    }
}

/// Registered kernels by name and by full name.
struct Index {
    by_name: HashMap<String, Vec<&'static KernelInfo>>,
    /// The longest key of `by_name`, in bytes: a longer name is unknown
    /// without hashing it.
    longest: usize,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut m: HashMap<String, Vec<&'static KernelInfo>> = HashMap::new();
        for k in kernels() {
            m.entry(k.name.to_owned()).or_default().push(k);
            let full = k.full_name();
            if full != k.name {
                m.entry(full).or_default().push(k);
            }
        }
        Index {
            longest: m.keys().map(String::len).max().unwrap_or(0),
            by_name: m,
        }
    })
}

/// Find a kernel and check the types of a call, before anything runs.
fn resolve<A: 'static, R: 'static>(name: &str) -> Result<&'static KernelInfo, DispatchError> {
    let index = index();
    let found = if name.len() > index.longest {
        &[][..]
    } else {
        index
            .by_name
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or_default()
    };
    let info = match found {
        [] => {
            return Err(DispatchError::UnknownKernel {
                name: name.to_owned(),
                suggestions: suggest(name),
            })
        }
        [one] => *one,
        many => {
            let mut candidates: Vec<String> = many.iter().map(|k| k.full_name()).collect();
            candidates.sort();
            candidates.dedup();
            if candidates.len() == 1 {
                many[0]
            } else {
                return Err(DispatchError::Ambiguous {
                    name: name.to_owned(),
                    candidates,
                });
            }
        }
    };
    let (arg_id, arg_name) = info.arg_type_id();
    if arg_id != TypeId::of::<A>() {
        return Err(DispatchError::ArgType {
            kernel: info.full_name(),
            expected: arg_name,
            found: std::any::type_name::<A>(),
        });
    }
    let (ret_id, ret_name) = info.return_type_id();
    if ret_id != TypeId::of::<R>() {
        return Err(DispatchError::ReturnType {
            kernel: info.full_name(),
            expected: ret_name,
            found: std::any::type_name::<R>(),
        });
    }
    Ok(info)
}

/// Registered names within edit distance 2 of `name`, or containing it
/// (case-insensitively), closest first.
///
/// Names longer than [`SUGGEST_MAX_LEN`] bytes get no suggestions, so a
/// huge name (a request body passed by mistake) is answered at once; the
/// edit distance runs only where the two lengths differ by at most 2 (the
/// distance is at least that difference).
fn suggest(name: &str) -> Vec<String> {
    const MAX_DISTANCE: usize = 2;
    if name.len() > SUGGEST_MAX_LEN {
        return Vec::new();
    }
    let lower = name.to_lowercase();
    let len = lower.chars().count();
    let mut scored: Vec<(usize, String)> = kernels()
        .filter_map(|k| {
            let kname = k.name.to_lowercase();
            let klen = kname.chars().count();
            let d = if len.abs_diff(klen) <= MAX_DISTANCE {
                edit_distance(&lower, &kname)
            } else {
                usize::MAX
            };
            let contains = kname.contains(&lower) || lower.contains(&kname);
            (d <= MAX_DISTANCE || contains).then(|| (d, k.name.to_owned()))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

/// Longest name [`suggest`] looks at: far above any kernel name a person
/// types, far below a mistaken payload (a 1 MiB name took 2 s before this
/// bound: one `contains` scan and one edit-distance table per kernel).
const SUGGEST_MAX_LEN: usize = 256;

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn downcast<R: 'static>(r: Result<Erased, DispatchError>) -> Result<R, DispatchError> {
    r.map(|b| {
        *b.downcast::<R>()
            .expect("para: the return type was checked before the call")
    })
}

/// Spins of a blocking `dispatch` before it parks: a worker that is awake
/// answers a trivial kernel within a microsecond or two.
#[cfg(not(loom))]
const DISPATCH_SPINS: u32 = 20_000;
#[cfg(loom)]
const DISPATCH_SPINS: u32 = 0;

impl Pool {
    /// Run the kernel registered as `name` on a worker and wait for its
    /// result.
    ///
    /// `args` is the kernel's parameter in owned form (`Vec<T>` for `&[T]`,
    /// `String` for `&str`, `T` for `&T` or `T`; a tuple for several
    /// parameters, `()` for none). `name` is a registry name (`#[pure(name
    /// = "...")]` or the fn's name) or a full name (`module::path::name`),
    /// which always works.
    ///
    /// Called from one of this pool's own workers (inside a kernel), the
    /// kernel runs right there instead, so nested dispatches cannot
    /// deadlock.
    ///
    /// # Errors
    /// Checked before anything runs: [`DispatchError::UnknownKernel`],
    /// [`DispatchError::Ambiguous`], [`DispatchError::ArgType`],
    /// [`DispatchError::ReturnType`]; then [`DispatchError::Panicked`] if
    /// the kernel panics (the pool keeps working) and
    /// [`DispatchError::Disposed`] if the pool is disposed before the
    /// request runs.
    pub fn dispatch<R, A>(&self, name: &str, args: A) -> Result<R, DispatchError>
    where
        R: 'static,
        A: Send + 'static,
    {
        let info = resolve::<A, R>(name)?;
        let shared = &self.shared;
        if shared.on_worker() {
            let out = catch_unwind(AssertUnwindSafe(|| info.invoke(Box::new(args))));
            shared.signals.completed.add(1);
            return downcast(out.map_err(|p| {
                let message = panic_message(p.as_ref());
                crate::unwind::drop_payload(p);
                DispatchError::Panicked {
                    kernel: info.full_name(),
                    message,
                }
            }));
        }
        // The global pool restarts after `dispose_workers`, as every call
        // on it does (an explicit pool that was disposed stays so).
        shared.ensure_running();
        let reply = Reply::new(Some(thread::current()));
        let req = Box::new(DispatchRequest {
            info,
            args: Box::new(args),
            reply: Arc::clone(&reply),
            signals: shared.signals.clone(),
        });
        let spin_limit = match shared.push_request(req) {
            Err(_) => return Err(DispatchError::Disposed),
            // A worker had to be woken: park at once, so the scheduler can
            // run it on this core instead of waking another (on a VM, an
            // idle vCPU can take ~100 µs to wake; a spinning caller would
            // force exactly that).
            Ok(true) => 0,
            Ok(false) => DISPATCH_SPINS,
        };
        downcast(reply.wait(spin_limit))
    }

    /// Like [`dispatch`](Pool::dispatch), as a future: `Send + 'static`,
    /// usable under any executor (it needs no runtime of its own).
    ///
    /// # Cancel safety
    /// Dropping the future before a worker picks the request up removes it
    /// from the queue: the kernel never runs. Dropping it while the kernel
    /// runs lets the kernel finish and drops its result. Either way nothing
    /// leaks and the pool's counters stay exact. Polling again with a
    /// different waker replaces the stored one.
    pub fn dispatch_async<R, A>(&self, name: &str, args: A) -> DispatchFuture<R>
    where
        R: Send + 'static,
        A: Send + 'static,
    {
        let info = match resolve::<A, R>(name) {
            Ok(i) => i,
            Err(e) => return DispatchFuture::ready(Err(e)),
        };
        self.shared.ensure_running();
        let reply = Reply::new(None);
        let req = Box::new(DispatchRequest {
            info,
            args: Box::new(args),
            reply: Arc::clone(&reply),
            signals: self.shared.signals.clone(),
        });
        if self.shared.push_request(req).is_err() {
            return DispatchFuture::ready(Err(DispatchError::Disposed));
        }
        DispatchFuture {
            state: FutState::Waiting {
                reply,
                shared: Arc::clone(&self.shared),
            },
            _r: std::marker::PhantomData,
        }
    }
}

enum FutState {
    Ready(Option<Result<Erased, DispatchError>>),
    Waiting {
        reply: Arc<Reply>,
        shared: Arc<Shared>,
    },
    Done,
}

/// The future of [`Pool::dispatch_async`].
#[must_use = "a dispatch future does nothing useful unless awaited; dropping it cancels the request"]
pub struct DispatchFuture<R> {
    state: FutState,
    _r: std::marker::PhantomData<fn() -> R>,
}

impl<R> fmt::Debug for DispatchFuture<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            FutState::Ready(_) => "ready",
            FutState::Waiting { .. } => "waiting",
            FutState::Done => "done",
        };
        f.debug_struct("DispatchFuture")
            .field("state", &state)
            .finish()
    }
}

impl<R> DispatchFuture<R> {
    fn ready(r: Result<Erased, DispatchError>) -> Self {
        DispatchFuture {
            state: FutState::Ready(Some(r)),
            _r: std::marker::PhantomData,
        }
    }
}

impl<R: 'static> Future for DispatchFuture<R> {
    type Output = Result<R, DispatchError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let out = match &mut this.state {
            FutState::Ready(r) => r.take().expect("polled after completion"),
            FutState::Waiting { reply, .. } => std::task::ready!(reply.poll(cx)),
            FutState::Done => panic!("DispatchFuture polled after completion"),
        };
        this.state = FutState::Done;
        Poll::Ready(downcast(out))
    }
}

impl<R> Drop for DispatchFuture<R> {
    fn drop(&mut self) {
        if let FutState::Waiting { reply, shared } = &self.state {
            let (started, answer, waker) = reply.cancel();
            if !started {
                shared.remove_request(Arc::as_ptr(reply) as usize);
            }
            // A result that arrived unread, and the stored waker, are
            // dropped here, on the thread that dropped the future (not
            // later on a worker, with the reply); a panic of a `Drop` is
            // this drop's, as for any value.
            drop(waker);
            drop(answer);
        }
    }
}
