use para::pure;

#[pure]
fn k(x: u32) -> u32 {
    std::hint::spin_loop();
    x
}

fn main() {}
