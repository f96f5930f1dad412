#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

const OFFSET: i64 = 5;

fn main() {
    let v: Vec<i64> = (0..1000).collect();
    let out = pmap!(|x: &i64| x * 3 + OFFSET, &v);
    assert_eq!(out[999], 999 * 3 + 5);
    let out = pmap!(|x| x + 1, &v);
    assert_eq!(out[0], 1);
    let by_value = pmap!(|x: i64| x - 1, &v);
    assert_eq!(by_value[0], -1);
}
