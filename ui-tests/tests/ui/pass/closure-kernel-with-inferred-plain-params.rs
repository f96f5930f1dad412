fn main() {
    let v: Vec<u32> = (0..100).collect();
    let doubled = para::pmap!(|x| x * 2, &v);
    assert_eq!(doubled[99], 198);
    let total = para::preduce!(|a, b| a + b, 0, &v);
    assert_eq!(total, 4950);
    let pairs: Vec<(u32, u32)> = v.iter().map(|&x| (x, x + 1)).collect();
    let sums = para::pmap!(|&(a, b): &(u32, u32)| a + b, &pairs);
    assert_eq!(sums[0], 1);
}
