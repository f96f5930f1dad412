use para::pure;
#[pure]
fn k(f: &dyn Fn(u8) -> u8) -> u8 {
    f(1)
}

fn main() {}
