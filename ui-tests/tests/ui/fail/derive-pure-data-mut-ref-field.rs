#[derive(para::PureData)]
struct Out<'a> {
    slot: &'a mut [f32],
}

fn main() {}
