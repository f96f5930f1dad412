use para::pure;

#[pure]
fn k(x: &u32) -> u32 {
    std::ptr::read(x)
}

fn main() {}
