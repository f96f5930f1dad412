use para::pure;

#[pure]
fn k(x: &[f32]) -> f32 {
    unsafe { *x.get_unchecked(0) }
}

fn main() {}
