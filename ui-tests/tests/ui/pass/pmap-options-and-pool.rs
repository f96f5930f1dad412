#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

#[pure]
fn double(x: &u32) -> u32 {
    x * 2
}

fn main() {
    let pool = para::Pool::builder().concurrency(2).build().unwrap();
    let v: Vec<u32> = (0..10_000).collect();
    let n = 3;
    let a = pmap!(double, &v, concurrency = n, chunk_size = 100, pool = &pool);
    let b = pmap!(double, &v, pool = &pool);
    assert_eq!(a, b);
    assert_eq!(a[9999], 19998);
    assert_eq!(pool.signals().completed.get(), 20_000);
    let s = preduce!(|a, b| a + b, 0u32, &v, pool = &pool, chunk_size = 64);
    assert_eq!(s, v.iter().sum::<u32>());
}
