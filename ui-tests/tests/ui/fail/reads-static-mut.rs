use para::pure;

static mut COUNTER: u32 = 0;

#[pure]
fn k(x: u32) -> u32 {
    x + unsafe { COUNTER }
}

fn main() {}
