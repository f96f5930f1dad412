use std::collections::HashMap;
use std::hash::{BuildHasherDefault, DefaultHasher};

type Fixed = BuildHasherDefault<DefaultHasher>;

#[derive(para::PureData)]
struct Index {
    by_name: HashMap<String, u32, Fixed>,
}

fn is_pure<T: ?Sized + para::PureData>() {}

fn main() {
    is_pure::<Index>();
    let build = || {
        let mut by_name = HashMap::with_hasher(Fixed::default());
        for (i, n) in ["a", "b", "c", "d", "e", "f"].iter().enumerate() {
            by_name.insert(n.to_string(), i as u32);
        }
        Index { by_name }
    };
    // The same keys give the same order on every build: no random seed.
    let order = |ix: &Index| ix.by_name.keys().cloned().collect::<Vec<_>>();
    assert_eq!(order(&build()), order(&build()));
}
