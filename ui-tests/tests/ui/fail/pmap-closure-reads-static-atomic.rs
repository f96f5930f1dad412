#[allow(unused_imports)]
use para::{pmap, preduce, pure};

use std::sync::atomic::{AtomicU32, Ordering};

static BIAS: AtomicU32 = AtomicU32::new(1);

fn main() {
    let v = vec![1u32, 2];
    let _out: Vec<u32> = pmap!(|x: &u32| x + BIAS.load(Ordering::Relaxed), &v);
}
