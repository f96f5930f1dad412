use para::pure;
fn shout(x: u8) -> u8 {
    println!("{x}");
    x
}

const HOOK: fn(u8) -> u8 = shout;

#[pure]
fn k(x: u8) -> u8 {
    HOOK(x)
}

fn main() {}
