use para::pure;
#[derive(Debug, PartialEq)]
struct Wrapper<T>(T);

#[pure]
fn k(xs: &[u8]) -> (Vec<Option<u8>>, Vec<Wrapper<u8>>, Vec<Result<u8, ()>>) {
    (
        xs.iter().copied().map(Some).collect(),
        xs.iter().copied().map(Wrapper).collect(),
        xs.iter().copied().map(Ok).collect(),
    )
}

fn main() {
    let (a, b, c) = k(&[1, 2]);
    assert_eq!(a, vec![Some(1), Some(2)]);
    assert_eq!(b, vec![Wrapper(1), Wrapper(2)]);
    assert_eq!(c, vec![Ok(1), Ok(2)]);
}
