#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

fn main() {
    assert_eq!(preduce!(|a, b| a + b, 0, &Vec::<i32>::new()), 0);
    assert_eq!(preduce!(|a, b| a + b, 0, &vec![1, 2, 3]), 6);
    let n: Vec<usize> = pmap!(|s: &String| s.len(), &vec!["a".to_string(), "bc".to_string()]);
    assert_eq!(n, vec![1, 2]);
    let data = [1.0f32; 8];
    let sums: Vec<f32> = pmap!(|r: &[f32]| r.iter().sum::<f32>(), Rows::new(&data, 4).unwrap());
    assert_eq!(sums, vec![4.0, 4.0]);
}
