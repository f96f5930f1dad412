use std::sync::atomic::AtomicBool;
use std::sync::Arc;

type Flag = Arc<AtomicBool>;

fn is_pure<T: ?Sized + para::PureData>() {}

fn main() {
    is_pure::<Flag>();
}
