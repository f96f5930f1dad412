use para::pure;
type Bag = Vec<u32>;

#[pure]
fn k(x: u32) -> Bag {
    let mut b = Bag::new();
    b.push(x);
    b.push(x + 1);
    b
}

fn main() {
    assert_eq!(k(4), vec![4, 5]);
}
