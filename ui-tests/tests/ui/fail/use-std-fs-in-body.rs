use para::pure;
#[pure]
fn k(x: u8) -> u8 {
    use std::fs;
    let _ = fs::metadata("x");
    x
}

fn main() {}
