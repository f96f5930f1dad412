#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

static TABLE: [f32; 3] = [1.0, 10.0, 100.0];
static NAME: &str = "para";
const NAMES: &[&str] = &["a", "bb"];

#[pure]
fn k(i: usize) -> f32 {
    TABLE[i % 3] + (NAME.len() + NAMES[1].len()) as f32
}

fn main() {
    assert_eq!(k(4), 16.0);
    assert_eq!(pmap!(k, 0..3), vec![7.0, 16.0, 106.0]);
}
