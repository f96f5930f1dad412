use para::pure;
#[allow(non_upper_case_globals)]
static Scale: f32 = 2.0;

#[pure]
fn k(x: f32) -> f32 {
    Scale.max(x) * Scale
}

fn main() {
    assert_eq!(k(1.0), 4.0);
    assert_eq!(k(3.0), 6.0);
}
