use para::pure;
#[pure]
fn double(x: u32) -> u32 {
    x * 2
}

#[pure]
fn k(xs: &[u32]) -> Vec<u32> {
    xs.iter().copied().map(double).collect()
}

fn main() {
    assert_eq!(k(&[1, 2]), vec![2, 4]);
}
