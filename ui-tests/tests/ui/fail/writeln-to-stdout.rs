use para::pure;

use std::io::Write;

#[pure]
fn k(x: f32) -> f32 {
    let _ = writeln!(std::io::stdout(), "{x}");
    x
}

fn main() {}
