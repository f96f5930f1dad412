use para::pure;
use std::collections::HashMap;

#[pure]
fn k(words: &[String]) -> usize {
    let mut m: HashMap<&str, usize> = HashMap::new();
    for w in words {
        *m.entry(w).or_default() += 1;
    }
    m.len()
}

fn main() {}
