use para::pure;
fn shout(x: u8) -> u8 {
    println!("{x}");
    x
}

fn quiet(x: u8) -> u8 {
    x
}

static TABLE: [fn(u8) -> u8; 2] = [shout, quiet];

#[pure]
fn k(x: u8) -> u8 {
    TABLE[0](x)
}

fn main() {}
