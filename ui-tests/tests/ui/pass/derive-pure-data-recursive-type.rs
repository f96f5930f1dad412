#[derive(para::PureData)]
struct Tree {
    value: u32,
    kids: Vec<Tree>,
    next: Option<Box<Self>>,
}

fn is_pure<T: ?Sized + para::PureData>() {}

fn sum(t: &Tree) -> u32 {
    t.value + t.kids.iter().map(sum).sum::<u32>() + t.next.as_deref().map_or(0, sum)
}

fn main() {
    is_pure::<Tree>();
    let leaf = |v| Tree { value: v, kids: vec![], next: None };
    let t = Tree { value: 1, kids: vec![leaf(2), leaf(3)], next: Some(Box::new(leaf(4))) };
    assert_eq!(sum(&t), 10);
}
