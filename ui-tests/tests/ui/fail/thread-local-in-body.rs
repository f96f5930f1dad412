use para::pure;

#[pure]
fn k(x: u32) -> u32 {
    thread_local! { static N: u32 = 1; }
    x
}

fn main() {}
