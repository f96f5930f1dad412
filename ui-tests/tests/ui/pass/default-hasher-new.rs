use para::pure;
use std::hash::{DefaultHasher, Hash, Hasher};

#[pure]
fn digest(s: &str) -> u64 {
    let mut h = DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

fn main() {
    // Fixed keys: the same on every run and every thread.
    assert_eq!(digest("para"), digest("para"));
    let all = para::pmap!(digest, &vec!["a".to_string(), "para".to_string()]);
    assert_eq!(all[1], digest("para"));
}
