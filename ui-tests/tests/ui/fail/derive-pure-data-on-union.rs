#[derive(para::PureData)]
union Bits {
    f: f32,
    u: u32,
}

fn main() {}
