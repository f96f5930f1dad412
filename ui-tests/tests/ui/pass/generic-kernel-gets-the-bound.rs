use para::pure;
#[pure]
fn first<T: Clone>(xs: &[T]) -> T {
    xs[0].clone()
}

fn main() {
    assert_eq!(first(&["a".to_string()]), "a");
    assert_eq!(first(&[vec![1u8]]), vec![1u8]);
}
