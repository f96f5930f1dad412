use para::pure;
#[pure]
fn k(x: u32) -> u32 {
    const STEP: u32 = 7;
    x * STEP
}

fn main() {
    assert_eq!(k(3), 21);
}
