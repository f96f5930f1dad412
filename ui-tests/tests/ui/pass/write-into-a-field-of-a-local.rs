use para::pure;
use std::fmt::Write;

struct Report {
    text: String,
}

#[pure]
fn k(x: u32) -> String {
    let mut r = Report { text: String::new() };
    write!(r.text, "{x}").unwrap();
    writeln!(r.text, "!").unwrap();
    r.text
}

fn main() {
    assert_eq!(k(5), "5!\n");
}
