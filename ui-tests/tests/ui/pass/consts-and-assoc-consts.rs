#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

const BIAS: f32 = 0.5;
mod config {
    pub const LIMIT: u32 = 10;
}

#[pure]
fn k(x: f32, n: u32) -> f32 {
    let eps = f32::EPSILON;
    (x + BIAS + eps * 0.0) * (n.min(config::LIMIT) as f32) + std::f32::consts::PI * 0.0 + (u8::MAX as f32) * 0.0
}

fn main() {
    assert_eq!(k(1.5, 20), 20.0);
}
