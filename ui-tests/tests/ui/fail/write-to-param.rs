use para::pure;

use std::fmt::Write;

#[pure]
fn k(x: u32, out: String) -> String {
    let mut copy = out.clone();
    let _ = write!(copy, "{x}");
    let _ = write!(String::new(), "{x}");
    copy
}

fn main() {}
