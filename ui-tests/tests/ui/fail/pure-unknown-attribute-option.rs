use para::pure;

#[pure(nme = "typo")]
fn k(x: f32) -> f32 {
    x
}

fn main() {}
