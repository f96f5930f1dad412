#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

#[pure(name = "rankBatch")]
fn rank_batch(batch: &[f32]) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..batch.len() as u32).collect();
    idx.sort_by(|&a, &b| batch[b as usize].total_cmp(&batch[a as usize]));
    idx
}

#[pure(register = false)]
fn unlisted(x: u8) -> u8 {
    x
}

fn main() {
    let k = para::kernels().find(|k| k.name == "rankBatch").expect("registered");
    assert_eq!(k.signature, "fn rank_batch(batch: &[f32]) -> Vec<u32>");
    assert!(k.full_name().ends_with("::rankBatch"));
    assert!(para::kernels().all(|k| k.name != "unlisted" && k.name != "rank_batch"));
    assert_eq!(rank_batch(&[0.5, 2.0, 1.0]), vec![1, 2, 0]);
    assert_eq!(unlisted(3), 3);
}
