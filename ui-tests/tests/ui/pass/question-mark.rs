#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

#[pure]
fn k(s: &str) -> Result<u32, std::num::ParseIntError> {
    let n: u32 = s.trim().parse()?;
    Ok(n * 2)
}

#[pure]
fn first_even(xs: &[u32]) -> Option<u32> {
    let x = xs.iter().find(|x| *x % 2 == 0)?;
    Some(*x)
}

fn main() {
    assert_eq!(k(" 21 "), Ok(42));
    assert!(k("x").is_err());
    assert_eq!(first_even(&[1, 3, 4]), Some(4));
    assert_eq!(first_even(&[1]), None);
}
