use para::pure;

#[pure]
fn k(x: u32) -> &'static u32 {
    Box::leak(Box::new(x))
}

fn main() {}
