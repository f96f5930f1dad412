use para::{pfold, pure};

#[pure]
fn add(a: u64, b: &u64) -> u64 {
    a + b
}

fn main() {
    let v = vec![1_u64, 2, 3];
    let cluster = ();
    let _s: u64 = pfold!(add, |a, b| a + b, 0, &v, cluster = &cluster);
}
