mod kernels {
    #[para::pure]
    pub fn score(x: f32) -> f32 {
        x * 2.0
    }
}

use kernels::*;

// A plain fn of the same name shadows the glob-imported kernel's value:
// `score(x)` in this module calls it. Kernel bodies and the call macros
// call through the marker, so they still run the kernel.
#[allow(dead_code)]
fn score(x: f32) -> f32 {
    x + 1000.0
}

#[para::pure]
fn twice(x: f32) -> f32 {
    score(x) + score(x)
}

fn main() {
    assert_eq!(twice(1.0), 4.0);
    assert_eq!(para::pmap!(score, &[1.0f32, 2.0]), vec![2.0, 4.0]);
    assert_eq!(score(1.0), 1001.0, "outside kernels, Rust's own resolution");
}
