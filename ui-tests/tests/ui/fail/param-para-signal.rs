use para::pure;
#[pure]
fn k(s: &para::Signal) -> u8 {
    let _ = s;
    0
}

fn main() {}
