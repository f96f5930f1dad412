use para::pure;
#[pure]
fn area(r: f64) -> f64 {
    use std::f64::consts::PI;
    PI * r * r
}

fn main() {
    assert_eq!(area(1.0), std::f64::consts::PI);
    assert_eq!(area(2.0), std::f64::consts::PI * 4.0);
}
