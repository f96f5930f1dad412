use para::pure;

#[pure]
fn k(x: u32) -> u32 {
    x + std::env::var("BOOST").map_or(0, |v| v.len() as u32)
}

fn main() {}
