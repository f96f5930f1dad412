use para::pure;
#[pure]
fn fill(i: usize, #[out] row: &mut [f32]) {
    for (k, x) in row.iter_mut().enumerate() {
        *x = (i * 10 + k) as f32;
    }
}

fn main() {
    let mut row = [0.0f32; 3];
    fill(2, &mut row);
    assert_eq!(row, [20.0, 21.0, 22.0]);
}
