#[derive(para::PureData)]
struct Step {
    apply: fn(u8) -> u8,
}

fn main() {}
