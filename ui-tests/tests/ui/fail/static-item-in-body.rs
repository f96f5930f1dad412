use para::pure;

#[pure]
fn k(x: u32) -> u32 {
    static LIMIT: u32 = 10;
    x.min(LIMIT)
}

fn main() {}
