use para::pfilter;

fn main() {
    let v = vec![1_u32, 2, 3];
    let limit = 1_u32;
    let _kept: Vec<u32> = pfilter!(|x: &u32| *x > limit, &v);
}
