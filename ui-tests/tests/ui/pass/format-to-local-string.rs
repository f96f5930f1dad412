#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

use std::fmt::Write;

#[pure]
fn k(x: u32) -> String {
    let mut s = String::new();
    let _ = write!(s, "{x}-");
    let _ = writeln!(&mut s, "{}", x + 1);
    let label = format!("<{s}>");
    assert!(!label.is_empty(), "label for {x}");
    debug_assert_eq!(label.len(), s.len() + 2);
    label
}

fn main() {
    assert_eq!(k(7), "<7-8\n>");
}
