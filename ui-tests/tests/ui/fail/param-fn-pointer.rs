use para::pure;
#[pure]
fn k(f: fn(u8) -> u8) -> u8 {
    f(1)
}

fn main() {}
