use std::sync::atomic::AtomicU64;

#[derive(para::PureData)]
struct Stats {
    seen: AtomicU64,
}

fn main() {}
