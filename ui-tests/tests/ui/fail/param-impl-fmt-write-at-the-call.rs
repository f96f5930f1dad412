use para::pure;
use std::fmt::Write;

#[pure]
fn k(mut w: impl Write) -> bool {
    write!(w, "leak").is_ok()
}

fn main() {
    let mut out = String::new();
    let _ = k(&mut out);
}
