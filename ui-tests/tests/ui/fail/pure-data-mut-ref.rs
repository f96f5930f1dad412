fn is_pure_val<T: ?Sized + para::PureData>(_: &T) {}

fn main() {
    let mut xs = vec![1.0_f32];
    let out: &mut Vec<f32> = &mut xs;
    is_pure_val(&out);
}
