use para::pure;

#[pure]
fn k(p: *const f32) -> usize {
    p as usize
}

fn main() {}
