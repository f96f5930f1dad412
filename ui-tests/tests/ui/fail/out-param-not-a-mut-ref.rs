use para::pure;
#[pure]
fn k(i: usize, #[out] row: &[f32]) {
    let _ = (i, row);
}

fn main() {}
