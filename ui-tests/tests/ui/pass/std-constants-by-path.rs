use para::pure;
#[pure]
fn k(x: u32) -> (u32, f64, bool) {
    (
        x.min(u32::MAX),
        std::f64::consts::E.floor(),
        x < core::u32::MAX,
    )
}

fn main() {
    assert_eq!(k(3), (3, 2.0, true));
}
