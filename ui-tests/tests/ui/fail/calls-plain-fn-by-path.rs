use para::pure;

mod util {
    pub fn helper(x: f32) -> f32 {
        x * 2.0
    }
}

#[pure]
fn k(x: f32) -> f32 {
    util::helper(x)
}

fn main() {}
