use para::pure;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, DefaultHasher};

type Fixed = BuildHasherDefault<DefaultHasher>;

#[pure]
fn count(words: &[String]) -> Vec<(String, usize)> {
    let mut m: HashMap<&str, usize, Fixed> = HashMap::with_hasher(Fixed::default());
    for w in words {
        *m.entry(w.as_str()).or_default() += 1;
    }
    let mut out: Vec<(String, usize)> = m.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    out.sort();
    out
}

#[pure]
fn size(m: &HashMap<u8, u8, Fixed>) -> usize {
    m.len()
}

fn main() {
    let w: Vec<String> = ["a", "b", "a"].iter().map(|s| s.to_string()).collect();
    assert_eq!(count(&w), vec![("a".into(), 2), ("b".into(), 1)]);
    let mut m: HashMap<u8, u8, Fixed> = HashMap::default();
    m.insert(1, 2);
    assert_eq!(size(&m), 1);
}
