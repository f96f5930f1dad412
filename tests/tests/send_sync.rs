//! Every public type has the `Send`/`Sync` bounds a user expects; the sync
//! primitives have those of their tokio counterparts.

use std::cell::Cell;
use std::rc::Rc;

fn send<T: Send>() {}
fn sync<T: Sync>() {}
fn send_sync<T: Send + Sync>() {}

macro_rules! not_send {
    ($t:ty) => {{
        trait Ambiguous<A> {
            fn some() {}
        }
        impl<T: ?Sized> Ambiguous<()> for T {}
        impl<T: ?Sized + Send> Ambiguous<u8> for T {}
        // Compiles only if exactly one impl applies, i.e. `$t: !Send`.
        <$t as Ambiguous<_>>::some();
    }};
}

macro_rules! not_sync {
    ($t:ty) => {{
        trait Ambiguous<A> {
            fn some() {}
        }
        impl<T: ?Sized> Ambiguous<()> for T {}
        impl<T: ?Sized + Sync> Ambiguous<u8> for T {}
        <$t as Ambiguous<_>>::some();
    }};
}

#[test]
fn pool_and_friends() {
    send_sync::<para::Pool>();
    send_sync::<para::Signals>();
    send_sync::<para::Signal>();
    send_sync::<para::BuildError>();
    send_sync::<para::RowsError>();
    send_sync::<para::DispatchError>();
    send_sync::<para::Rows<'static, f32>>();
    send_sync::<para::Subscription>();
    send_sync::<para::Effect>();
    send::<para::DispatchFuture<Vec<u32>>>();
    send_sync::<para::KernelInfo>();
}

#[test]
fn sync_primitives_match_tokio() {
    send_sync::<para::Semaphore>();
    send_sync::<para::SemaphorePermit<'static>>();
    send_sync::<para::OwnedSemaphorePermit>();
    send_sync::<para::AcquireError>();
    send_sync::<para::Acquire<'static>>();
    send_sync::<tokio::sync::Semaphore>();

    send_sync::<para::Mutex<u32>>();
    send_sync::<para::Mutex<Cell<u32>>>(); // T: Send is enough, as tokio
    send_sync::<tokio::sync::Mutex<Cell<u32>>>();
    not_send!(para::Mutex<Rc<u32>>);
    not_sync!(para::Mutex<Rc<u32>>);

    send_sync::<para::MutexGuard<'static, u32>>();
    not_sync!(para::MutexGuard<'static, Cell<u32>>);
    not_sync!(tokio::sync::MutexGuard<'static, Cell<u32>>);
    send::<para::MutexGuard<'static, Cell<u32>>>();
    send::<tokio::sync::MutexGuard<'static, Cell<u32>>>();

    send_sync::<para::OwnedMutexGuard<u32>>();
    not_sync!(para::OwnedMutexGuard<Cell<u32>>);
    send::<para::OwnedMutexGuard<Cell<u32>>>();
    send_sync::<para::Lock<'static, u32>>();
    sync::<para::Lock<'static, Cell<u32>>>();
}

/// The futures of the `async fn` forms cannot be named: assert on values.
fn send_sync_val<T: Send + Sync>(_: &T) {}
fn send_val<T: Send>(_: &T) {}

#[test]
fn owned_forms_and_their_futures_match_tokio() {
    use std::sync::Arc;

    let sem = Arc::new(para::Semaphore::new(1));
    send_sync_val(&Arc::clone(&sem).acquire_owned());
    send_sync_val(&Arc::clone(&sem).acquire_many_owned(2));
    let tsem = Arc::new(tokio::sync::Semaphore::new(1));
    send_val(&Arc::clone(&tsem).acquire_owned());
    send_val(&Arc::clone(&tsem).acquire_many_owned(2));
    send_sync_val(&sem.acquire_many(0));
    let p = Arc::clone(&sem).try_acquire_owned().unwrap();
    send_sync_val(&p);
    send_sync_val(p.semaphore());

    let m = Arc::new(para::Mutex::new(0u32));
    send_sync_val(&Arc::clone(&m).lock_owned());
    send_val(&Arc::new(tokio::sync::Mutex::new(0u32)).lock_owned());
    let g = Arc::clone(&m).try_lock_owned().unwrap();
    send_sync_val(&g);
    drop(g);
    send_sync_val(&Arc::clone(&m).lock_blocking_owned());

    // With `T: Send + !Sync` the owned guard is `Send` but not `Sync`, and
    // the future is `Send`, as tokio's.
    let mc = Arc::new(para::Mutex::new(Cell::new(0u32)));
    send_val(&Arc::clone(&mc).lock_owned());
    send_val(&Arc::new(tokio::sync::Mutex::new(Cell::new(0u32))).lock_owned());
    send::<para::OwnedMutexGuard<Cell<u32>>>();
    not_sync!(para::OwnedMutexGuard<Cell<u32>>);
    not_sync!(tokio::sync::OwnedMutexGuard<Cell<u32>>);
    // With `T: !Send` nothing crosses threads, as in tokio.
    not_send!(para::OwnedMutexGuard<Rc<u32>>);
    not_send!(tokio::sync::OwnedMutexGuard<Rc<u32>>);
    not_send!(para::MutexGuard<'static, Rc<u32>>);
    not_send!(tokio::sync::MutexGuard<'static, Rc<u32>>);
    not_sync!(para::Lock<'static, Rc<u32>>);
}
