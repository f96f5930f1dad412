use para::pure;
#[pure]
fn k(x: u8) -> u8 {
    use std::io::stdout;
    x
}

fn main() {}
