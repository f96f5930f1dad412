use para::pure;
#[derive(para::PureData)]
struct Limits {
    lo: i32,
    hi: i32,
}

const LIMITS: Limits = Limits { lo: -5, hi: 5 };

#[pure]
fn clamp(x: i32) -> i32 {
    x.clamp(LIMITS.lo, LIMITS.hi)
}

fn main() {
    assert_eq!(clamp(9), 5);
    assert_eq!(clamp(-9), -5);
}
