use std::time::Instant;

#[derive(para::PureData)]
struct Job {
    id: u32,
    started: Instant,
}

fn main() {}
