use para::pure;
#[pure]
fn k(f: &std::fs::File) -> u8 {
    let _ = f;
    0
}

fn main() {}
