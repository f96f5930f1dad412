#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

use std::collections::{BTreeMap, HashSet};

fn main() {
    let set: HashSet<u32> = (1..=100).collect();
    let mut out = pmap!(|x: u32| x * 2, set);
    out.sort_unstable();
    assert_eq!(out[0], 2);
    let m: BTreeMap<u8, u8> = [(1, 10), (2, 20)].into_iter().collect();
    let pairs = pmap!(|kv: (u8, u8)| kv.0 + kv.1, m);
    assert_eq!(pairs, vec![11, 22]);
    let evens = pmap!(|x: u32| x, (0..10u32).filter(|x| x % 2 == 0));
    assert_eq!(evens, vec![0, 2, 4, 6, 8]);
}
