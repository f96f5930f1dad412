use std::collections::HashMap;

#[derive(para::PureData)]
struct Index<K, V> {
    by_key: HashMap<K, V>,
}

fn main() {}
