use para::pure;
#[pure]
fn k(x: u32) -> String {
    format!("{name}={value:>3}", name = "x", value = x)
}

fn main() {
    assert_eq!(k(7), "x=  7");
}
