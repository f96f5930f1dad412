use para::pmap_into;

fn double(x: &f32) -> f32 {
    x * 2.0
}

fn main() {
    let v = vec![1.0_f32; 4];
    let mut out = vec![0.0_f32; 4];
    pmap_into!(double, &v, &mut out);
}
