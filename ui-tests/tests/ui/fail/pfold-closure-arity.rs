use para::pfold;

fn main() {
    let v = vec![1_u64, 2, 3];
    let _s: u64 = pfold!(|x: &u64| *x, |a, b| a + b, 0, &v);
}
