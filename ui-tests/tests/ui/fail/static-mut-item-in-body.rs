use para::pure;

#[pure]
fn k(x: u32) -> u32 {
    static mut SEEN: u32 = 0;
    x
}

fn main() {}
