use para::pure;
#[pure]
fn k(ms: u64) -> u128 {
    std::time::Duration::from_millis(ms).as_micros()
}

fn main() {
    assert_eq!(k(3), 3000);
}
